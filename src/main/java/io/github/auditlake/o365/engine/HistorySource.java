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
 * @param ranges   held by the stream emitting a query range's records, from its first record to its last: the ranges
 *                 of the engine's streams never interleave in its output, so a task that ends transactions only
 *                 outside an open range (see the task) never commits a position inside one
 */
public record HistorySource(
        UnaryOperator<Instant> startAt,
        Function<String, AuditSearchApi> apis,
        Function<String, QueryBudget> budgets,
        HistorySettings settings,
        java.util.concurrent.Semaphore ranges) {
    public HistorySource(
            UnaryOperator<Instant> startAt,
            Function<String, AuditSearchApi> apis,
            Function<String, QueryBudget> budgets,
            HistorySettings settings) {
        this(startAt, apis, budgets, settings, new java.util.concurrent.Semaphore(1));
    }

    public HistorySource {
        Objects.requireNonNull(ranges, "ranges");
        Objects.requireNonNull(startAt, "startAt");
        Objects.requireNonNull(apis, "apis");
        Objects.requireNonNull(budgets, "budgets");
        Objects.requireNonNull(settings, "settings");
    }
}
