package io.github.auditlake.o365.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ServiceClock;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.cursor.WindowPlanner;
import io.github.auditlake.o365.metrics.EngineMetrics;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import io.github.auditlake.o365.testkit.FakeManagementApi.FakeBlob;
import io.github.auditlake.o365.testkit.ManualClock;
import io.github.auditlake.o365.testkit.SkewedClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * "What can go wrong, and what the connector does": one test per row, in simulated time. Each checks that every
 * record the service made available is accounted for: delivered, or published on the skips topic.
 */
class FaultMatrixTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final StreamId EXCHANGE = new StreamId(TENANT, ContentType.EXCHANGE);

    /** The service's true time; every sleep of the engine advances it. */
    final ManualClock truth = new ManualClock(NOW);

    final FakeManagementApi api = new FakeManagementApi(TENANT, truth);
    final List<CollectionEngine> engines = new ArrayList<>();

    @AfterEach
    void close() {
        engines.forEach(CollectionEngine::close);
    }

    static EngineSettings settings(Duration lookback, Duration coverage) {
        return EngineSettings.builder(
                        new WindowPlanner(
                                Duration.ofHours(1), coverage, Duration.ofMinutes(15), Duration.ofMinutes(15)),
                        lookback)
                .pollInterval(Duration.ofMinutes(1))
                .fetchConcurrency(2)
                .bufferMaxBytes(1 << 20)
                .outputCapacity(256)
                .heartbeatInterval(Duration.ZERO)
                .manageSubscriptions(true)
                .backoff(Duration.ofSeconds(1), Duration.ofSeconds(30))
                .build();
    }

    CollectionEngine engine(Clock workerClock, Map<StreamId, StreamCursor> positions, EngineSettings s) {
        CollectionEngine e = new CollectionEngine(
                List.of(EXCHANGE),
                t -> api,
                positions,
                s,
                workerClock,
                truth.sleeper(),
                new Random(3),
                new EngineMetrics());
        engines.add(e);
        e.start();
        return e;
    }

    /** What the engine handed over, split into delivered record ids and skipped ones. */
    static final class Outcome {
        final List<String> delivered = new ArrayList<>();
        final List<Emission.Skip> skips = new ArrayList<>();
        StreamCursor last;

        Set<String> accounted(FakeManagementApi api, List<FakeBlob> blobs) {
            Set<String> all = new HashSet<>(delivered);
            for (Emission.Skip s : skips) {
                if (s.record() == null) {
                    blobs.stream()
                            .filter(b -> b.blob().contentId().equals(s.blob().contentId()))
                            .forEach(b -> all.addAll(b.recordIds()
                                    .subList(
                                            (int) s.recordsDelivered(),
                                            b.recordIds().size())));
                } else {
                    all.add(s.blob().contentId() + "#skipped:" + s.record().json());
                }
            }
            return all;
        }
    }

    /** Polls until the service's time reaches {@code until} (the engine's sleeps advance it). */
    Outcome runUntil(CollectionEngine e, Instant until, Outcome into) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (truth.instant().isBefore(until)) {
            assertTrue(System.nanoTime() < deadline, "timed out at " + truth.instant());
            for (Emission m : e.poll(Duration.ofMillis(10), 1000)) {
                into.last = m.cursorAfter();
                if (m instanceof Emission.Event ev) {
                    into.delivered.add(ev.record().id());
                } else if (m instanceof Emission.Skip s) {
                    into.skips.add(s);
                }
            }
        }
        return into;
    }

    /** A blob every 10 minutes over {@code [from, to)}, each visible when created. */
    List<FakeBlob> schedule(Instant from, Instant to) {
        List<FakeBlob> out = new ArrayList<>();
        for (Instant t = from; t.isBefore(to); t = t.plus(Duration.ofMinutes(10))) {
            out.add(api.addBlob(ContentType.EXCHANGE, t, t, 3));
        }
        return out;
    }

    static Set<String> ids(List<FakeBlob> blobs) {
        Set<String> s = new HashSet<>();
        blobs.forEach(b -> s.addAll(b.recordIds()));
        return s;
    }

    static void assertEachOnce(Set<String> expected, Outcome o) {
        Set<String> got = new HashSet<>(o.delivered);
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(got);
        assertEquals(Set.of(), missing, "records lost");
        assertEquals(o.delivered.size(), got.size(), "records delivered twice");
    }

    @Test
    void aFortyFiveMinuteListingOutageLosesNothing() throws Exception {
        List<FakeBlob> blobs = schedule(NOW.minus(Duration.ofHours(2)), NOW.plus(Duration.ofHours(3)));
        api.listingOutageUntil(NOW.plus(Duration.ofMinutes(45)));
        CollectionEngine e = engine(truth, Map.of(), settings(Duration.ofHours(2), Duration.ofHours(24)));
        Outcome o = runUntil(e, NOW.plus(Duration.ofHours(3)).plus(Duration.ofMinutes(5)), new Outcome());
        assertEachOnce(ids(blobs), o);
        assertTrue(e.metrics().listRetries.sum() > 0, "the outage was felt");
        assertTrue(o.skips.isEmpty());
    }

    @Test
    void aFortyFiveMinuteFetchOutageLosesNothing() throws Exception {
        List<FakeBlob> blobs = schedule(NOW.minus(Duration.ofHours(2)), NOW.plus(Duration.ofHours(3)));
        api.fetchOutageUntil(NOW.plus(Duration.ofMinutes(45)));
        CollectionEngine e = engine(truth, Map.of(), settings(Duration.ofHours(2), Duration.ofHours(24)));
        Outcome o = runUntil(e, NOW.plus(Duration.ofHours(3)).plus(Duration.ofMinutes(5)), new Outcome());
        assertEachOnce(ids(blobs), o);
        assertTrue(
                e.metrics().fetchRetries.sum() > 20,
                "retried past the old 20-attempt limit: "
                        + e.metrics().fetchRetries.sum());
        assertTrue(o.skips.isEmpty(), "no blob abandoned");
    }

    private void runWithWorkerClock(SkewedClock worker, Runnable midway) throws Exception {
        api.reportServiceTime(new ServiceClock(worker, () -> truth.millis() * 1_000_000L));
        List<FakeBlob> blobs = schedule(NOW.minus(Duration.ofHours(2)), NOW.plus(Duration.ofHours(6)));
        CollectionEngine e = engine(worker, Map.of(), settings(Duration.ofHours(2), Duration.ofHours(24)));
        Outcome o = runUntil(e, NOW.plus(Duration.ofHours(3)), new Outcome());
        midway.run();
        runUntil(e, NOW.plus(Duration.ofHours(6)).plus(Duration.ofMinutes(5)), o);
        assertEachOnce(ids(blobs), o);
        for (Instant[] w : api.windows()) {
            assertFalse(w[1].isAfter(w[2]), "no window reaches past the service's time: " + w[1] + " at " + w[2]);
        }
        assertTrue(o.last.highWatermark().isBefore(truth.instant()), "the position never passes the service's time");
    }

    @Test
    void aWorkerClockTwoHoursAheadLosesNothing() throws Exception {
        runWithWorkerClock(new SkewedClock(truth, Duration.ofHours(2)), () -> {});
    }

    @Test
    void aWorkerClockTwoHoursBehindLosesNothing() throws Exception {
        runWithWorkerClock(new SkewedClock(truth, Duration.ofHours(-2)), () -> {});
    }

    @Test
    void aJumpOfTheWorkerClockForwardAndBackLosesNothing() throws Exception {
        SkewedClock worker = new SkewedClock(truth, Duration.ZERO);
        runWithWorkerClock(worker, () -> worker.jump(Duration.ofHours(3)));
    }

    static final Instant YEAR_2100 = Instant.parse("2100-01-01T00:00:00Z");

    /** Runs a stream on a correct worker clock; {@code midway} acts half an hour in. Returns the outcome. */
    private Outcome runWithHostileAnswerMidway(Runnable midway, List<FakeBlob> blobs, CollectionEngine[] engineOut)
            throws Exception {
        api.reportServiceTime(new ServiceClock(truth, () -> truth.millis() * 1_000_000L));
        CollectionEngine e = engine(truth, Map.of(), settings(Duration.ofHours(2), Duration.ofHours(24)));
        engineOut[0] = e;
        Outcome o = runUntil(e, NOW.plus(Duration.ofMinutes(30)), new Outcome());
        midway.run();
        Instant end = NOW.plus(Duration.ofHours(3)).plus(Duration.ofMinutes(5));
        Instant later = truth.instant().plus(Duration.ofHours(1)); // whatever the simulated time reached
        runUntil(e, later.isAfter(end) ? later : end, o);
        assertEachOnce(ids(blobs), o);
        for (Instant[] w : api.windows()) {
            assertFalse(w[1].isAfter(w[2]), "no window reaches past the service's time: " + w[1] + " at " + w[2]);
        }
        assertTrue(o.last.highWatermark().isBefore(truth.instant()), "the position never passes the service's time");
        return o;
    }

    @Test
    void aRejectedWindowDated2100DoesNotStopCollection() throws Exception {
        List<FakeBlob> blobs = schedule(NOW.minus(Duration.ofHours(2)), NOW.plus(Duration.ofHours(3)));
        CollectionEngine[] e = new CollectionEngine[1];
        runWithHostileAnswerMidway(
                () -> api.failNextListing(new ApiException(
                        ErrorKind.WINDOW, 400, "AF20055", "Start time and end time ...", null, YEAR_2100, null)),
                blobs,
                e);
    }

    @Test
    void aSuccessfulAnswerDated2100IsIgnoredCountedAndCollectionGoesOn() throws Exception {
        List<FakeBlob> blobs = schedule(NOW.minus(Duration.ofHours(2)), NOW.plus(Duration.ofHours(3)));
        CollectionEngine[] e = new CollectionEngine[1];
        runWithHostileAnswerMidway(() -> api.nextDate(YEAR_2100), blobs, e);
        assertEquals(1, e[0].metrics().serviceDatesRejected.sum(), "the Date is counted as rejected");
    }

    @Test
    void oneAnswerDatedFiveHoursAheadMovesNoWindowPastTheServicesTime() throws Exception {
        List<FakeBlob> blobs = schedule(NOW.minus(Duration.ofHours(2)), NOW.plus(Duration.ofHours(3)));
        CollectionEngine[] e = new CollectionEngine[1];
        runWithHostileAnswerMidway(() -> api.nextDate(truth.instant().plus(Duration.ofHours(5))), blobs, e);
        assertEquals(0, e[0].metrics().serviceDatesRejected.sum(), "inside the bound: not rejected, outvoted");
    }

    /**
     * The very first answer says the service is 20 hours behind (nothing to compare it with: taken, since holding
     * back never loses anything). The stream's stored position is then ahead of the service's time, so nothing can be
     * listed and no listing would bring a better answer: the stream asks for the time, and goes on within minutes.
     */
    @Test
    void aFirstAnswerDatedADayBehindOnlyDelaysCollection() throws Exception {
        api.startSubscription(ContentType.EXCHANGE, null); // so the subscription list is the only answer at start-up
        api.reportServiceTime(new ServiceClock(truth, () -> truth.millis() * 1_000_000L));
        api.nextDate(NOW.minus(Duration.ofHours(20)));
        Instant hw = NOW.minus(Duration.ofHours(1));
        List<FakeBlob> blobs = schedule(hw, NOW.plus(Duration.ofHours(2)));
        CollectionEngine e = engine(
                truth,
                Map.of(EXCHANGE, StreamCursor.startingAt(hw, hw.minus(Duration.ofHours(1)))),
                settings(Duration.ofHours(2), Duration.ofHours(24)));
        Outcome o = runUntil(e, NOW.plus(Duration.ofHours(2)).plus(Duration.ofMinutes(5)), new Outcome());
        assertEachOnce(ids(blobs), o);
    }

    /**
     * The service's time alone never takes a window more than {@link ServiceClock#MAX_SKEW} ahead of the worker's own
     * clock: with the worker's clock 30 hours behind, windows wait; once it is fixed, nothing was lost.
     */
    @Test
    void windowsNeverEndMoreThanTheBoundAheadOfTheWorkersClockAndWaitLosingNothing() throws Exception {
        SkewedClock worker = new SkewedClock(truth, Duration.ofHours(-20));
        api.reportServiceTime(new ServiceClock(worker, () -> truth.millis() * 1_000_000L));
        List<FakeBlob> blobs = schedule(NOW.minus(Duration.ofHours(2)), NOW.plus(Duration.ofHours(4)));
        CollectionEngine e = engine(worker, Map.of(), settings(Duration.ofHours(2), Duration.ofHours(24)));
        Outcome o = runUntil(e, NOW.plus(Duration.ofHours(1)), new Outcome());
        worker.jump(Duration.ofHours(-10)); // 30 hours behind the service now
        Instant jumped = truth.instant();
        runUntil(e, NOW.plus(Duration.ofHours(2)), o);
        Duration ahead = Duration.ofHours(30).minus(ServiceClock.MAX_SKEW);
        for (Instant[] w : api.windows()) {
            if (w[2].isAfter(jumped)) {
                assertFalse(
                        w[1].isAfter(w[2].minus(ahead)),
                        "a window ends at most a day ahead of the worker's clock: " + w[1] + " at " + w[2]);
            }
        }
        worker.jump(Duration.ofHours(30)); // the worker's clock is fixed
        // an idle stream's sleeps move the simulated time fast: run on from wherever it is
        Instant end = NOW.plus(Duration.ofHours(4)).plus(Duration.ofMinutes(5));
        Instant fixed = truth.instant().plus(Duration.ofMinutes(30));
        runUntil(e, fixed.isAfter(end) ? fixed : end, o);
        assertEachOnce(ids(blobs), o);
    }

    /**
     * The service rejects a window planned before the service's time was known (subscriptions not managed, so no
     * answer came first; the worker's clock 2 hours behind puts the start beyond the 7 days). The rejection's own
     * {@code Date} is not learned: the stream learns the time from a successful answer and plans again.
     */
    @Test
    void aRejectedWindowIsPlannedAgainWithTheTimeOfASuccessfulAnswer() throws Exception {
        rejectedFirstWindow(Duration.ofMinutes(1));
    }

    /**
     * The same with a 5-second poll interval: the service's time (2 hours ahead of the worker's clock) takes a minute
     * to be confirmed, a dozen rejections meanwhile; they are expected, not errors that fail the stream.
     */
    @Test
    void rejectionsWhileTheServicesTimeIsNotConfirmedYetAreNotErrors() throws Exception {
        rejectedFirstWindow(Duration.ofSeconds(5));
    }

    private void rejectedFirstWindow(Duration pollInterval) throws Exception {
        api.startSubscription(ContentType.EXCHANGE, null); // subscribed by the operator
        SkewedClock worker = new SkewedClock(truth, Duration.ofHours(-2));
        api.reportServiceTime(new ServiceClock(worker, () -> truth.millis() * 1_000_000L));
        Instant hw = NOW.minus(Duration.ofDays(7)).plus(Duration.ofMinutes(30));
        List<FakeBlob> blobs = schedule(hw, NOW.plus(Duration.ofHours(1)));
        EngineSettings s = settings(Duration.ofHours(2), Duration.ofHours(24));
        EngineSettings unmanaged = s.toBuilder()
                .pollInterval(pollInterval)
                .manageSubscriptions(false)
                .endAt(null)
                .build();
        CollectionEngine e =
                engine(worker, Map.of(EXCHANGE, StreamCursor.startingAt(hw, hw.minus(Duration.ofHours(2)))), unmanaged);
        Outcome o = runUntil(e, NOW.plus(Duration.ofHours(1)).plus(Duration.ofMinutes(5)), new Outcome());
        assertEachOnce(ids(blobs), o);
        assertTrue(api.windows().get(0)[0].isBefore(NOW.minus(Duration.ofDays(7))), "the first window was rejected");
    }

    @Test
    void aRestartAtTheSevenDayEdgeLosesNothingStillFetchable() throws Exception {
        Duration lookback = Duration.ofDays(7).minus(Duration.ofMinutes(15));
        // dense blobs just above the retention floor
        List<FakeBlob> blobs = new ArrayList<>();
        Instant floor = NOW.minus(lookback);
        for (int i = 0; i < 60; i++) {
            blobs.add(api.addBlob(
                    ContentType.EXCHANGE,
                    floor.plus(Duration.ofSeconds(20L * i)),
                    floor.plus(Duration.ofSeconds(20L * i)),
                    2));
        }
        CollectionEngine first = engine(truth, Map.of(), settings(lookback, Duration.ofHours(24)));
        Outcome o = new Outcome();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (o.delivered.size() < 30) {
            assertTrue(System.nanoTime() < deadline);
            for (Emission m : first.poll(Duration.ofMillis(10), 7)) {
                o.last = m.cursorAfter();
                if (m instanceof Emission.Event ev) {
                    o.delivered.add(ev.record().id());
                }
            }
        }
        first.close();
        // the worker is down for 10 minutes: the floor moves past blobs listed but not delivered
        truth.advance(Duration.ofMinutes(10));
        StreamCursor stored = StreamCursor.fromOffset(new HashMap<>(o.last.toOffset()));
        assertFalse(stored.pending().isEmpty(), "near the edge the listed blobs are remembered");
        CollectionEngine second = engine(truth, Map.of(EXCHANGE, stored), settings(lookback, Duration.ofHours(24)));
        runUntil(second, truth.instant().plus(Duration.ofMinutes(3)), o);
        assertEachOnce(ids(blobs), o);
        assertEquals(0, second.metrics().retentionGaps.sum(), "no gap: nothing became unlistable undelivered");
    }

    @Test
    void elementsThatAreNotAuditRecordsArePublishedAsSkipsAndTheRestOfTheBlobDelivered() throws Exception {
        FakeBlob b = api.addRawBlob(
                ContentType.EXCHANGE,
                NOW.minus(Duration.ofHours(1)),
                NOW.minus(Duration.ofHours(1)),
                List.of(
                        new AuditRecord("{\"Id\":\"a\"}", "a", null, null, null, null),
                        AuditRecord.notARecord("42", "the blob element is a JSON number_int, not an audit record"),
                        new AuditRecord("{\"Id\":\"c\"}", "c", null, null, null, null)));
        CollectionEngine e = engine(truth, Map.of(), settings(Duration.ofHours(2), Duration.ofHours(24)));
        Outcome o = runUntil(e, NOW.plus(Duration.ofMinutes(5)), new Outcome());
        assertEquals(List.of("a", "c"), o.delivered);
        assertEquals(1, o.skips.size());
        assertEquals("42", o.skips.get(0).record().json());
        assertEquals(b.blob().contentId(), o.skips.get(0).blob().contentId());
        assertEquals(1, e.metrics().recordsSkipped.sum());
    }

    @Test
    void anExpiredBlobIsPublishedOnTheSkipsTopicWithWhatWasDelivered() throws Exception {
        FakeBlob gone =
                api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(1)), NOW.minus(Duration.ofHours(1)), 4);
        FakeBlob ok = api.addBlob(
                ContentType.EXCHANGE, NOW.minus(Duration.ofMinutes(30)), NOW.minus(Duration.ofMinutes(30)), 2);
        api.fetchOutageUntil(NOW.plus(Duration.ofDays(8)));
        CollectionEngine e = engine(truth, Map.of(), settings(Duration.ofHours(2), Duration.ofHours(24)));
        Outcome o = runUntil(e, NOW.plus(Duration.ofDays(7)), new Outcome());
        assertTrue(o.delivered.isEmpty());
        api.fetchOutageUntil(Instant.MIN);
        runUntil(e, NOW.plus(Duration.ofDays(7)).plus(Duration.ofMinutes(10)), o);
        Set<String> accounted = o.accounted(api, List.of(gone, ok));
        assertTrue(accounted.containsAll(ids(List.of(gone, ok))), "every record delivered or skipped: " + accounted);
        assertTrue(
                o.skips.stream()
                        .anyMatch(s -> s.record() == null
                                && s.blob().contentId().equals(gone.blob().contentId())),
                "the expired blob is on the skips topic");
        assertTrue(e.metrics().blobsSkipped.sum() >= 1);
    }

    @Test
    void anErrorInAFetchThreadFailsThePollInsteadOfStallingTheStream() throws Exception {
        schedule(NOW.minus(Duration.ofHours(1)), NOW);
        api.failOpenWithError(new OutOfMemoryError("simulated"));
        CollectionEngine e = engine(truth, Map.of(), settings(Duration.ofHours(2), Duration.ofHours(24)));
        RuntimeException thrown =
                assertThrows(RuntimeException.class, () -> runUntil(e, NOW.plus(Duration.ofDays(1)), new Outcome()));
        assertTrue(String.valueOf(thrown.getMessage()).contains("OutOfMemoryError"), thrown.getMessage());
    }

    @Test
    void stragglersOneHourTwentyHoursAndFiveDaysLateAreDeliveredOnceWithAWeekOfCoverage() throws Exception {
        List<FakeBlob> blobs = schedule(NOW.minus(Duration.ofHours(6)), NOW.plus(Duration.ofDays(6)));
        FakeBlob h1 =
                api.addBlob(ContentType.EXCHANGE, NOW.plus(Duration.ofHours(2)), NOW.plus(Duration.ofHours(3)), 2);
        FakeBlob h20 = api.addBlob(
                ContentType.EXCHANGE, NOW.plus(Duration.ofHours(2)).plusSeconds(7), NOW.plus(Duration.ofHours(22)), 2);
        FakeBlob d5 = api.addBlob(
                ContentType.EXCHANGE,
                NOW.plus(Duration.ofHours(2)).plusSeconds(9),
                NOW.plus(Duration.ofDays(5)).plus(Duration.ofHours(2)),
                2);
        blobs.addAll(List.of(h1, h20, d5));
        CollectionEngine e = engine(
                truth,
                Map.of(),
                settings(Duration.ofHours(6), Duration.ofDays(7).minus(Duration.ofMinutes(15))));
        Outcome o = runUntil(e, NOW.plus(Duration.ofDays(6)).plus(Duration.ofMinutes(5)), new Outcome());
        assertEachOnce(ids(blobs), o);
        assertTrue(
                e.metrics().stragglersFound.sum() >= 2,
                "found by sweeps: " + e.metrics().stragglersFound.sum());
    }

    @Test
    void withDefaultCoverageStragglersUpTo24HoursLateAreDeliveredOnce() throws Exception {
        List<FakeBlob> blobs = schedule(NOW.minus(Duration.ofHours(3)), NOW.plus(Duration.ofHours(30)));
        FakeBlob m85 =
                api.addBlob(ContentType.EXCHANGE, NOW.plus(Duration.ofMinutes(5)), NOW.plus(Duration.ofMinutes(90)), 2);
        FakeBlob h23 =
                api.addBlob(ContentType.EXCHANGE, NOW.plus(Duration.ofMinutes(6)), NOW.plus(Duration.ofHours(23)), 2);
        blobs.addAll(List.of(m85, h23));
        CollectionEngine e = engine(truth, Map.of(), settings(Duration.ofHours(3), Duration.ofHours(24)));
        Outcome o = runUntil(e, NOW.plus(Duration.ofHours(30)).plus(Duration.ofMinutes(5)), new Outcome());
        assertEachOnce(ids(blobs), o);
    }

    @Test
    void aRestartBetweenSweepsKeepsTheScheduleAndDeliversStragglersOnce() throws Exception {
        List<FakeBlob> blobs = schedule(NOW.minus(Duration.ofHours(3)), NOW.plus(Duration.ofHours(10)));
        FakeBlob late =
                api.addBlob(ContentType.EXCHANGE, NOW.plus(Duration.ofMinutes(5)), NOW.plus(Duration.ofHours(5)), 2);
        blobs.add(late);
        CollectionEngine first = engine(truth, Map.of(), settings(Duration.ofHours(3), Duration.ofHours(24)));
        Outcome o = runUntil(first, NOW.plus(Duration.ofHours(4)), new Outcome());
        first.close();
        StreamCursor stored = StreamCursor.fromOffset(new HashMap<>(o.last.toOffset()));
        assertTrue(stored.sweptDay().isAfter(NOW), "the sweep time is kept in the offset");
        CollectionEngine second =
                engine(truth, Map.of(EXCHANGE, stored), settings(Duration.ofHours(3), Duration.ofHours(24)));
        runUntil(second, NOW.plus(Duration.ofHours(10)).plus(Duration.ofMinutes(5)), o);
        assertEachOnce(ids(blobs), o);
    }
}
