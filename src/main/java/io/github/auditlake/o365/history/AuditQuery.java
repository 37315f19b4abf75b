package io.github.auditlake.o365.history;

import java.util.OptionalLong;

/**
 * One audit-search query as the service reports it: its id, range, status and, once succeeded, how many records it
 * returns and whether it stopped at the service's record limit ({@code isRecordCountLimitExceeded}).
 */
public record AuditQuery(
        String id,
        TimeRange range,
        QueryStatus status,
        OptionalLong returnedRecords,
        OptionalLong recordLimit,
        boolean limitExceeded) {

    /**
     * Whether the query's answer may be cut at the record limit: the service's flag, or (for a service without the
     * flag: beta, older v1.0, another implementation) an approximate count that reached the limit. Splitting a range
     * that was not truncated costs one query more; reading a truncated one as whole would lose records.
     */
    public boolean mayBeTruncated() {
        return limitExceeded
                || (returnedRecords.isPresent()
                        && recordLimit.isPresent()
                        && recordLimit.getAsLong() > 0
                        && returnedRecords.getAsLong() >= recordLimit.getAsLong());
    }
}
