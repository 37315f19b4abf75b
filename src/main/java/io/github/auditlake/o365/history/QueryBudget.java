package io.github.auditlake.o365.history;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;

/**
 * The per-tenant daily budget of query submissions: at most {@code perDay} in any 24 hours (a sliding window, by
 * the injected clock). The service's own limit is quoted at about 200 per tenant per day, shared by every tool of the
 * tenant; the default setting keeps room for the others. Thread-safe.
 */
public final class QueryBudget {
    static final Duration WINDOW = Duration.ofDays(1);

    private final int perDay;
    private final Clock clock;
    private final Deque<Instant> used = new ArrayDeque<>();

    public QueryBudget(int perDay, Clock clock) {
        if (perDay < 1) {
            throw new IllegalArgumentException("the daily query budget must be >= 1, got " + perDay);
        }
        this.perDay = perDay;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public int perDay() {
        return perDay;
    }

    /** Empty when a submission is allowed now, else when the next one is. */
    public synchronized Optional<Instant> nextAllowed() {
        Instant now = clock.instant();
        expire(now);
        if (used.size() < perDay) {
            return Optional.empty();
        }
        return Optional.of(used.peekFirst().plus(WINDOW));
    }

    /** Counts a submission made now. */
    public synchronized void record() {
        Instant now = clock.instant();
        expire(now);
        used.addLast(now);
    }

    /** Submissions counted in the last 24 hours. */
    public synchronized int usedToday() {
        expire(clock.instant());
        return used.size();
    }

    private void expire(Instant now) {
        Instant floor = now.minus(WINDOW);
        while (!used.isEmpty() && !used.peekFirst().isAfter(floor)) {
            used.removeFirst();
        }
    }
}
