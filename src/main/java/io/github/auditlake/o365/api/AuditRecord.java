package io.github.auditlake.o365.api;

import java.util.Objects;

/**
 * One audit record read from a blob: its exact original JSON text plus the few fields the connector needs.
 * Any of the extracted fields may be {@code null} when the record lacks them; {@code json} never is.
 *
 * @param json         the record's original JSON text, byte-for-byte as served (re-encoded as a Java string)
 * @param id           the {@code Id} field (the de-duplication key)
 * @param creationTime the {@code CreationTime} field as written (UTC, usually without a zone designator)
 * @param workload     the {@code Workload} field
 * @param recordType   the {@code RecordType} field (unknown numbers are normal)
 * @param operation    the {@code Operation} field
 * @param problem      null for an audit record; otherwise why this element of the blob is not one (e.g. it is not a
 *                     JSON object), and {@code json} holds its raw text
 */
public record AuditRecord(String json, String id, String creationTime, String workload, Integer recordType,
                          String operation, String problem) {
    public AuditRecord {
        Objects.requireNonNull(json, "json");
    }

    public AuditRecord(String json, String id, String creationTime, String workload, Integer recordType,
                       String operation) {
        this(json, id, creationTime, workload, recordType, operation, null);
    }

    /** An element of a blob that is not an audit record, kept as raw text for the skips topic. */
    public static AuditRecord notARecord(String rawText, String problem) {
        return new AuditRecord(rawText, null, null, null, null, null, Objects.requireNonNull(problem, "problem"));
    }
}
