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
        return new ContentBlob(
                "Audit.Exchange", id, "https://manage.office.com/x/" + id, created, created.plus(Duration.ofDays(7)));
    }

    @Test
    void roundTripsThroughTheStoredOffsetIncludingABlobInProgress() {
        StreamCursor c = StreamCursor.startingAt(T)
                .withBlobDone(blob("a$1", T.plusSeconds(5)))
                .withProgress(blob("b$2", T.plusSeconds(9)), 42);
        Map<String, Object> offset = c.toOffset();
        // Connect stores offsets as JSON: integers come back as Long, or Integer from hand edits
        Map<String, Object> asStored = new HashMap<>(offset);
        asStored.put("v", 2);
        StreamCursor back = StreamCursor.fromOffset(asStored);
        assertEquals(c, back);
        assertEquals(42, back.inProgress().recordsDone());
        assertTrue(back.isDone(blob("a$1", T.plusSeconds(5))));
        assertFalse(back.isDone(blob("b$2", T.plusSeconds(9))));
        offset.values().forEach(v -> assertTrue(v instanceof String || v instanceof Long, "type of " + v));
    }

    @Test
    void acceptsTheMinimalHandWrittenOffset() {
        StreamCursor c = StreamCursor.fromOffset(Map.of("v", 2, "hw", T.toEpochMilli()));
        assertEquals(T, c.highWatermark());
        assertNull(c.inProgress());
    }

    @Test
    void rejectsOffsetsOfOtherVersionsOrShapes() {
        assertThrows(IllegalArgumentException.class, () -> StreamCursor.fromOffset(Map.of("hw", 1L)));
        assertThrows(IllegalArgumentException.class, () -> StreamCursor.fromOffset(Map.of("v", 3, "hw", 1L)));
        assertThrows(IllegalArgumentException.class, () -> StreamCursor.fromOffset(Map.of("v", 1)));
        assertThrows(IllegalArgumentException.class, () -> StreamCursor.fromOffset(Map.of("v", 1, "hw", "x")));
        assertThrows(IllegalArgumentException.class, () -> StreamCursor.fromOffset(Map.of("v", 1, "hw", -5L)));
        assertThrows(
                IllegalArgumentException.class,
                () -> StreamCursor.fromOffset(Map.of("v", 1, "hw", 1L, "done", "garbage")));
        assertThrows(
                IllegalArgumentException.class,
                () -> StreamCursor.fromOffset(Map.of("v", 1, "hw", 1L, "blob.records", 3L)));
        assertThrows(
                IllegalArgumentException.class,
                () -> StreamCursor.fromOffset(Map.of("v", 1, "hw", 1L, "blob.id", "x", "blob.uri", "u")));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> StreamCursor.fromOffset(Map.of("v", 7, "hw", 1L)));
        assertTrue(e.getMessage().contains("version 7"), e.getMessage());
    }

    @Test
    void forgetsDeliveredBlobsOnlyByWholeHoursBeforeTheGivenTime() {
        StreamCursor c = StreamCursor.startingAt(T)
                .withBlobDone(blob("old", T.plus(Duration.ofMinutes(10))))
                .withBlobDone(blob("new", T.plus(Duration.ofMinutes(110))))
                .withWindowDone(T.plus(Duration.ofHours(2)))
                .forgettingBefore(T.plus(Duration.ofMinutes(70)));
        assertEquals(T.plus(Duration.ofHours(2)), c.highWatermark());
        assertEquals(1, c.doneCount());
        assertTrue(c.isDone(blob("new", T.plus(Duration.ofMinutes(110)))));
        // the high watermark never moves backwards
        assertEquals(c.highWatermark(), c.withWindowDone(T).highWatermark());
    }

    @Test
    void upgradesAVersion1OffsetKeepingItsDeliveredBlobs() {
        // written by release 0.1: hw, done as created36:base64url(first 64 bits of SHA-256), a blob in progress
        long created = T.plusSeconds(5).toEpochMilli();
        byte[] d;
        try {
            d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest("a$1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        String key = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(d, 8));
        Map<String, Object> v1 = new HashMap<>();
        v1.put("v", 1L);
        v1.put("hw", T.toEpochMilli());
        v1.put("done", Long.toString(created, 36) + ":" + key);
        v1.put("blob.id", "b$2");
        v1.put("blob.uri", "https://manage.office.com/x/b$2");
        v1.put("blob.created", T.plusSeconds(9).toEpochMilli());
        v1.put("blob.records", 42L);
        StreamCursor c = StreamCursor.fromOffset(v1);
        assertTrue(c.isDone(blob("a$1", T.plusSeconds(5))));
        assertFalse(c.isDone(blob("a$1", T.plusSeconds(6))));
        assertEquals(42, c.inProgress().recordsDone());
        assertEquals(2L, c.toOffset().get("v"), "written back as version 2");
        assertEquals(c, StreamCursor.fromOffset(c.toOffset()));
    }

    @Test
    void recordsOfOneBlobShareEverythingButTheirPosition() {
        StreamCursor c = StreamCursor.startingAt(T).withBlobDone(blob("a$1", T.plusSeconds(5)));
        StreamCursor r1 = c.withProgress(blob("b$2", T.plusSeconds(9)), 1, "id-1");
        Map<String, Object> o1 = r1.toOffset();
        StreamCursor r2 = r1.withProgress(blob("b$2", T.plusSeconds(9)), 2, "id-2");
        Map<String, Object> o2 = r2.toOffset();
        assertEquals(1L, o1.get("blob.records"));
        assertEquals("id-2", o2.get("blob.last"));
        assertEquals(new HashMap<>(o2), o2);
        assertEquals(o2.size(), new HashMap<>(o2).size());
        assertEquals(r2, StreamCursor.fromOffset(new HashMap<>(o2)));
    }

    @Test
    void recordsOfOneBlobShareTheBaseMapEvenWhenOffsetsAreAskedForLate() {
        // the stream thread makes cursors ahead of the task thread, which asks for offsets later
        StreamCursor c = StreamCursor.startingAt(T).withBlobDone(blob("a$1", T.plusSeconds(5)));
        ContentBlob b = blob("b$2", T.plusSeconds(9));
        StreamCursor[] rs = new StreamCursor[5];
        StreamCursor prev = c;
        for (int i = 0; i < rs.length; i++) {
            rs[i] = prev.withProgress(b, i + 1, "id-" + (i + 1));
            prev = rs[i];
        }
        Map<String, Object> first = ((StreamCursor.PositionView) rs[4].toOffset()).base();
        for (int i = 0; i < rs.length; i++) {
            Map<String, Object> o = rs[i].toOffset();
            assertTrue(first == ((StreamCursor.PositionView) o).base(), "record " + i + " shares the base map");
            assertEquals((long) i + 1, o.get("blob.records"));
            assertEquals(rs[i], StreamCursor.fromOffset(new HashMap<>(o)), "record " + i + " resumes exactly");
        }
        // the next blob builds its own
        StreamCursor next = rs[4].withBlobDone(b).withProgress(blob("c$3", T.plusSeconds(12)), 1, "x");
        assertFalse(first == ((StreamCursor.PositionView) next.toOffset()).base());
        assertEquals(next, StreamCursor.fromOffset(new HashMap<>(next.toOffset())));
    }

    @Test
    void refusesAHighWatermarkInTheFutureOrBeforeTheApiExisted() {
        Instant now = Instant.parse("2026-11-29T12:00:00Z");
        StreamCursor.fromOffset(Map.of("v", 2, "hw", now.toEpochMilli())).checkPlausible(now, Duration.ofDays(1));
        IllegalArgumentException seconds = assertThrows(
                IllegalArgumentException.class,
                () -> StreamCursor.fromOffset(Map.of("v", 2, "hw", now.getEpochSecond()))
                        .checkPlausible(now, Duration.ofDays(1)));
        assertTrue(seconds.getMessage().contains("did you give seconds"), seconds.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> StreamCursor.fromOffset(Map.of("v", 2, "hw", now.toEpochMilli() * 1000))
                        .checkPlausible(now, Duration.ofDays(1)));
    }

    @Test
    void aBusyTenantsWeekOfDeliveredBlobsFitsWellInsideAnOffsetMessage() {
        // 200 blobs an hour for 7 days: the worst case the coverage allows
        StreamCursor c = StreamCursor.startingAt(T);
        java.util.Random random = new java.util.Random(5);
        int n = 200 * 24 * 7;
        for (int i = 0; i < n; i++) {
            Instant created = T.plusMillis((long) i * 18_000 + random.nextInt(1000));
            c = c.withBlobDone(
                    blob("20261120" + i + "$" + random.nextLong() + "$audit_exchange$Audit_Exchange$na0017", created));
        }
        assertEquals(n, c.doneCount());
        long bytes = 0;
        for (Map.Entry<String, Object> e : c.toOffset().entrySet()) {
            bytes += e.getKey().length() + String.valueOf(e.getValue()).length() + 6;
        }
        System.out.println("offset of " + n + " delivered blobs: " + bytes + " bytes of JSON");
        assertTrue(bytes < 300_000, bytes + " bytes (Connect's offset message limit is 1 MB)");
    }
}
