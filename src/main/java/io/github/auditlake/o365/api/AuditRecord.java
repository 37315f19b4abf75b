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
 */
public record AuditRecord(String json, String id, String creationTime, String workload, Integer recordType,
                          String operation) {
    public AuditRecord {
        Objects.requireNonNull(json, "json");
    }
}
