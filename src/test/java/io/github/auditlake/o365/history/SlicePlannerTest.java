package io.github.auditlake.o365.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlicePlannerTest {
    static final Instant T = Instant.parse("2024-01-01T00:00:00Z");

    @Test
    void slicesStopAtTheEnd() {
        SlicePlanner p = new SlicePlanner(Duration.ofDays(1), Duration.ofMinutes(1), Duration.ofDays(7));
        assertEquals(new TimeRange(T, T.plus(Duration.ofDays(1))), p.next(T, T.plus(Duration.ofDays(3))));
        assertEquals(new TimeRange(T, T.plus(Duration.ofHours(5))), p.next(T, T.plus(Duration.ofHours(5))));
    }

    @Test
    void aSucceededQuerySizesTheNextSlicesToHalfTheLimit() {
        SlicePlanner p = new SlicePlanner(Duration.ofDays(1), Duration.ofMinutes(1), Duration.ofDays(7));
        // 400,000 records in a day against a limit of 1,000,000: half the limit is 1.25 days
        p.observe(new TimeRange(T, T.plus(Duration.ofDays(1))), 400_000, 1_000_000);
        assertEquals(Duration.ofHours(30), p.current());
        p.observe(new TimeRange(T, T.plus(Duration.ofDays(1))), 10, 1_000_000);
        assertEquals(Duration.ofDays(7), p.current(), "capped at max");
    }

    @Test
    void aRangeOverTheLimitSplitsInHalvesAndShortensLaterSlices() {
        SlicePlanner p = new SlicePlanner(Duration.ofDays(1), Duration.ofMinutes(1), Duration.ofDays(7));
        TimeRange day = new TimeRange(T, T.plus(Duration.ofDays(1)));
        List<TimeRange> halves = p.split(day);
        assertEquals(
                List.of(
                        new TimeRange(T, T.plus(Duration.ofHours(12))),
                        new TimeRange(T.plus(Duration.ofHours(12)), T.plus(Duration.ofDays(1)))),
                halves);
        assertEquals(Duration.ofHours(12), p.current());
    }

    @Test
    void aRangeAtTheShortestSliceCannotBeSplit() {
        SlicePlanner p = new SlicePlanner(Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofDays(7));
        assertThrows(IllegalStateException.class, () -> p.split(new TimeRange(T, T.plus(Duration.ofSeconds(90)))));
    }

    @Test
    void invalidBoundsAreRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new SlicePlanner(Duration.ofDays(1), Duration.ofDays(2), Duration.ofDays(1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> new SlicePlanner(Duration.ofDays(9), Duration.ofMinutes(1), Duration.ofDays(7)));
    }
}
