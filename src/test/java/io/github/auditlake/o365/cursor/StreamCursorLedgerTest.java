package io.github.auditlake.o365.cursor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.cursor.StreamCursor.LedgerState;
import io.github.auditlake.o365.ledger.BlobDigest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The completeness ledger's fields of the blob in progress: stored with each record, optional in older offsets. */
class StreamCursorLedgerTest {
    static final Instant T = Instant.parse("2026-11-20T10:00:00Z");
    static final Instant LISTED = T.plusSeconds(60);
    static final ContentBlob B = StreamCursorTest.blob("b$2", T.plusSeconds(9));

    static BlobDigest digestOf(String... values) {
        BlobDigest d = new BlobDigest();
        for (String v : values) {
            d.add(v.getBytes(StandardCharsets.UTF_8));
        }
        return d;
    }

    /** A version 2 offset inside blob {@code B}, as the connector wrote it before the ledger existed. */
    static Map<String, Object> offsetBeforeTheLedger() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", 2L);
        m.put("hw", T.toEpochMilli());
        m.put("o", T.minus(Duration.ofHours(1)).toEpochMilli());
        m.put("blob.id", B.contentId());
        m.put("blob.uri", B.contentUri());
        m.put("blob.created", B.contentCreated().toEpochMilli());
        m.put("blob.expires", B.contentExpiration().toEpochMilli());
        m.put("blob.records", 4L);
        m.put("blob.last", "r-3");
        return m;
    }

    @Test
    void theChainOfTheBlobInProgressRoundTripsThroughTheStoredOffset() {
        LedgerState state = new LedgerState(LISTED, 1, digestOf("{\"Id\":\"r-1\"}", "{\"Id\":\"r-2\"}"));
        StreamCursor c = StreamCursor.startingAt(T).withProgress(B, 3, "r-2", state);
        Map<String, Object> offset = c.toOffset();

        assertEquals(LISTED.toEpochMilli(), offset.get(StreamCursor.BLOB_LISTED));
        assertEquals(1L, offset.get(StreamCursor.BLOB_CHAIN_FROM));
        assertEquals(state.chain().hex(), offset.get(StreamCursor.BLOB_CHAIN_SHA));
        assertEquals(2L, offset.get(StreamCursor.BLOB_CHAIN_RECORDS));
        assertEquals((long) state.chain().bytes(), offset.get(StreamCursor.BLOB_CHAIN_BYTES));
        offset.values().forEach(v -> assertTrue(v instanceof String || v instanceof Long, "type of " + v));
        assertEquals(offset.size(), new HashMap<>(offset).size(), "the view's size matches its entries");
        // Connect stores offsets as JSON: integers may come back as Integer from hand edits
        Map<String, Object> asStored = new HashMap<>(offset);
        asStored.put(StreamCursor.BLOB_CHAIN_RECORDS, 2);
        StreamCursor back = StreamCursor.fromOffset(asStored);
        assertEquals(c, back);
        assertEquals(state, back.inProgress().ledger());
        // the resumed chain goes on exactly as the original would
        String next = "{\"Id\":\"r-3\"}";
        assertEquals(
                state.chain().copy().add(next.getBytes(StandardCharsets.UTF_8)).hex(),
                back.inProgress()
                        .ledger()
                        .chain()
                        .copy()
                        .add(next.getBytes(StandardCharsets.UTF_8))
                        .hex());
    }

    @Test
    void anOffsetWrittenBeforeTheLedgerStillReadsWithoutLedgerState() {
        StreamCursor c = StreamCursor.fromOffset(offsetBeforeTheLedger());
        assertEquals(4, c.inProgress().recordsDone());
        assertEquals("r-3", c.inProgress().lastId());
        assertNull(c.inProgress().ledger(), "no chain: the engine starts one at the resumed index");
        assertFalse(c.toOffset().containsKey(StreamCursor.BLOB_CHAIN_SHA), "and writes none back while it is off");
        assertEquals(c, StreamCursor.fromOffset(new HashMap<>(c.toOffset())));
    }

    @Test
    void recordsOfOneBlobShareTheBaseMapWithTheLedgerOn() {
        BlobDigest d = new BlobDigest();
        StreamCursor prev = StreamCursor.startingAt(T);
        Map<String, Object> first = null;
        for (int i = 1; i <= 4; i++) {
            d.add(("{\"Id\":\"r-" + i + "\"}").getBytes(StandardCharsets.UTF_8));
            prev = prev.withProgress(B, i, "r-" + i, new LedgerState(LISTED, 0, d.copy()));
            Map<String, Object> o = prev.toOffset();
            Map<String, Object> base = ((StreamCursor.PositionView) o).base();
            if (first == null) {
                first = base;
            }
            assertTrue(first == base, "record " + i + " shares the blob's base map");
            assertEquals(d.hex(), o.get(StreamCursor.BLOB_CHAIN_SHA), "each record carries the chain after it");
            assertEquals(prev, StreamCursor.fromOffset(new HashMap<>(o)));
        }
    }

    @Test
    void refusesMalformedLedgerFields() {
        Map<String, Object> good = new HashMap<>(offsetBeforeTheLedger());
        good.put(StreamCursor.BLOB_CHAIN_SHA, BlobDigest.EMPTY);
        good.put(StreamCursor.BLOB_CHAIN_RECORDS, 0L);
        good.put(StreamCursor.BLOB_CHAIN_BYTES, 0L);
        good.put(StreamCursor.BLOB_CHAIN_FROM, 4L);
        assertEquals(4, StreamCursor.fromOffset(good).inProgress().ledger().chainFrom());

        assertRefused(good, StreamCursor.BLOB_CHAIN_SHA, "not-hex", "blob.chain.sha");
        assertRefused(good, StreamCursor.BLOB_CHAIN_SHA, "ab", "64 hex digits");
        assertRefused(good, StreamCursor.BLOB_CHAIN_RECORDS, 5L, "blob.chain.records");
        assertRefused(good, StreamCursor.BLOB_CHAIN_FROM, 9L, "blob.chain.from");
        assertRefused(good, StreamCursor.BLOB_CHAIN_BYTES, -1L, "negative");
        assertRefused(good, StreamCursor.BLOB_CHAIN_RECORDS, null, "blob.chain.records");

        Map<String, Object> noSha = new HashMap<>(good);
        noSha.remove(StreamCursor.BLOB_CHAIN_SHA);
        assertThrows(IllegalArgumentException.class, () -> StreamCursor.fromOffset(noSha));

        Map<String, Object> noBlob = new HashMap<>(Map.of("v", 2L, "hw", T.toEpochMilli()));
        noBlob.put(StreamCursor.BLOB_CHAIN_SHA, BlobDigest.EMPTY);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> StreamCursor.fromOffset(noBlob));
        assertTrue(e.getMessage().contains("blob.id"), e.getMessage());
    }

    static void assertRefused(Map<String, Object> good, String key, Object value, String mentions) {
        Map<String, Object> bad = new HashMap<>(good);
        if (value == null) {
            bad.remove(key);
        } else {
            bad.put(key, value);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StreamCursor.fromOffset(bad));
        assertTrue(e.getMessage().contains(mentions), key + "=" + value + ": " + e.getMessage());
    }
}
