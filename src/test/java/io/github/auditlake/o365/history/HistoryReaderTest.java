package io.github.auditlake.o365.history;

import static io.github.auditlake.o365.history.HistorySimulator.NOW;
import static io.github.auditlake.o365.history.HistorySimulator.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.AuditSearch;
import io.github.auditlake.o365.simulator.RecordedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The history reader against the simulator's audit search, the clock moved by the sleeper (no real waits). */
class HistoryReaderTest {

    HistorySimulator h;

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    private List<HistoryRecord> read(HistorySettings settings, TimeRange range, List<AuditQuery> states)
            throws InterruptedException {
        List<HistoryRecord> out = new ArrayList<>();
        try (AuditSearchApi api = HistoryAccess.create(h.settings())) {
            HistoryReader reader = new HistoryReader(
                    api,
                    settings,
                    new QueryBudget(settings.queriesPerDay(), h.clock),
                    h.clock,
                    h.sleeper,
                    new HistoryReader.Listener() {
                        @Override
                        public void queryState(AuditQuery q) {
                            states.add(q);
                        }
                    },
                    "test");
            long n = reader.read(range, out::add);
            assertEquals(out.size(), n);
        }
        return out;
    }

    private static List<String> ids(List<HistoryRecord> records) {
        return records.stream().map(HistoryRecord::id).toList();
    }

    private static Map<String, Integer> counts(List<String> ids) {
        Map<String, Integer> m = new HashMap<>();
        ids.forEach(id -> m.merge(id, 1, Integer::sum));
        return m;
    }

    @Test
    void readsThirtyDaysExactlyOnceInTimeOrder() throws Exception {
        h = new HistorySimulator();
        TimeRange range = new TimeRange(NOW.minus(Duration.ofDays(30)), NOW.minus(Duration.ofDays(7)));
        List<AuditQuery> states = new ArrayList<>();
        List<HistoryRecord> got = read(HistorySettings.DEFAULTS, range, states);
        List<String> expected = h.sim.auditSearch().recordIds(TENANT, range.from(), range.to());
        assertEquals(counts(expected), counts(ids(got)), "every record exactly once");
        for (int i = 1; i < got.size(); i++) {
            assertTrue(!got.get(i).created().isBefore(got.get(i - 1).created()), "time order at " + i);
        }
        assertTrue(states.stream().anyMatch(q -> q.status() == QueryStatus.NOT_STARTED), "states reported");
        assertTrue(states.stream().anyMatch(q -> q.status() == QueryStatus.SUCCEEDED));
        // ten one-day queries ahead at first; then, seeing far fewer records than the limit, longer slices
        int queries = h.sim.auditSearch().queries().size();
        assertTrue(queries > 10 && queries < 23, "queries: " + queries);
    }

    @Test
    void aQueryOverTheRecordLimitIsSplitAndNothingIsLost() throws Exception {
        h = new HistorySimulator();
        h.sim.auditSearch().recordLimit(100);
        TimeRange range = new TimeRange(NOW.minus(Duration.ofDays(12)), NOW.minus(Duration.ofDays(10)));
        List<HistoryRecord> got = read(HistorySettings.DEFAULTS, range, new ArrayList<>());
        List<String> expected = h.sim.auditSearch().recordIds(TENANT, range.from(), range.to());
        assertTrue(expected.size() > 300, "well over the limit: " + expected.size());
        assertEquals(counts(expected), counts(ids(got)));
        assertTrue(
                h.sim.auditSearch().queries().size() > 6,
                "split: " + h.sim.auditSearch().queries().size());
    }

    @Test
    void aTruncatedResultIsSplitEvenWithoutTheLimitFlag() throws Exception {
        h = new HistorySimulator();
        // beta and v1.0 before 2026: no isRecordCountLimitExceeded, only a count that reached the limit
        h.sim.auditSearch().recordLimit(100).limitFlag(false);
        TimeRange range = new TimeRange(NOW.minus(Duration.ofDays(12)), NOW.minus(Duration.ofDays(10)));
        List<HistoryRecord> got = read(HistorySettings.DEFAULTS, range, new ArrayList<>());
        List<String> expected = h.sim.auditSearch().recordIds(TENANT, range.from(), range.to());
        assertTrue(expected.size() > 300, "well over the limit: " + expected.size());
        assertEquals(counts(expected), counts(ids(got)));
    }

