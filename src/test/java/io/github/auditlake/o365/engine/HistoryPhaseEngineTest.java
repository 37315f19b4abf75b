package io.github.auditlake.o365.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cursor.HistoryPhase;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.history.AuditQuery;
import io.github.auditlake.o365.history.AuditSearchApi;
import io.github.auditlake.o365.history.HistoryRecord;
import io.github.auditlake.o365.history.HistorySettings;
import io.github.auditlake.o365.history.QueryBudget;
import io.github.auditlake.o365.history.QueryStatus;
import io.github.auditlake.o365.history.RecordPage;
import io.github.auditlake.o365.history.TimeRange;
import io.github.auditlake.o365.metrics.EngineMetrics;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import io.github.auditlake.o365.testkit.FakeManagementApi.FakeBlob;
import io.github.auditlake.o365.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The history phase ({@code o365.history.start}) in simulated time: a new stream reads 30 days through audit search,
 * then the Management API from the seam, every record once; a restart at a range boundary resumes without
 * duplicates; a query at its record limit is split; a stream with a stored position never reads history.
 */
class HistoryPhaseEngineTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final StreamId EXCHANGE = new StreamId(TENANT, ContentType.EXCHANGE);

    final ManualClock truth = new ManualClock(NOW);
    final FakeManagementApi api = new FakeManagementApi(TENANT, truth);
    final FakeAuditSearch search = new FakeAuditSearch();
    final List<CollectionEngine> engines = new ArrayList<>();
    /** Every Exchange record the tenant made (by Management API blob), and the Audit.General ones of audit search. */
    final List<String> exchangeIds = new ArrayList<>();

    final List<String> generalIds = new ArrayList<>();

    @AfterEach
    void close() {
        engines.forEach(CollectionEngine::close);
    }

    /** Audit search over every record of the fake Management API's blobs, plus Audit.General records. */
    final class FakeAuditSearch implements AuditSearchApi {
        final List<HistoryRecord> records = new ArrayList<>();
        final Map<String, TimeRange> queries = new HashMap<>();
        final AtomicInteger submitted = new AtomicInteger();
        final AtomicInteger limitHits = new AtomicInteger();
        volatile int limit = Integer.MAX_VALUE;
        /** The query whose records break off after their first page (a permanent refusal), or null. */
        volatile String brokenQuery;

        synchronized void add(HistoryRecord r) {
            records.add(r);
        }

        synchronized List<HistoryRecord> in(TimeRange range) {
            return records.stream().filter(r -> range.contains(r.created())).toList();
        }

        @Override
        public synchronized AuditQuery submit(TimeRange range, String displayName) {
            String id = "q" + submitted.incrementAndGet();
            queries.put(id, range);
            return new AuditQuery(
                    id, range, QueryStatus.NOT_STARTED, OptionalLong.empty(), OptionalLong.empty(), false);
        }

        @Override
        public synchronized AuditQuery query(String id, TimeRange range) {
            int n = in(queries.get(id)).size();
            boolean over = n > limit;
            if (over) {
                limitHits.incrementAndGet();
            }
            return new AuditQuery(
                    id,
                    range,
                    QueryStatus.SUCCEEDED,
                    OptionalLong.of(Math.min(n, limit)),
                    limit == Integer.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(limit),
                    over);
        }

        @Override
        public synchronized RecordPage records(String id) {
            // the service's order is not time order: newest first
            List<HistoryRecord> r = new ArrayList<>(in(queries.get(id)));
            java.util.Collections.reverse(r);
            if (id.equals(brokenQuery)) {
                return new RecordPage(r.subList(0, r.size() / 2), Optional.of("next-" + id));
            }
            return new RecordPage(r, Optional.empty());
        }

        @Override
        public RecordPage page(String nextLink) {
            if (brokenQuery != null && nextLink.equals("next-" + brokenQuery)) {
                throw new io.github.auditlake.o365.api.ApiException(
                        io.github.auditlake.o365.api.ErrorKind.PERMANENT, "Audit search refused the next page");
            }
            throw new AssertionError("no next page");
        }
    }

    /**
     * Blobs of 3 Exchange records every 10 minutes from 30 days back (the history start, placed a few seconds after
     * NOW, less 30 days) to an hour ahead; audit search holds them all.
     */
    void tenant() {
        for (Instant t = NOW.minus(Duration.ofDays(30)).plus(Duration.ofMinutes(10));
                t.isBefore(NOW.plus(Duration.ofHours(1)));
                t = t.plus(Duration.ofMinutes(10))) {
            FakeBlob b = api.addBlob(ContentType.EXCHANGE, t, t, 3);
            for (int i = 0; i < b.json().size(); i++) {
                String id = b.recordIds().get(i);
                exchangeIds.add(id);
                search.add(new HistoryRecord(
                        id, t.minusSeconds(30), b.json().get(i), 2, "Exchange", ContentType.EXCHANGE));
            }
        }
        // blobs created just after the seam (NOW - 7 d + 15 min of the API's margin + 30 min) carry records created
        // 30 s earlier, before it: audit search has them too
        Instant seam = NOW.minus(Duration.ofDays(7)).plus(Duration.ofMinutes(45));
        for (int s : new int[] {10, 20, 25}) {
            Instant t = seam.plusSeconds(s);
            FakeBlob b = api.addBlob(ContentType.EXCHANGE, t, t, 3);
            for (int i = 0; i < b.json().size(); i++) {
                exchangeIds.add(b.recordIds().get(i));
                search.add(new HistoryRecord(
                        b.recordIds().get(i),
                        t.minusSeconds(30),
                        b.json().get(i),
                        2,
                        "Exchange",
                        ContentType.EXCHANGE));
            }
        }
        for (Instant t = NOW.minus(Duration.ofDays(30));
                t.isBefore(NOW.minus(Duration.ofDays(7)));
                t = t.plus(Duration.ofHours(1))) {
            String id = "general-" + t.toEpochMilli();
            generalIds.add(id);
            search.add(new HistoryRecord(
                    id,
                    t,
                    "{\"Id\":\"" + id + "\",\"CreationTime\":\"" + LocalDateTime.ofInstant(t, java.time.ZoneOffset.UTC)
                            + "\",\"RecordType\":25,\"Workload\":\"MicrosoftTeams\"}",
                    25,
                    "MicrosoftTeams",
                    ContentType.GENERAL));
        }
    }

    CollectionEngine engine(Map<StreamId, StreamCursor> positions, EngineMetrics metrics) {
        return engine(positions, metrics, true);
    }

    CollectionEngine engine(Map<StreamId, StreamCursor> positions, EngineMetrics metrics, boolean historyOn) {
        CollectionEngine e = new CollectionEngine(
                List.of(EXCHANGE),
                t -> api,
                positions,
                StragglerDelayTest.defaults(),
                truth,
                truth.waitingSleeper(),
                new Random(3),
                metrics);
        QueryBudget budget = new QueryBudget(HistorySettings.DEFAULT_QUERIES_PER_DAY, truth);
        if (historyOn) {
            e.readHistoryWith(new HistorySource(
                    now -> now.minus(Duration.ofDays(30)), t -> search, t -> budget, HistorySettings.DEFAULTS));
        }
        engines.add(e);
        e.start();
        return e;
    }

    /**
     * Runs the engine until {@code until} (or {@code stop} says so), advancing the clock 15 s whenever the stream is
     * asleep, and returns the events it handed over, in order.
     */
    List<Emission.Event> run(CollectionEngine e, Instant until, Predicate<List<Emission.Event>> stop) throws Exception {
        List<Emission.Event> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        while (truth.instant().isBefore(until) && !stop.test(out)) {
            assertTrue(System.nanoTime() < deadline, "timed out at " + truth.instant());
            take(e, out, Duration.ofMillis(1));
            if (truth.sleepers() > 0) {
                take(e, out, Duration.ZERO);
                if (stop.test(out)) {
                    break;
                }
                truth.advance(Duration.ofSeconds(15));
            }
        }
        return out;
    }

    static void take(CollectionEngine e, List<Emission.Event> into, Duration wait) throws Exception {
        for (Emission m : e.poll(wait, 10_000)) {
            if (m instanceof Emission.Event ev) {
                into.add(ev);
            }
        }
    }

    static Map<String, Integer> counts(List<Emission.Event> events) {
        Map<String, Integer> m = new HashMap<>();
        events.forEach(ev -> m.merge(ev.record().id(), 1, Integer::sum));
        return m;
    }

    /** The Exchange records created before {@code until}'s listing reach (created up to 10 minutes before it). */
    List<String> expected(Instant until) {
        return exchangeIds.stream()
                .filter(id -> Long.parseLong(id.substring(0, id.indexOf('$')))
                        < until.minus(Duration.ofMinutes(10)).toEpochMilli())
                .toList();
    }

    static void assertEachOnce(List<String> expected, Map<String, Integer> got) {
        long missing = expected.stream().filter(id -> !got.containsKey(id)).count();
        long twice = got.values().stream().filter(n -> n > 1).count();
        assertEquals(
                "missing 0, twice 0",
                "missing " + missing + ", twice " + twice,
                expected.stream().filter(id -> !got.containsKey(id)).limit(3).toList()::toString);
    }

    @Test
    void aNewStreamReadsThirtyDaysOfHistoryThenTheManagementApiEachRecordOnceAcrossTheSeam() throws Exception {
        tenant();
        EngineMetrics metrics = new EngineMetrics();
        CollectionEngine e = engine(Map.of(), metrics);
        Instant until = NOW.plus(Duration.ofMinutes(40));

        List<Emission.Event> events = run(e, until, x -> false);

        assertEachOnce(expected(until), counts(events));
        assertTrue(generalIds.stream().noneMatch(counts(events)::containsKey), "Audit.General is another stream's");
        // history first, in time order of ranges, then the live part: no live record before the last history one
        int lastHistory = -1;
        int firstLive = -1;
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).fromAuditSearch()) {
                lastHistory = i;
            } else if (firstLive < 0) {
                firstLive = i;
            }
        }
        assertTrue(lastHistory > 0 && firstLive > lastHistory, "history, then live: " + lastHistory + "/" + firstLive);
        // records are the live ones: the same JSON text, key, creation time
        Emission.Event h = events.get(0);
        assertTrue(h.fromAuditSearch());
        assertEquals("MailItemsAccessed", h.record().operation());
        assertNotNull(h.record().creationTime());
        HistoryPhase done = events.get(events.size() - 1).cursorAfter().history();
        assertFalse(done.active(), "the history phase is over: " + done);
        Instant seam = done.seam();
        // the seam: blobs created in its first 30 s carry records created before it, which history delivered
        long straddling = events.stream()
                .filter(ev -> !ev.fromAuditSearch())
                .filter(ev -> ev.blob().contentCreated().isBefore(seam.plusSeconds(30)))
                .count();
        assertEquals(0, straddling, "records history delivered are not delivered again by the live part");
        assertTrue(metrics.historySeamDuplicates.sum() > 0, "some live records were matched at the seam by Id");
        assertTrue(metrics.historyRecords.sum() > 9000);
    }

    @Test
    void aRestartAtARangeBoundaryResumesWithoutDuplicatesAndTheOffsetRoundTrips() throws Exception {
        tenant();
        CollectionEngine first = engine(Map.of(), new EngineMetrics());
        // stop after the fourth range's end: what a transaction committed (connector boundaries end at range ends)
        List<Emission.Event> before = run(
                first,
                NOW.plus(Duration.ofHours(1)),
                x -> x.stream()
                                .filter(ev -> ev.fromAuditSearch() && ev.blobEnd())
                                .count()
                        >= 4);
        first.close();
        int lastEnd = -1;
        for (int i = 0; i < before.size(); i++) {
            if (before.get(i).fromAuditSearch() && before.get(i).blobEnd()) {
                lastEnd = i;
            }
        }
        List<Emission.Event> committed = before.subList(0, lastEnd + 1);
        StreamCursor at = committed.get(lastEnd).cursorAfter();
        assertTrue(at.history().active(), "still inside history");
        // the offset as Connect stores it, read back as the task reads it
        StreamCursor stored = StreamCursor.fromOffset(at.toOffset());
        assertEquals(at, stored);

        EngineMetrics metrics = new EngineMetrics();
        CollectionEngine second = engine(Map.of(EXCHANGE, stored), metrics);
        Instant until = truth.instant().plus(Duration.ofMinutes(40));
        List<Emission.Event> after = run(second, until, x -> false);

        List<Emission.Event> all = new ArrayList<>(committed);
        all.addAll(after);
        assertEachOnce(expected(until), counts(all));
        assertTrue(after.get(0).fromAuditSearch(), "the restarted stream goes on with history");
        assertEquals(at.history().done(), after.get(0).blob().contentCreated(), "from the committed range's end");
    }

    @Test
    void aQueryAtItsRecordLimitIsSplitAndNothingIsLost() throws Exception {
        tenant();
        search.limit = 300; // a day holds 432 Exchange and 24 General records
        CollectionEngine e = engine(Map.of(), new EngineMetrics());
        Instant until = NOW.plus(Duration.ofMinutes(40));

        List<Emission.Event> events = run(e, until, x -> false);

        assertTrue(search.limitHits.get() > 0, "a query hit the limit");
        assertEachOnce(expected(until), counts(events));
    }

    @Test
    void aStreamWithAStoredPositionNeverReadsHistory() throws Exception {
        tenant();
        CollectionEngine e =
                engine(Map.of(EXCHANGE, StreamCursor.startingAt(NOW.minus(Duration.ofHours(2)))), new EngineMetrics());
        List<Emission.Event> events = run(e, NOW.plus(Duration.ofMinutes(20)), x -> false);

        assertTrue(events.size() > 10);
        assertEquals(0, search.submitted.get());
        assertTrue(events.stream().noneMatch(Emission.Event::fromAuditSearch));
        assertNull(events.get(0).cursorAfter().history());
    }

    /**
     * {@code o365.history.start} cleared while a stream had history left (its stored position inside the phase): the
     * rest is not read, and the skip is logged, counted and published once (a {@code HistoryGap} with the range, carrying
     * the position with the phase over); the live part goes on from the seam, and a later start publishes nothing.
     */
    @Test
    void aHistoryStartClearedMidPhaseSkipsTheRestCountedAndPublishedOnce() throws Exception {
        tenant();
        CollectionEngine first = engine(Map.of(), new EngineMetrics());
        List<Emission.Event> before = run(
                first,
                NOW.plus(Duration.ofHours(1)),
                x -> x.stream()
                                .filter(ev -> ev.fromAuditSearch() && ev.blobEnd())
                                .count()
                        >= 2);
        first.close();
        StreamCursor at = before.stream()
                .filter(ev -> ev.fromAuditSearch() && ev.blobEnd())
                .reduce((a, b) -> b)
                .orElseThrow()
                .cursorAfter();
        assertTrue(at.history().active(), "stored inside history");
        int submitted = search.submitted.get();

        EngineMetrics metrics = new EngineMetrics();
        CollectionEngine second = engine(Map.of(EXCHANGE, at), metrics, false);
        List<Emission> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (out.stream().filter(m -> m instanceof Emission.Event).count() < 20) {
            assertTrue(System.nanoTime() < deadline, "timed out: " + out.size());
            out.addAll(second.poll(Duration.ofMillis(1), 10_000));
            if (truth.sleepers() > 0) {
                out.addAll(second.poll(Duration.ZERO, 10_000));
                truth.advance(Duration.ofSeconds(15));
            }
        }
        List<Emission.HistoryGap> gaps = out.stream()
                .filter(m -> m instanceof Emission.HistoryGap)
                .map(m -> (Emission.HistoryGap) m)
                .toList();
        assertEquals(1, gaps.size(), "one gap published");
        Emission.HistoryGap gap = gaps.get(0);
        assertTrue(out.get(0) instanceof Emission.HistoryGap, "before anything live");
        assertEquals(at.history().done(), gap.from());
        assertEquals(at.history().seam(), gap.to());
        assertTrue(gap.reason().contains("o365.history.start"), gap.reason());
        assertFalse(gap.cursorAfter().history().active(), "the phase is over in the position it carries");
        assertEquals(1, metrics.historyGapsSkipped.sum());
        assertEquals(submitted, search.submitted.get(), "no query once the start is cleared");
        assertTrue(out.stream()
                .filter(m -> m instanceof Emission.Event)
                .map(m -> (Emission.Event) m)
                .noneMatch(
                        ev -> ev.fromAuditSearch() || ev.blob().contentCreated().isBefore(gap.to())));
        second.close();

        // a restart from the position after the gap publishes nothing more
        EngineMetrics again = new EngineMetrics();
        CollectionEngine third = engine(Map.of(EXCHANGE, gap.cursorAfter()), again, false);
        run(third, truth.instant().plus(Duration.ofMinutes(5)), x -> false);
        assertEquals(0, again.historyGapsSkipped.sum());
    }

    /** The stream is {@code history} on the health topic while it reads history, then collecting or caught up. */
    @Test
    void theHistoryPhaseReportsTheHistoryStateThenTheLivePartItsOwn() throws Exception {
        tenant();
        io.github.auditlake.o365.engine.health.HealthMonitor health =
                new io.github.auditlake.o365.engine.health.HealthMonitor(
                        List.of(EXCHANGE),
                        io.github.auditlake.o365.engine.health.HealthSettings.DEFAULTS,
                        truth,
                        "c/task-0");
        CollectionEngine e = new CollectionEngine(
                List.of(EXCHANGE),
                t -> api,
                Map.of(),
                StragglerDelayTest.defaults(),
                truth,
                truth.waitingSleeper(),
                new Random(3),
                new EngineMetrics());
        e.reportHealthTo(health);
        QueryBudget budget = new QueryBudget(HistorySettings.DEFAULT_QUERIES_PER_DAY, truth);
        e.readHistoryWith(new HistorySource(
                now -> now.minus(Duration.ofDays(30)), t -> search, t -> budget, HistorySettings.DEFAULTS));
        engines.add(e);
        e.start();
        run(e, NOW.plus(Duration.ofMinutes(40)), x -> false);

        List<io.github.auditlake.o365.engine.health.HealthEvent> states =
                health.drain().stream().filter(h -> EXCHANGE.equals(h.stream())).toList();
        List<String> names = states.stream()
                .map(io.github.auditlake.o365.engine.health.HealthEvent::state)
                .toList();
        int history = names.indexOf("history");
        assertTrue(history > 0, "history reported: " + names);
        assertTrue(
                names.subList(history + 1, names.size()).stream()
                        .anyMatch(n -> n.equals("collecting") || n.equals("caught-up") || n.equals("lagging")),
                "then the live part: " + names);
        Map<String, Object> d = states.get(history).details();
        assertNotNull(d.get("seam"));
        assertNotNull(d.get("historyDoneUpTo"));
    }

    /**
     * With isolated failures (several tenants), a permanent failure inside an open range (some of its records handed
     * over, carrying the range's start) is not retried: retrying would hand them over again into the same open
     * transaction. The engine fails instead (the task stops, its transaction is aborted, and a restart resumes at the
     * range's start).
     */
    @Test
    void aFailureInsideAnOpenRangeStopsTheEngineInsteadOfRetryingTheRangeWithIsolatedFailures() throws Exception {
        tenant();
        search.brokenQuery = "q2";
        EngineSettings isolated =
                StragglerDelayTest.defaults().toBuilder().isolateFailures(true).build();
        CollectionEngine e = new CollectionEngine(
                List.of(EXCHANGE),
                t -> api,
                Map.of(),
                isolated,
                truth,
                truth.waitingSleeper(),
                new Random(3),
                new EngineMetrics());
        QueryBudget budget = new QueryBudget(HistorySettings.DEFAULT_QUERIES_PER_DAY, truth);
        e.readHistoryWith(new HistorySource(
                now -> now.minus(Duration.ofDays(30)), t -> search, t -> budget, HistorySettings.DEFAULTS));
        engines.add(e);
        e.start();
        List<Emission.Event> out = new ArrayList<>();
        RuntimeException failure = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (failure == null) {
            assertTrue(System.nanoTime() < deadline, "no failure; " + out.size() + " records");
            try {
                take(e, out, Duration.ofMillis(1));
                if (truth.sleepers() > 0) {
                    truth.advance(Duration.ofSeconds(15));
                }
            } catch (RuntimeException f) {
                failure = f;
            }
        }
        assertTrue(failure.getMessage().contains("inside a query range"), failure.getMessage());
        // the broken range's first half was handed over once, and never again
        Map<String, Integer> counts = counts(out);
        assertTrue(counts.values().stream().allMatch(n -> n == 1), "nothing handed over twice");
        assertTrue(out.stream().anyMatch(ev -> ev.fromAuditSearch() && !ev.blobEnd()), "the range had opened");
    }
}
