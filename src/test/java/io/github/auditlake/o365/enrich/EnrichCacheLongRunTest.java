package io.github.auditlake.o365.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A long run through the enricher: 200,000 distinct ids (users, service principals by app id, ids the directory does
 * not know), in blobs of 1,000 records, with repeats and time passing. The cache's estimated bytes never exceed its
 * byte bound, its entries never exceed its entry bound, and its byte accounting never drifts from its entries.
 */
class EnrichCacheLongRunTest {
    static final int DISTINCT = 200_000;
    static final int BLOB = 1_000;

    final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    final FakeDirectory dir = new FakeDirectory(clock);

    static String guid(long kind, long i) {
        return new UUID(0x4444_0000_0000_4000L + (kind << 32), 0x8000_0000_0000_0000L + i).toString();
    }

    /** Record {@code i}: an actor (a user, or unknown one in 5), and one in 3 an app id. */
    static String record(long i) {
        StringBuilder sb = new StringBuilder("{\"Id\":\"").append(i).append("\",\"UserKey\":\"");
        sb.append(guid(1, i)).append('"');
        if (i % 3 == 0) {
            sb.append(",\"ApplicationId\":\"").append(guid(2, i)).append('"');
        }
        return sb.append('}').toString();
    }

    void populate() {
        for (long i = 0; i < DISTINCT; i++) {
            if (i % 5 != 0) {
                dir.user(guid(1, i), "user" + i + "@contoso.example");
            }
            if (i % 3 == 0 && i % 7 != 0) {
                dir.app(guid(2, i), guid(3, i), "App " + i);
            }
        }
    }

    void run(Enricher e, int maxEntries, long maxBytes) {
        DirectoryCache c = e.cache();
        long seen = 0;
        for (long from = 0; from < DISTINCT; from += BLOB) {
            List<String> blob = new ArrayList<>(BLOB + BLOB / 4);
            for (long i = from; i < from + BLOB; i++) {
                blob.add(record(i));
            }
            for (long i = Math.max(0, from - 5_000); i < from - 5_000 + BLOB / 4 && i >= 0; i++) {
                blob.add(record(i)); // repeats of recent ids, some still cached
            }
            e.enrich(blob);
            seen += blob.size();
            clock.advance(Duration.ofSeconds(20)); // 200 blobs: over an hour, so entries expire on the way
            assertTrue(c.bytes() <= maxBytes, "bytes " + c.bytes() + " > " + maxBytes + " after " + seen + " records");
            assertTrue(c.size() <= maxEntries, "entries " + c.size() + " > " + maxEntries);
            assertEquals(c.recountBytes(), c.bytes(), "the byte accounting matches the entries");
        }
        assertTrue(e.stats().cacheMisses() >= DISTINCT, "every distinct id went through the cache");
        assertTrue(c.evictions() > DISTINCT / 2, "the bound was reached and held: " + c.evictions());
    }

    @Test
    void twoHundredThousandDistinctIdsNeverExceedTheByteBound() {
        populate();
        long maxBytes = 1024 * 1024;
        Enricher e = new Enricher(
                EnrichSettings.DEFAULTS.withCache(1_000_000, maxBytes).withRequestsPerMinute(10_000),
                dir,
                clock,
                () -> clock.millis() * 1_000_000L);
        run(e, 1_000_000, maxBytes);
        assertTrue(
                e.cache().bytes() > maxBytes / 2,
                "the cache holds what fits: " + e.cache().bytes());
    }

    @Test
    void twoHundredThousandDistinctIdsNeverExceedTheEntryBound() {
        populate();
        int maxEntries = 5_000;
        Enricher e = new Enricher(
                EnrichSettings.DEFAULTS.withCache(maxEntries, Long.MAX_VALUE).withRequestsPerMinute(10_000),
                dir,
                clock,
                () -> clock.millis() * 1_000_000L);
        run(e, maxEntries, Long.MAX_VALUE);
        assertEquals(maxEntries, e.cache().size(), "the cache holds what fits");
    }
}
