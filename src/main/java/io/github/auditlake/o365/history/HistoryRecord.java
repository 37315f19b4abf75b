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
 * @param contentType the Management API content type of the record
 */
public record HistoryRecord(
        String id, Instant created, String json, int recordType, String workload, ContentType contentType) {
    @Override
    public String toString() {
        // never the payload above TRACE: the record's text stays out of toString
        return "HistoryRecord[id=" + id + ", created=" + created + ", type=" + recordType + ", " + contentType + "]";
    }
}
