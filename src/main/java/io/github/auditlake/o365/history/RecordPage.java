package io.github.auditlake.o365.history;

import java.util.List;
import java.util.Optional;

/** One page of a query's records and the link to the next page ({@code @odata.nextLink}), if any. */
public record RecordPage(List<HistoryRecord> records, Optional<String> nextLink) {}
