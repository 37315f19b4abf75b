package io.github.auditlake.o365.history;

import java.time.Duration;
import java.util.Objects;

/**
 * How the history reader paces and sizes its queries.
 *
 * @param queriesPerDay  query submissions per tenant per 24 hours (the service allows about 200 for the tenant)
 * @param maxInFlight    queries queued or running at once (the service allows about 50 for the tenant)
 * @param initialSlice   the length of the first query ranges
 * @param minSlice       the shortest range a query is split down to
 * @param maxSlice       the longest range of one query
 * @param pollInitial    the first wait before reading a query's state
 * @param pollMax        the longest wait between two reads of a query's state
 * @param queryAttempts  submissions of one range before a failed or cancelled query is an error
 * @param queryTimeout   how long a query may stay queued or running (or in a state this version does not know)
 *                       before it is given up and its range submitted again, as after a failure
 */
public record HistorySettings(
        int queriesPerDay,
        int maxInFlight,
        Duration initialSlice,
        Duration minSlice,
        Duration maxSlice,
        Duration pollInitial,
        Duration pollMax,
        int queryAttempts,
        Duration queryTimeout) {

    public static final int DEFAULT_QUERIES_PER_DAY = 150;
    public static final int DEFAULT_MAX_IN_FLIGHT = 10;

    public static final HistorySettings DEFAULTS = new HistorySettings(
            DEFAULT_QUERIES_PER_DAY,
            DEFAULT_MAX_IN_FLIGHT,
            Duration.ofDays(1),
            Duration.ofMinutes(1),
            Duration.ofDays(7),
            Duration.ofSeconds(5),
            Duration.ofMinutes(2),
            3,
            Duration.ofHours(24));

    public HistorySettings {
        if (queriesPerDay < 1 || maxInFlight < 1 || queryAttempts < 1) {
            throw new IllegalArgumentException("queriesPerDay, maxInFlight and queryAttempts must be >= 1");
        }
        Objects.requireNonNull(initialSlice, "initialSlice");
        Objects.requireNonNull(minSlice, "minSlice");
        Objects.requireNonNull(maxSlice, "maxSlice");
        Objects.requireNonNull(pollInitial, "pollInitial");
        Objects.requireNonNull(pollMax, "pollMax");
        Objects.requireNonNull(queryTimeout, "queryTimeout");
    }

    public HistorySettings withQueriesPerDay(int n) {
        return new HistorySettings(
                n, maxInFlight, initialSlice, minSlice, maxSlice, pollInitial, pollMax, queryAttempts, queryTimeout);
    }

    public HistorySettings withInitialSlice(Duration d) {
        return new HistorySettings(
                queriesPerDay, maxInFlight, d, minSlice, maxSlice, pollInitial, pollMax, queryAttempts, queryTimeout);
    }
}
