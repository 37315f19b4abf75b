package io.github.auditlake.o365.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Batching, caching, the request budget, Retry-After, permission denial and the time bound of enrichment. */
class EnricherTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    final FakeDirectory dir = new FakeDirectory(clock);

    static String id(int i) {
        return new UUID(0x1111_0000_0000_4000L, 0x8000_0000_0000_0000L + i).toString();
    }

    static String record(String userKey) {
        return "{\"Id\":\"x\",\"UserKey\":\"" + userKey + "\",\"Operation\":\"Op\"}";
    }

    static List<String> records(int from, int n) {
        List<String> r = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            r.add(record(id(i)));
        }
        return r;
    }

    Enricher enricher(EnrichSettings s) {
        return new Enricher(s, dir, clock, () -> clock.millis() * 1_000_000L);
    }

    @Test
    void resolvesEachDistinctGuidOnceInBatchesOfAThousand() {
        for (int i = 0; i < 2500; i++) {
            dir.user(id(i), "u" + i + "@x");
        }
        List<String> recs = new ArrayList<>(records(0, 2500));
        recs.addAll(records(0, 2500)); // every GUID twice in the blob
        List<Enrichment> out = enricher(EnrichSettings.DEFAULTS).enrich(recs);
        assertEquals(
                List.of(1000, 1000, 500), dir.calls.stream().map(List::size).toList());
        assertEquals(5000, out.size());
        assertEquals("u7@x", out.get(2507).objects().get(EnrichField.ACTOR).userPrincipalName());
        assertNull(out.get(7).skipped());
    }

    @Test
    void cachedAndKnownMissingIdsAreNotAskedAgainUntilTheirTtl() {
        dir.user(id(1), "one@x");
        Enricher e = enricher(EnrichSettings.DEFAULTS);
        e.enrich(List.of(record(id(1)), record(id(2))));
        assertEquals(1, dir.calls.size());
        List<Enrichment> again = e.enrich(List.of(record(id(1)), record(id(2))));
        assertEquals(1, dir.calls.size(), "answered by the cache, the unknown id by a negative entry");
        assertEquals("one@x", again.get(0).objects().get(EnrichField.ACTOR).userPrincipalName());
        assertTrue(again.get(1).isEmpty(), "unknown to the directory: nothing attached, nothing skipped");
        assertEquals(2, e.stats().cacheHits());
        clock.advance(EnrichSettings.DEFAULT_NEGATIVE_TTL);
        e.enrich(List.of(record(id(1)), record(id(2))));
        assertEquals(List.of(id(2)), dir.calls.get(1), "the negative entry expired first");
    }

    @Test
    void throttlingMarksRecordsAndHonoursRetryAfter() {
        dir.user(id(1), "one@x");
        dir.failures.add(new DirectoryException(Unenriched.THROTTLED, Duration.ofSeconds(20), "429"));
        Enricher e = enricher(EnrichSettings.DEFAULTS);
        assertEquals(
                Unenriched.THROTTLED, e.enrich(List.of(record(id(1)))).get(0).skipped());
        clock.advance(Duration.ofSeconds(19));
        assertEquals(
                Unenriched.THROTTLED, e.enrich(List.of(record(id(1)))).get(0).skipped());
        assertEquals(1, dir.calls.size(), "no request before Retry-After passed");
        clock.advance(Duration.ofSeconds(1));
        Enrichment ok = e.enrich(List.of(record(id(1)))).get(0);
        assertNull(ok.skipped());
        assertEquals("one@x", ok.objects().get(EnrichField.ACTOR).userPrincipalName());
        assertEquals(2, e.stats().unenriched(Unenriched.THROTTLED));
    }

    @Test
    void aDenialStopsRequestsUntilTheRecheck() {
        dir.failures.add(new DirectoryException(Unenriched.DENIED, null, "403"));
        Enricher e = enricher(EnrichSettings.DEFAULTS);
        assertEquals(Unenriched.DENIED, e.enrich(records(0, 3)).get(2).skipped());
        assertEquals(Unenriched.DENIED, e.enrich(records(0, 3)).get(0).skipped());
        assertEquals(1, dir.calls.size());
        clock.advance(EnrichSettings.DEFAULT_DENIED_RECHECK);
        assertNull(e.enrich(records(0, 3)).get(0).skipped());
        assertEquals(2, dir.calls.size());
        assertEquals(6, e.stats().unenriched(Unenriched.DENIED));
    }

    @Test
    void aSlowDirectoryNeverHoldsABlobBeyondTheBound() {
        dir.serviceTime = Duration.ofSeconds(5);
        Enricher e = enricher(EnrichSettings.DEFAULTS.withTimeout(Duration.ofSeconds(2)));
        Instant start = clock.instant();
        List<Enrichment> out = e.enrich(records(0, 2500));
        assertEquals(2500, out.size(), "every record goes on");
        assertTrue(out.stream().allMatch(x -> x.skipped() == Unenriched.TIMEOUT));
        assertEquals(Duration.ofSeconds(2), Duration.between(start, clock.instant()));
        assertEquals(1, dir.calls.size(), "later batches are not sent once the bound is spent");
        assertEquals(Duration.ofSeconds(2), dir.timeouts.get(0));
    }

    @Test
    void laterBatchesGetOnlyWhatIsLeftOfTheBound() {
        dir.serviceTime = Duration.ofMillis(1500);
        Enricher e = enricher(EnrichSettings.DEFAULTS.withTimeout(Duration.ofSeconds(2)));
        List<Enrichment> out = e.enrich(records(0, 1500));
        assertEquals(List.of(Duration.ofSeconds(2), Duration.ofMillis(500)), dir.timeouts);
        assertNull(out.get(0).skipped());
        assertEquals(Unenriched.TIMEOUT, out.get(1499).skipped());
    }

    @Test
    void theRequestBudgetIsNeverWaitedFor() {
        Enricher e = enricher(EnrichSettings.DEFAULTS.withRequestsPerMinute(2));
        e.enrich(records(0, 1));
        e.enrich(records(1, 1));
        List<Enrichment> out = e.enrich(records(2, 1));
        assertEquals(Unenriched.BUDGET, out.get(0).skipped());
        assertEquals(2, dir.calls.size());
        clock.advance(Duration.ofSeconds(30));
        assertNull(e.enrich(records(2, 1)).get(0).skipped(), "refilled: one request in 30 s at 2 a minute");
    }

    @Test
    void recordsWithoutGuidsAndNonObjectsGetNothing() {
        Enricher e = enricher(EnrichSettings.DEFAULTS);
        List<Enrichment> out = e.enrich(List.of(
                "{\"UserKey\":\"S-1-5-18\"}",
                "[1]",
                "not json",
                "{\"UserKey\":\"00000000-0000-0000-0000-000000000000\"}"));
        assertTrue(out.stream().allMatch(Enrichment::isEmpty));
        assertTrue(dir.calls.isEmpty());
    }

    @Test
    void actorTargetAndGroupAreReadFromTheirFields() {
        String actor = id(1);
        String target = id(2);
        String group = id(3);
        dir.user(actor, "a@x").user(target, "t@x");
        dir.objects.put(group, new DirectoryObject(group, ObjectKind.GROUP, null, "G", null, null, null));
        String rec = "{\"UserKey\":\"1003200\",\"Actor\":[{\"ID\":\"a@x\",\"Type\":5},{\"ID\":\"" + actor.toUpperCase()
                + "\",\"Type\":2}],\"Target\":[{\"ID\":\"" + target + "\",\"Type\":2}],\"AADGroupId\":\"" + group
                + "\"}";
        Enrichment en = enricher(EnrichSettings.DEFAULTS).enrich(List.of(rec)).get(0);
        assertEquals("a@x", en.objects().get(EnrichField.ACTOR).userPrincipalName());
        assertEquals("t@x", en.objects().get(EnrichField.TARGET).userPrincipalName());
        assertEquals("G", en.objects().get(EnrichField.GROUP).displayName());
    }

    @Test
    void onlyConfiguredKindsAreAskedFor() {
        String g = id(3);
        dir.objects.put(g, new DirectoryObject(g, ObjectKind.GROUP, null, "G", null, null, null));
        Enricher e = enricher(EnrichSettings.DEFAULTS.withKinds(java.util.Set.of(ObjectKind.USER)));
        assertFalse(e.enrich(List.of(record(g))).get(0).objects().containsKey(EnrichField.ACTOR));
    }
}
