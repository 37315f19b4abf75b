package io.github.auditlake.o365.cursor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentBlob;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamCursorTest {
    static final Instant T = Instant.parse("2026-11-20T10:00:00Z");

    static ContentBlob blob(String id, Instant created) {
        return new ContentBlob("Audit.Exchange", id, "https://manage.office.com/x/" + id, created,
                created.plus(Duration.ofDays(7)));
    }

    @Test
    void roundTripsThroughTheStoredOffsetIncludingABlobInProgress() {
        StreamCursor c = StreamCursor.startingAt(T).withBlobDone(blob("a$1", T.plusSeconds(5)))
                .withProgress(blob("b$2", T.plusSeconds(9)), 42);
        Map<String, Object> offset = c.toOffset();
        // Connect stores offsets as JSON: integers come back as Long, or Integer from hand edits
        Map<String, Object> asStored = new HashMap<>(offset);
        asStored.put("v", 1);
        StreamCursor back = StreamCursor.fromOffset(asStored);
        assertEquals(c, back);
        assertEquals(42, back.inProgress().recordsDone());
        assertTrue(back.isDone(blob("a$1", T.plusSeconds(5))));
        assertFalse(back.isDone(blob("b$2", T.plusSeconds(9))));
        offset.values().forEach(v -> assertTrue(v instanceof String || v instanceof Long, "type of " + v));
    }

    @Test
    void acceptsTheMinimalHandWrittenOffset() {
        StreamCursor c = StreamCursor.fromOffset(Map.of("v", 1, "hw", T.toEpochMilli()));
        assertEquals(T, c.highWatermark());
        assertNull(c.inProgress());
    }

    @Test
    void rejectsOffsetsOfOtherVersionsOrShapes() {
        assertThrows(IllegalArgumentException.class, () -> StreamCursor.fromOffset(Map.of("hw", 1L)));
        assertThrows(IllegalArgumentException.class, () -> StreamCursor.fromOffset(Map.of("v", 2, "hw", 1L)));
        assertThrows(IllegalArgumentException.class, () -> StreamCursor.fromOffset(Map.of("v", 1)));
        assertThrows(IllegalArgumentException.class, () -> StreamCursor.fromOffset(Map.of("v", 1, "hw", "x")));
        assertThrows(IllegalArgumentException.class, () -> StreamCursor.fromOffset(Map.of("v", 1, "hw", -5L)));
        assertThrows(IllegalArgumentException.class,
                () -> StreamCursor.fromOffset(Map.of("v", 1, "hw", 1L, "done", "garbage")));
        assertThrows(IllegalArgumentException.class,
                () -> StreamCursor.fromOffset(Map.of("v", 1, "hw", 1L, "blob.records", 3L)));
        assertThrows(IllegalArgumentException.class,
                () -> StreamCursor.fromOffset(Map.of("v", 1, "hw", 1L, "blob.id", "x", "blob.uri", "u")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StreamCursor.fromOffset(Map.of("v", 7, "hw", 1L)));
        assertTrue(e.getMessage().contains("version 7"), e.getMessage());
    }

    @Test
    void forgetsDeliveredBlobsOlderThanTheLateWindowOnceTheWindowIsDone() {
        StreamCursor c = StreamCursor.startingAt(T)
                .withBlobDone(blob("old", T.plus(Duration.ofMinutes(10))))
                .withBlobDone(blob("new", T.plus(Duration.ofMinutes(110))))
                .withWindowDone(T.plus(Duration.ofHours(2)), Duration.ofHours(1));
        assertEquals(T.plus(Duration.ofHours(2)), c.highWatermark());
        assertEquals(1, c.doneCount());
        assertTrue(c.isDone(blob("new", T.plus(Duration.ofMinutes(110)))));
        // the high watermark never moves backwards
        assertEquals(c.highWatermark(), c.withWindowDone(T, Duration.ofHours(1)).highWatermark());
    }
}
