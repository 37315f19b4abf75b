package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.cursor.WindowPlanner;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Time arguments and window splitting. */
class TimesTest {
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    private static Instant p(String s) {
        return Times.parse("--start", s, NOW);
    }

    @Test
    void absoluteForms() {
        assertEquals(Instant.parse("2026-11-28T10:00:00Z"), p("2026-11-28T10:00:00Z"));
        assertEquals(Instant.parse("2026-11-28T10:00:00Z"), p("2026-11-28T10:00:00"));
        assertEquals(Instant.parse("2026-11-28T10:00:00Z"), p("2026-11-28T10:00"));
        assertEquals(Instant.parse("2026-11-28T10:00:00Z"), p("2026-11-28 10:00:00"));
        assertEquals(Instant.parse("2026-11-28T00:00:00Z"), p("2026-11-28"));
        assertEquals(Instant.parse("2026-11-28T09:00:00Z"), p("2026-11-28T10:00:00+01:00"));
        assertEquals(Instant.parse("2026-11-28T10:00:00.123Z"), p("2026-11-28T10:00:00.123Z"));
    }

    @Test
    void relativeForms() {
        assertEquals(NOW, p("now"));
        assertEquals(NOW.minusSeconds(24 * 3600), p("-24h"));
        assertEquals(NOW.minusSeconds(7 * 86400), p("-7d"));
        assertEquals(NOW.minusSeconds(30 * 60), p("-30m"));
        assertEquals(NOW.minusSeconds(90), p("-90s"));
        assertEquals(NOW.plusSeconds(86400 * 14), p("+2w"));
    }

    @Test
    void nonsenseIsAUsageError() {
        CliException e = assertThrows(CliException.class, () -> p("last tuesday"));
        assertEquals(CliException.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("-24h"), e.getMessage());
    }

    @Test
    void rangesSplitIntoWindowsOfAtMostADay() {
        List<WindowPlanner.Window> w = windows(Times.range("-3d", "-1h", NOW));
        assertEquals(3, w.size());
        assertEquals(NOW.minusSeconds(3 * 86400), w.get(0).start());
        assertEquals(w.get(0).end(), w.get(1).start());
        assertEquals(NOW.minusSeconds(3600), w.get(2).end());
        assertEquals(1, windows(Times.range("-24h", "now", NOW)).size());
    }

    /** The listings of {@code range}, as the CLI plans them. */
    private static List<WindowPlanner.Window> windows(Times.Window range) {
        return WindowPlanner.listings(range.start(), range.end());
    }

    @Test
    void retentionEdge() {
        Times.range("-7d", "now", NOW);
        CliException e = assertThrows(CliException.class, () -> Times.range("-169h", "now", NOW));
        assertTrue(e.getMessage().contains("more than 7 days ago"), e.getMessage());
        WindowPlanner.Window planned = windows(Times.range("-7d", "now", NOW)).get(0);
        Times.Window first = new Times.Window(planned.start(), planned.end());
        assertEquals(
                NOW.minus(WindowPlanner.API_RETENTION).plus(Times.EDGE_MARGIN),
                Times.listable(first, NOW).get().start());
        assertTrue(Times.listable(new Times.Window(NOW.minusSeconds(8 * 86400), NOW.minusSeconds(7 * 86400 + 60)), NOW)
                .isEmpty());
    }
}
