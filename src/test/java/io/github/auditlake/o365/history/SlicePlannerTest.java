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
    void boundariesBetweenQueriesFallOnWholeSeconds() {
        SlicePlanner p = new SlicePlanner(Duration.ofDays(1), Duration.ofMinutes(1), Duration.ofDays(7));
        // a range from an odd start (a history start, a resumed range) ends on a whole second
        p.observe(new TimeRange(T, T.plus(Duration.ofDays(1))), 333_333, 1_000_000);
        Instant odd = T.plusMillis(250);
        TimeRange next = p.next(odd, T.plus(Duration.ofDays(30)));
        assertEquals(odd, next.from(), "a range starts where the last one ended");
        assertEquals(0, next.to().getNano(), "ends on a whole second: " + next);
        // a split's middle too, even of an odd range
        TimeRange oddRange =
                new TimeRange(T.plusMillis(250), T.plus(Duration.ofMinutes(7)).plusMillis(1));
        List<TimeRange> halves = p.split(oddRange);
        assertEquals(0, halves.get(0).to().getNano(), halves.toString());
        assertEquals(halves.get(0).to(), halves.get(1).from());
        assertEquals(oddRange.from(), halves.get(0).from());
        assertEquals(oddRange.to(), halves.get(1).to());
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