    @Test
    void aLongThrottlingWhileReadingRecordsWaitsAndLosesNothing() throws Exception {
        h = new HistorySimulator();
        // longer than the client's own retries allow in total: the reader itself waits and asks for the same page
        h.sim.auditSearch().throttleRecordsNext(3, Duration.ofMinutes(20));
        TimeRange range = new TimeRange(NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(9)));
        List<HistoryRecord> got = read(HistorySettings.DEFAULTS, range, new ArrayList<>());
        assertEquals(counts(h.sim.auditSearch().recordIds(TENANT, range.from(), range.to())), counts(ids(got)));
        assertTrue(
                h.sleeps.stream().filter(d -> d.equals(Duration.ofMinutes(20))).count() >= 1, h.sleeps.toString());
    }

    @Test
    void whenV1AnswersNotFoundTheBetaPathServes() throws Exception {
        h = new HistorySimulator();
        h.sim.auditSearch().v1Withdrawn(true);
        TimeRange range = new TimeRange(NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(9)));
        List<HistoryRecord> got = read(HistorySettings.DEFAULTS, range, new ArrayList<>());
        assertEquals(counts(h.sim.auditSearch().recordIds(TENANT, range.from(), range.to())), counts(ids(got)));
        assertTrue(
                h.sim.requests().stream().anyMatch(r -> r.path().startsWith("/beta/security/auditLog/auditLogQueries")),
                "read through beta");
    }

    @Test
    void aQueryTheServiceLosesOrNeverEndsIsSubmittedAgain() throws Exception {
        h = new HistorySimulator();
        h.sim.auditSearch().loseNext(1);
        TimeRange range = new TimeRange(NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(9)));
        List<HistoryRecord> got = read(HistorySettings.DEFAULTS, range, new ArrayList<>());
        assertEquals(counts(h.sim.auditSearch().recordIds(TENANT, range.from(), range.to())), counts(ids(got)));
        assertEquals(2, h.sim.auditSearch().queries().size(), "lost (404), then one that ends");

        h.sim.auditSearch().stallNext(1);
        TimeRange later = new TimeRange(NOW.minus(Duration.ofDays(9)), NOW.minus(Duration.ofDays(8)));
        got = read(HistorySettings.DEFAULTS, later, new ArrayList<>());
        assertEquals(counts(h.sim.auditSearch().recordIds(TENANT, later.from(), later.to())), counts(ids(got)));
        List<AuditSearch.Query> qs = h.sim.auditSearch().queries();
        assertEquals(4, qs.size(), "stalled, then one that ends");
        assertTrue(
                !qs.get(3).created().isBefore(qs.get(2).created().plus(HistorySettings.DEFAULTS.queryTimeout())),
                "the stalled one given up after the timeout: "
                        + qs.stream().map(AuditSearch.Query::created).toList());
    }

    @Test
    void failedAndCancelledQueriesAreSubmittedAgain() throws Exception {
        h = new HistorySimulator();
        h.sim.auditSearch().failNext(1).cancelNext(1);
        TimeRange range = new TimeRange(NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(9)));
        List<AuditQuery> states = new ArrayList<>();
        List<HistoryRecord> got = read(HistorySettings.DEFAULTS, range, states);
        assertEquals(counts(h.sim.auditSearch().recordIds(TENANT, range.from(), range.to())), counts(ids(got)));
        assertEquals(3, h.sim.auditSearch().queries().size());
        assertTrue(states.stream().anyMatch(q -> q.status() == QueryStatus.FAILED));
        assertTrue(states.stream().anyMatch(q -> q.status() == QueryStatus.CANCELLED));
    }

    @Test
    void aRangeThatKeepsFailingIsAnError() {
        h = new HistorySimulator();
        h.sim.auditSearch().failNext(5);
        TimeRange range = new TimeRange(NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(9)));
        ApiException e =
                assertThrows(ApiException.class, () -> read(HistorySettings.DEFAULTS, range, new ArrayList<>()));
        assertEquals(ErrorKind.PERMANENT, e.kind());
        assertEquals(3, h.sim.auditSearch().queries().size());
    }

    @Test
    void throttlingIsHonouredWithItsRetryAfter() throws Exception {
        h = new HistorySimulator();
        h.sim.auditSearch().throttleNext(2, Duration.ofSeconds(17));
        TimeRange range = new TimeRange(NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(9)));
        List<HistoryRecord> got = read(HistorySettings.DEFAULTS, range, new ArrayList<>());
        assertEquals(counts(h.sim.auditSearch().recordIds(TENANT, range.from(), range.to())), counts(ids(got)));
        assertEquals(
                2,
                h.sleeps.stream().filter(d -> d.equals(Duration.ofSeconds(17))).count(),
                h.sleeps.toString());
    }

    @Test
    void submissionsArePacedWithinTheDailyBudget() throws Exception {
        h = new HistorySimulator();
        TimeRange range = new TimeRange(NOW.minus(Duration.ofDays(20)), NOW.minus(Duration.ofDays(16)));
        List<HistoryRecord> got = read(HistorySettings.DEFAULTS.withQueriesPerDay(2), range, new ArrayList<>());
        assertEquals(counts(h.sim.auditSearch().recordIds(TENANT, range.from(), range.to())), counts(ids(got)));
        List<Instant> submitted =
                h.sim.auditSearch().queries().stream().map(q -> q.created()).toList();
        assertEquals(4, submitted.size());
        // four queries at two a day: the third waits a day for the first to leave the window, the fourth for the second
        assertTrue(!submitted.get(2).isBefore(submitted.get(0).plus(Duration.ofDays(1))), submitted.toString());
        assertTrue(!submitted.get(3).isBefore(submitted.get(1).plus(Duration.ofDays(1))), submitted.toString());
        assertTrue(submitted.get(1).isBefore(submitted.get(0).plus(Duration.ofHours(1))), submitted.toString());
    }

    @Test
    void statesArePolledWithBackoff() throws Exception {
        h = new HistorySimulator();
        h.sim.auditSearch().runTime(Duration.ofMinutes(30), Duration.ZERO);
        TimeRange range = new TimeRange(NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(9)));
        read(HistorySettings.DEFAULTS, range, new ArrayList<>());
        long polls = h.sim.requests().stream()
                .filter(r -> r.method().equals("GET") && r.path().matches(".*/queries/[^/]+"))
                .count();
        // 30 minutes at 5 s, 10 s, 20 s ... capped at 2 min: about 20 reads, not the 360 of a fixed 5 s
        assertTrue(polls > 3 && polls < 30, "polls: " + polls);
    }

    @Test
    void missingPermissionIsAPermanentErrorNamingIt() {
        h = new HistorySimulator(AppSpec.of(HistorySimulator.CLIENT)
                .secret(HistorySimulator.SECRET)
                .roles(AppSpec.ROLE_READ, AppSpec.ROLE_READ_DLP));
        TimeRange range = new TimeRange(NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(9)));
        ApiException e =
                assertThrows(ApiException.class, () -> read(HistorySettings.DEFAULTS, range, new ArrayList<>()));
        assertEquals(ErrorKind.PERMANENT, e.kind());
        assertEquals(403, e.httpStatus());
        assertTrue(e.getMessage().contains("AuditLogsQuery.Read.All"), e.getMessage());
    }

    @Test
    void oneSignInServesBothResourcesEachTokenCachedApart() throws Exception {
        h = new HistorySimulator();
        TimeRange range = new TimeRange(
                NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(9)).minusSeconds(1));
        read(HistorySettings.DEFAULTS, range, new ArrayList<>());
        try (var mgmt = io.github.auditlake.o365.client.ManagementApis.create(h.settings())) {
            mgmt.listSubscriptions();
            mgmt.listSubscriptions();
        }
        List<RecordedRequest> signIns = h.sim.requests().stream()
                .filter(r -> r.path().contains("/oauth2/"))
                .toList();
        long graphCalls = h.sim.requests().stream()
                .filter(r -> r.path().contains("/security/auditLog/"))
                .count();
        assertTrue(graphCalls >= 3, "create, state, records");
        // one token for Graph (the clock moved less than the token's life) and one for the Management API
        assertEquals(2, signIns.size(), signIns.toString());
    }
}
