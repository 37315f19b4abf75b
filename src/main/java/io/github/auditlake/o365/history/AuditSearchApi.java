package io.github.auditlake.o365.history;

/**
 * The audit-search port: submit a query over a range of record creation times, read its state, read its records a
 * page at a time. Implementations retry transient failures themselves (429 honouring {@code Retry-After}, 5xx, IO)
 * within their retry policy and throw {@link io.github.auditlake.o365.api.ApiException} otherwise: PERMANENT for a
 * missing permission (with what to grant), AUTHENTICATION for a refused token.
 */
public interface AuditSearchApi extends AutoCloseable {
    /** {@code POST .../queries}: a new query over {@code range}. */
    AuditQuery submit(TimeRange range, String displayName);

    /** {@code GET .../queries/{id}}. */
    AuditQuery query(String id, TimeRange range);

    /** {@code GET .../queries/{id}/records}: the first page. */
    RecordPage records(String id);

    /** The page behind an {@code @odata.nextLink}. */
    RecordPage page(String nextLink);

    @Override
    default void close() {}
}
