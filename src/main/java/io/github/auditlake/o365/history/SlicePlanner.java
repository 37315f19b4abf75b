package io.github.auditlake.o365.history;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Cuts a range into query ranges small enough for the service's record limit. It starts with {@code initial}
 * slices; after each succeeded query it sizes the next slices so that they would return about {@link #TARGET_FILL}
 * of the record limit at the rate just seen (within {@code min} and {@code max}); a query that hit the limit is cut
 * in two halves, and later slices are no longer than a half. Boundaries fall on whole seconds (see
 * {@link #ceilSecond}). Not thread-safe; pure (no clock, no IO).
 */
public final class SlicePlanner {
    /** Aim at half the limit: a busier stretch than the last one seen still fits. */
    static final double TARGET_FILL = 0.5;

    private final Duration min;
    private final Duration max;
    private Duration current;

    public SlicePlanner(Duration initial, Duration min, Duration max) {
        Objects.requireNonNull(initial, "initial");
        this.min = Objects.requireNonNull(min, "min");
        this.max = Objects.requireNonNull(max, "max");
        if (min.isNegative() || min.isZero() || min.compareTo(max) > 0) {
            throw new IllegalArgumentException("need 0 < min <= max, got min " + min + ", max " + max);
        }
        if (initial.compareTo(min) < 0 || initial.compareTo(max) > 0) {
            throw new IllegalArgumentException("initial slice " + initial + " outside [" + min + ", " + max + "]");
        }
        this.current = initial;
    }

    /** The current slice length. */
    public Duration current() {
        return current;
    }

    /** The next query range from {@code from}, ending at {@code end} at the latest. */
    public TimeRange next(Instant from, Instant end) {
        Instant to = ceilSecond(from.plus(current));
        return new TimeRange(from, to.isAfter(end) ? end : to);
    }

    /**
     * {@code t} rounded up to a whole second. Boundaries between queries fall on whole seconds: records carry
     * whole-second creation times, and a service that compares its filter at a coarser grain than ours (or truncates
     * it) would otherwise answer a record on a boundary in the other query than the one whose range holds it.
     */
    static Instant ceilSecond(Instant t) {
        Instant floor = t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        return floor.equals(t) ? t : floor.plusSeconds(1);
    }

    /** A query over {@code range} returned {@code records} of at most {@code limit}: size the next slices. */
    public void observe(TimeRange range, long records, long limit) {
        if (limit <= 0) {
            return;
        }
        double perMs =
                Math.max(1, records) / (double) Math.max(1, range.length().toMillis());
        long ms = (long) (limit * TARGET_FILL / perMs);
        current = clamp(Duration.ofMillis(ms));
    }

    /**
     * The two halves of a range whose query hit the record limit; later slices are no longer than a half.
     *
     * @throws IllegalStateException when a half would be shorter than {@code min}: the range cannot be read whole
     */
    public List<TimeRange> split(TimeRange range) {
        Duration half = range.length().dividedBy(2);
        if (half.compareTo(min) < 0) {
            throw new IllegalStateException("audit search hit its record limit over " + range + ", which is already"
                    + " as short as allowed (" + min + "); its records cannot all be read");
        }
        Instant mid = range.from().plus(half).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        if (!mid.isAfter(range.from())) {
            mid = range.from().plus(half); // a range of under two seconds: only a fractional middle is inside it
        }
        if (current.compareTo(half) > 0) {
            current = clamp(half);
        }
        return List.of(new TimeRange(range.from(), mid), new TimeRange(mid, range.to()));
    }

    private Duration clamp(Duration d) {
        if (d.compareTo(min) < 0) {
            return min;
        }
        return d.compareTo(max) > 0 ? max : d;
    }
}
