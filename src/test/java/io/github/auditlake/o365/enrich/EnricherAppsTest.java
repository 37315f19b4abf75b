package io.github.auditlake.o365.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** App ids (ApplicationId / AppId) resolved to service principals with $batch, and TeamGuid looked up as a group. */
class EnricherAppsTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    final FakeDirectory dir = new FakeDirectory(clock);

    static String appId(int i) {
        return new UUID(0x2222_0000_0000_4000L, 0x8000_0000_0000_0000L + i).toString();
    }

    static String spId(int i) {
        return new UUID(0x3333_0000_0000_4000L, 0x8000_0000_0000_0000L + i).toString();
    }

    static String signIn(String appId) {
        return "{\"Id\":\"x\",\"UserKey\":\"10032000AAAA@contoso\",\"ApplicationId\":\"" + appId + "\"}";
    }

    static List<String> signIns(int from, int n) {
        List<String> r = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            r.add(signIn(appId(i)));
        }
        return r;
    }

    Enricher enricher(EnrichSettings s) {
        return new Enricher(s, dir, clock, () -> clock.millis() * 1_000_000L);
    }

    @Test
    void appIdsAreResolvedInBatchesOfTwentyQueriesOfFifteenAndCached() {
        for (int i = 0; i < 650; i++) {
            dir.app(appId(i), spId(i), "App " + i);
        }
        Enricher e = enricher(EnrichSettings.DEFAULTS);
        List<String> recs = new ArrayList<>(signIns(0, 700));
        recs.addAll(signIns(0, 700)); // every app id twice
        List<Enrichment> out = e.enrich(recs);
        assertEquals(
                List.of(300, 300, 100), dir.appCalls.stream().map(List::size).toList());
        assertEquals(0, dir.calls.size(), "no getByIds: these records carry only app ids");
        DirectoryObject o = out.get(707).objects().get(EnrichField.APP);
        assertEquals(spId(7), o.id());
        assertEquals(appId(7), o.appId());
        assertEquals("App 7", o.displayName());
        assertEquals(ObjectKind.SERVICE_PRINCIPAL, o.kind());
        assertNull(out.get(7).skipped());
        assertTrue(out.get(680).isEmpty(), "an app the directory does not know is no failure");
        e.enrich(signIns(0, 700));
        assertEquals(3, dir.appCalls.size(), "found and unknown app ids are answered by the cache");
        assertEquals(3, e.stats().requests(), "3 HTTP requests (of 20 + 20 + 7 queries)");
    }

    @Test
    void appIdIsReadWhenApplicationIdIsAbsentAndEmptyValuesAreIgnored() {
        dir.app(appId(1), spId(1), "Exchange app");
        Enricher e = enricher(EnrichSettings.DEFAULTS);
        List<Enrichment> out = e.enrich(
                List.of("{\"AppId\":\"" + appId(1).toUpperCase() + "\"}", "{\"AppId\":\"\",\"ApplicationId\":\"\"}"));
        assertEquals("Exchange app", out.get(0).objects().get(EnrichField.APP).displayName());
        assertTrue(out.get(1).isEmpty());
        assertEquals(List.of(List.of(appId(1))), dir.appCalls);
    }

    @Test
    void aThrottledQueryInsideABatchMarksOnlyItsAppIdsAndHonoursItsRetryAfter() {
        for (int i = 0; i < 30; i++) {
            dir.app(appId(i), spId(i), "App " + i);
        }
        dir.queryFailures.add(new DirectoryException(Unenriched.THROTTLED, Duration.ofSeconds(60), "429 in batch"));
        Enricher e = enricher(EnrichSettings.DEFAULTS);
        List<Enrichment> out = e.enrich(signIns(0, 30));
        for (int i = 0; i < 15; i++) {
            assertEquals(Unenriched.THROTTLED, out.get(i).skipped(), "query 1's app ids: " + i);
        }
        for (int i = 15; i < 30; i++) {
            assertEquals(spId(i), out.get(i).objects().get(EnrichField.APP).id(), "query 2 answered: " + i);
        }
        clock.advance(Duration.ofSeconds(30));
        List<Enrichment> again = e.enrich(signIns(0, 15));
        assertEquals(1, dir.appCalls.size(), "nothing sent before Retry-After");
        assertTrue(again.stream().allMatch(x -> x.skipped() == Unenriched.THROTTLED));
        clock.advance(Duration.ofSeconds(31));
        List<Enrichment> later = e.enrich(signIns(0, 15));
        assertEquals(2, dir.appCalls.size());
        assertEquals(spId(3), later.get(3).objects().get(EnrichField.APP).id(), "resumed after Retry-After");
    }

    @Test
    void aDeniedBatchStopsEveryLookupUntilTheRecheck() {
        dir.app(appId(1), spId(1), "App");
        dir.failures.add(new DirectoryException(Unenriched.DENIED, null, "403"));
        Enricher e = enricher(EnrichSettings.DEFAULTS);
        assertEquals(
                Unenriched.DENIED, e.enrich(List.of(signIn(appId(1)))).get(0).skipped());
        clock.advance(Duration.ofMinutes(5));
        assertEquals(
                Unenriched.DENIED, e.enrich(List.of(signIn(appId(1)))).get(0).skipped());
        assertEquals(1, dir.appCalls.size());
        clock.advance(Duration.ofMinutes(6));
        assertEquals(
                "App",
                e.enrich(List.of(signIn(appId(1))))
                        .get(0)
                        .objects()
                        .get(EnrichField.APP)
                        .displayName());
    }

    @Test
    void eachQueryOfABatchCountsAgainstTheBudgetAndNothingIsWaitedFor() {
        for (int i = 0; i < 100; i++) {
            dir.app(appId(i), spId(i), "App " + i);
        }
        Enricher e = enricher(EnrichSettings.DEFAULTS.withRequestsPerMinute(5));
        List<Enrichment> out = e.enrich(signIns(0, 100));
        assertEquals(List.of(75), dir.appCalls.stream().map(List::size).toList(), "5 queries of 15 fit the budget");
        assertEquals(spId(74), out.get(74).objects().get(EnrichField.APP).id());
        for (int i = 75; i < 100; i++) {
            assertEquals(Unenriched.BUDGET, out.get(i).skipped());
        }
    }

    @Test
    void withoutServicePrincipalsAmongTheTypesAppIdsAreNotLookedUp() {
        dir.app(appId(1), spId(1), "App");
        Enricher e = enricher(EnrichSettings.DEFAULTS.withKinds(EnumSet.of(ObjectKind.USER, ObjectKind.GROUP)));
        assertTrue(e.enrich(List.of(signIn(appId(1)))).get(0).isEmpty());
        assertEquals(0, dir.appCalls.size());
    }

    @Test
    void aTeamGuidThatIsAGuidIsLookedUpAsAGroupAndAThreadIdIsNot() {
        String group = spId(9);
        dir.objects.put(group, new DirectoryObject(group, ObjectKind.GROUP, null, "Team Nine", null, null, null));
        Enricher e = enricher(EnrichSettings.DEFAULTS);
        List<Enrichment> out = e.enrich(List.of(
                "{\"TeamGuid\":\"" + group + "\"}",
                "{\"TeamGuid\":\"19:8ad83cb367fc48358e759dccff238f46@thread.skype\"}"));
        assertEquals("Team Nine", out.get(0).objects().get(EnrichField.TEAM).displayName());
        assertEquals("group", out.get(0).objects().get(EnrichField.TEAM).kind().graphName());
        assertTrue(out.get(1).isEmpty());
        assertEquals(List.of(List.of(group)), dir.calls);
    }

    @Test
    void anAppIdAndAnObjectIdWithTheSameGuidAreCachedApart() {
        String guid = appId(5);
        dir.app(guid, spId(5), "App five");
        dir.user(guid, "five@x");
        Enricher e = enricher(EnrichSettings.DEFAULTS);
        Enrichment en = e.enrich(List.of("{\"UserKey\":\"" + guid + "\",\"ApplicationId\":\"" + guid + "\"}"))
                .get(0);
        assertEquals("five@x", en.objects().get(EnrichField.ACTOR).userPrincipalName());
        assertEquals("App five", en.objects().get(EnrichField.APP).displayName());
        assertEquals(2, e.cache().size());
    }
}
