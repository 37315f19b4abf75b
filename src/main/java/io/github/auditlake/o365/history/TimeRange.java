package io.github.auditlake.o365.history;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** A half-open range of record creation times, {@code from <= t < to}. */
public record TimeRange(Instant from, Instant to) {
    public TimeRange {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("empty range [" + from + ", " + to + ")");
        }
    }

    public Duration length() {
        return Duration.between(from, to);
    }

    public boolean contains(Instant t) {
        return !t.isBefore(from) && t.isBefore(to);
    }

    @Override
    public String toString() {
        return "[" + from + ", " + to + ")";
    }
}
