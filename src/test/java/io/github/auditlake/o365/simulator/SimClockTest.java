package io.github.auditlake.o365.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimClockTest {

    @Test
    void fixedClockMovesOnlyWhenTold() {
        Instant t0 = Instant.parse("2024-03-01T12:00:00Z");
        SimClock c = SimClock.fixed(t0);
        assertEquals(t0, c.instant());
        assertEquals(t0, c.instant());
        c.advance(Duration.ofDays(3));
        assertEquals(t0.plus(Duration.ofDays(3)), c.instant());
        c.set(t0);
        assertEquals(t0, c.instant());
        assertEquals(ZoneOffset.UTC, c.getZone());
        assertThrows(UnsupportedOperationException.class, () -> c.withZone(ZoneId.of("Europe/Paris")));
    }

    @Test
    void systemClockCanBeShifted() {
        SimClock c = SimClock.system();
        Instant before = Instant.now();
        c.advance(Duration.ofDays(2));
        assertFalse(c.instant().isBefore(before.plus(Duration.ofDays(2))));
    }

    @Test
    void listenersSeeEveryChange() {
        SimClock c = SimClock.fixed(Instant.EPOCH);
        List<Instant> seen = new ArrayList<>();
        java.util.function.Consumer<Instant> l = seen::add;
        c.onChange(l);
        c.advance(Duration.ofSeconds(5));
        c.set(Instant.EPOCH.plusSeconds(60));
        c.removeListener(l);
        c.advance(Duration.ofSeconds(1));
        assertEquals(List.of(Instant.EPOCH.plusSeconds(5), Instant.EPOCH.plusSeconds(60)), seen);
        assertTrue(c.instant().isAfter(Instant.EPOCH.plusSeconds(60)));
    }
}
