package io.github.auditlake.o365.history;

import io.github.auditlake.o365.api.ContentType;
import java.time.Instant;

/**
 * One record of audit search: its {@code Id}, creation time, the Management API's JSON exactly as the service sent
 * it in {@code auditData} ({@link #json()}), and the content type the Management API lists it under (by
 * {@link ContentTypeTable}).
 *
 * @param id          the record's Id (auditData's {@code Id}, which Graph also gives as {@code id})
 * @param created     auditData's {@code CreationTime} (else Graph's {@code createdDateTime})
 * @param json        the auditData JSON text, unchanged
 * @param recordType  auditData's {@code RecordType}, or -1
 * @param workload    auditData's {@code Workload}, or null
 * @param contentType the Management API content type of the record (null for an unreadable one)
 * @param problem     null for an audit record; otherwise why this element of the service's answer is not one (no
 *                    {@code auditData}, no Id or creation time): {@link #json()} is then the element's raw text, for
 *                    the skips topic
 */
public record HistoryRecord(
        String id,
        Instant created,
        String json,
        int recordType,
        String workload,
        ContentType contentType,
        String problem) {

    public HistoryRecord(
            String id, Instant created, String json, int recordType, String workload, ContentType contentType) {
        this(id, created, json, recordType, workload, contentType, null);
    }

    /**
     * An element of audit search's answer that is not a readable audit record: skipped (logged, counted and published
     * on the skips topic), never delivered as a record and never a reason to stop reading.
     *
     * @param id      Graph's {@code id}, or null
     * @param created Graph's {@code createdDateTime}, or null
     * @param raw     the element's text as the service sent it
     */
    public static HistoryRecord unreadable(String id, Instant created, String raw, String problem) {
        return new HistoryRecord(
                id, created, raw, -1, null, null, java.util.Objects.requireNonNull(problem, "problem"));
    }

    @Override
    public String toString() {
        // never the payload above TRACE: the record's text stays out of toString
        return "HistoryRecord[id=" + id + ", created=" + created + ", type=" + recordType + ", " + contentType
                + (problem == null ? "" : ", unreadable: " + problem) + "]";
    }
}
