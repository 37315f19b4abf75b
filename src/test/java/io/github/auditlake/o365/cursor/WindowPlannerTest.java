package io.github.auditlake.o365.cursor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.cursor.WindowPlanner.Window;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WindowPlannerTest {
    static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    final WindowPlanner planner = new WindowPlanner(Duration.ofHours(1), Duration.ofMinutes(30), Duration.ofMinutes(15));

    @Test
    void catchesUpInStepsOfTheMaximumWindowReListingTheLateWindow() {
        Instant hw = NOW.minus(Duration.ofDays(2));
        Window w = planner.next(hw, NOW).orElseThrow();
        assertEquals(hw.minus(Duration.ofMinutes(30)), w.start());
        assertEquals(hw.plus(Duration.ofHours(1)), w.end());
        assertFalse(w.reachesNow());
    }

    @Test
    void endsAtNowOnceCaughtUp() {
        Window w = planner.next(NOW.minus(Duration.ofMinutes(2)), NOW).orElseThrow();
        assertEquals(NOW, w.end());
        assertTrue(w.reachesNow());
        assertTrue(planner.next(NOW.plus(Duration.ofMinutes(31)), NOW).isEmpty(), "nothing to list yet");
    }

    @Test
    void neverStartsBeyondTheApiRetentionNorSpansMoreThan24Hours() {
        Window w = planner.next(NOW.minus(Duration.ofDays(30)), NOW).orElseThrow();
        Instant floor = NOW.minus(Duration.ofDays(7)).plus(Duration.ofMinutes(15));
        assertEquals(floor, w.start());
        assertEquals(floor.plus(Duration.ofHours(1)), w.end());
        for (long h = 0; h < 24 * 8; h += 5) {
            Window x = planner.next(NOW.minus(Duration.ofHours(h)), NOW).orElseThrow();
            assertTrue(Duration.between(x.start(), x.end()).compareTo(Duration.ofHours(24)) <= 0);
            assertFalse(x.start().isBefore(floor));
        }
    }

    @Test
    void refusesSettingsTheApiCannotServe() {
        assertThrows(IllegalArgumentException.class,
                () -> new WindowPlanner(Duration.ofHours(20), Duration.ofHours(5), Duration.ZERO));
    }
}
