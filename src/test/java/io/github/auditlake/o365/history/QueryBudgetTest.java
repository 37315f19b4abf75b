package io.github.auditlake.o365.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.auditlake.o365.simulator.SimClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QueryBudgetTest {
    static final Instant T = Instant.parse("2024-01-01T00:00:00Z");

    @Test
    void aSlidingDayOfSubmissions() {
        SimClock clock = SimClock.fixed(T);
        QueryBudget b = new QueryBudget(2, clock);
        assertEquals(Optional.empty(), b.nextAllowed());
        b.record();
        clock.advance(Duration.ofHours(3));
        b.record();
        assertEquals(Optional.of(T.plus(Duration.ofDays(1))), b.nextAllowed());
        clock.advance(Duration.ofHours(21));
        assertEquals(Optional.empty(), b.nextAllowed(), "the first left the window");
        b.record();
        assertEquals(Optional.of(T.plus(Duration.ofHours(27))), b.nextAllowed());
        assertEquals(2, b.usedToday());
    }

    @Test
    void aBudgetBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new QueryBudget(0, SimClock.fixed(T)));
    }
}
