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
        boolean limitExceeded) {}
