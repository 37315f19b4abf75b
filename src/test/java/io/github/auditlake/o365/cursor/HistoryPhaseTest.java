package io.github.auditlake.o365.cursor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The history fields of the offset ({@code h.*}): optional, typed, and kept by every cursor change. */
class HistoryPhaseTest {
    static final Instant SEAM = Instant.parse("2026-11-13T12:45:00Z");
    static final Instant START = SEAM.minus(Duration.ofDays(23));

    @Test
    void anOffsetWithoutHistoryFieldsStillReadsAndHasNoHistory() {
        StreamCursor c = StreamCursor.fromOffset(Map.of("v", 2, "hw", SEAM.toEpochMilli(), "o", 1L));
        assertNull(c.history());
        assertFalse(c.toOffset().keySet().stream().anyMatch(k -> k.startsWith("h.")));
    }

    @Test
    void historyFieldsRoundTripThroughTheStoredOffsetAndSurviveCursorChanges() {
        HistoryPhase h = HistoryPhase.begin(START, SEAM)
                .withDone(START.plus(Duration.ofDays(2)), HistoryPhase.encode("id-1") + HistoryPhase.encode("id-2"));
        StreamCursor c = StreamCursor.startingAtSeam(SEAM.plus(Duration.ofHours(1)), SEAM, h);
        Map<String, Object> asStored = new HashMap<>(c.toOffset());
        asStored.put(HistoryPhase.START, START.toEpochMilli()); // a Long
        asStored.put("v", 2); // Integer from a hand edit
        StreamCursor back = StreamCursor.fromOffset(asStored);
        assertEquals(c, back);
        assertEquals(START.plus(Duration.ofDays(2)), back.history().done());
        assertTrue(back.history().active());
        assertEquals(2, back.history().idCount());
        c.toOffset().values().forEach(v -> assertTrue(v instanceof String || v instanceof Long, "type of " + v));
        // live progress keeps the history state (the seam Ids are needed by the first blobs after the seam)
        StreamCursor later = back.withWindowDone(SEAM.plus(Duration.ofHours(2)))
                .withSwept(true, SEAM.plus(Duration.ofHours(2)))
                .forgettingBefore(SEAM);
        assertEquals(back.history(), later.history());
    }

    @Test
    void aLiveRecordIsMatchedByIdOnlyWhenCreatedBeforeTheSeam() {
        HistoryPhase h = HistoryPhase.begin(START, SEAM).withDone(SEAM, HistoryPhase.encode("near"));
        assertTrue(h.deliveredByHistory("near", SEAM.minusSeconds(20)));
        assertTrue(h.deliveredByHistory("near", null), "an unreadable time: matched by Id");
        assertFalse(h.deliveredByHistory("near", SEAM), "created at the seam: the live part's alone");
        assertFalse(h.deliveredByHistory("other", SEAM.minusSeconds(20)), "not delivered by history: delivered");
        assertTrue(h.nearSeam(SEAM.minus(Duration.ofMinutes(119))));
        assertFalse(h.nearSeam(SEAM.minus(Duration.ofMinutes(121))));
        assertFalse(h.withoutIds().deliveredByHistory("near", SEAM.minusSeconds(20)));
    }

    @Test
    void malformedHistoryFieldsAreRefusedNamingTheField() {
        Map<String, Object> partial = new HashMap<>(Map.of("v", 2L, "hw", SEAM.toEpochMilli(), HistoryPhase.DONE, 5L));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> StreamCursor.fromOffset(partial));
        assertTrue(e.getMessage().contains("h.start"), e.getMessage());
        Map<String, Object> backwards = new HashMap<>(Map.of(
                "v",
                2L,
                "hw",
                SEAM.toEpochMilli(),
                HistoryPhase.START,
                10L,
                HistoryPhase.DONE,
                20L,
                HistoryPhase.SEAM,
                15L));
        assertThrows(IllegalArgumentException.class, () -> StreamCursor.fromOffset(backwards));
        Map<String, Object> badIds = new HashMap<>(Map.of(
                "v",
                2L,
                "hw",
                SEAM.toEpochMilli(),
                HistoryPhase.START,
                10L,
                HistoryPhase.DONE,
                10L,
                HistoryPhase.SEAM,
                15L,
                HistoryPhase.IDS,
                "abc"));
        assertThrows(IllegalArgumentException.class, () -> StreamCursor.fromOffset(badIds));
    }
}
