package io.github.auditlake.o365.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The directory cache stays within its entry and byte bounds, expires entries, and caches unknown ids. */
class DirectoryCacheTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));

    static DirectoryObject user(long i) {
        String id = new UUID(i, i).toString();
        return new DirectoryObject(
                id, ObjectKind.USER, "user" + i + "@contoso.example", "User " + i, "Sales", "Analyst", null);
    }

    @Test
    void manyDistinctIdsNeverExceedTheByteBound() {
        long maxBytes = 64 * 1024;
        DirectoryCache c = new DirectoryCache(1_000_000, maxBytes, Duration.ofHours(1), Duration.ofMinutes(5), clock);
        for (long i = 0; i < 200_000; i++) {
            if (i % 3 == 0) {
                c.putMissing(new UUID(-i, i).toString());
            } else {
                c.put(user(i));
            }
            assertTrue(c.bytes() <= maxBytes, "bytes " + c.bytes() + " after " + i);
        }
        assertTrue(c.evictions() > 190_000);
        assertTrue(c.size() > 100, "still holds what fits: " + c.size());
    }

    @Test
    void manyDistinctIdsNeverExceedTheEntryBound() {
        DirectoryCache c = new DirectoryCache(100, Long.MAX_VALUE, Duration.ofHours(1), Duration.ofMinutes(5), clock);
        for (long i = 0; i < 10_000; i++) {
            c.put(user(i));
            assertTrue(c.size() <= 100);
        }
        assertEquals(100, c.size());
        assertInstanceOf(DirectoryCache.Hit.class, c.get(user(9_999).id()));
        assertInstanceOf(DirectoryCache.Miss.class, c.get(user(0).id()), "the least recently used left first");
    }

    @Test
    void entriesExpireAfterTheirTtlAndNegativeOnesAfterTheirs() {
        DirectoryCache c = new DirectoryCache(10, 1 << 20, Duration.ofHours(1), Duration.ofMinutes(5), clock);
        c.put(user(1));
        c.putMissing("unknown");
        assertInstanceOf(DirectoryCache.KnownMissing.class, c.get("unknown"));
        clock.advance(Duration.ofMinutes(5));
        assertInstanceOf(DirectoryCache.Miss.class, c.get("unknown"));
        assertInstanceOf(DirectoryCache.Hit.class, c.get(user(1).id()));
        clock.advance(Duration.ofMinutes(55));
        assertInstanceOf(DirectoryCache.Miss.class, c.get(user(1).id()));
        assertEquals(0, c.size());
        assertEquals(0, c.bytes());
    }
}
