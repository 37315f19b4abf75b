package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.history.AuditSearchApi;
import io.github.auditlake.o365.history.HistorySettings;
import io.github.auditlake.o365.history.QueryBudget;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * How a new stream reads its history through audit search ({@code o365.history.start}) before its Management API
 * part: see {@link HistoryDelivery}.
 *
 * @param startAt  where history begins, given the service's time (an ISO instant, or now minus an ISO duration)
 * @param apis     the audit-search client of each tenant
 * @param budgets  the query budget of each tenant, shared by its streams (one per tenant and task)
 * @param settings how queries are paced and sized
 */
public record HistorySource(
        UnaryOperator<Instant> startAt,
        Function<String, AuditSearchApi> apis,
        Function<String, QueryBudget> budgets,
        HistorySettings settings) {
    public HistorySource {
        Objects.requireNonNull(startAt, "startAt");
        Objects.requireNonNull(apis, "apis");
        Objects.requireNonNull(budgets, "budgets");
        Objects.requireNonNull(settings, "settings");
    }
}
