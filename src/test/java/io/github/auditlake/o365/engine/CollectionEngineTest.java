package io.github.auditlake.o365.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ServiceClock;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.cursor.WindowPlanner;
import io.github.auditlake.o365.metrics.EngineMetrics;
import io.github.auditlake.o365.testkit.Await;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import io.github.auditlake.o365.testkit.LogCapture;
import io.github.auditlake.o365.testkit.ManualClock;
import io.github.auditlake.o365.testkit.SkewedClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CollectionEngineTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final StreamId EXCHANGE = new StreamId(TENANT, ContentType.EXCHANGE);
    static final StreamId GENERAL = new StreamId(TENANT, ContentType.GENERAL);

    final ManualClock clock = new ManualClock(NOW);
    final FakeManagementApi api = new FakeManagementApi(TENANT, clock);
    final List<CollectionEngine> engines = new ArrayList<>();

    @AfterEach
    void close() {
        engines.forEach(CollectionEngine::close);
    }

    EngineSettings settings(int concurrency, long bufferBytes, Duration heartbeat) {
        return new EngineSettings(
                new WindowPlanner(
                        Duration.ofHours(1), Duration.ofHours(24), Duration.ofMinutes(15), Duration.ofMinutes(15)),
                Duration.ofDays(3),
                Duration.ofMinutes(1),
                concurrency,
                bufferBytes,
                256,
                heartbeat,
                true,
                Duration.ofSeconds(1),
                Duration.ofSeconds(30),
                Duration.ZERO,
                null);
    }

    CollectionEngine engine(List<StreamId> streams, Map<StreamId, StreamCursor> positions, EngineSettings s) {
        CollectionEngine e = new CollectionEngine(
                streams, t -> api, positions, s, clock, clock.sleeper(), new Random(7), new EngineMetrics());
        engines.add(e);
        e.start();
        return e;
    }

    /** Drains until {@code done} holds over the events so far, with a wall-clock deadline. */
    static List<Emission> drain(CollectionEngine e, Predicate<List<Emission.Event>> done) throws Exception {
        List<Emission> all = new ArrayList<>();
        List<Emission.Event> events = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.test(events)) {
            assertTrue(System.nanoTime() < deadline, "timed out; got " + events.size() + " events");
            for (Emission m : e.poll(Duration.ofMillis(100), 500)) {
                all.add(m);
                if (m instanceof Emission.Event ev) {
                    events.add(ev);
                }
            }
        }
        return all;
    }

    static List<Emission.Event> events(List<Emission> all) {
        return all.stream()
                .filter(m -> m instanceof Emission.Event)
                .map(m -> (Emission.Event) m)
                .toList();
    }

    static List<Emission.Skip> skips(List<Emission> all) {
        return all.stream()
                .filter(m -> m instanceof Emission.Skip)
                .map(m -> (Emission.Skip) m)
                .toList();
    }

    static List<String> ids(List<Emission> all) {
        return events(all).stream().map(ev -> ev.record().id()).toList();
    }

    @Test
    void deliversEveryRecordOfABackfillOnceAndInOrderPerStream() throws Exception {
        List<String> expected = new ArrayList<>();
        expected.addAll(
                api.addSchedule(ContentType.EXCHANGE, NOW.minus(Duration.ofDays(2)), NOW, Duration.ofMinutes(37), 5));
        expected.addAll(
                api.addSchedule(ContentType.GENERAL, NOW.minus(Duration.ofDays(2)), NOW, Duration.ofMinutes(53), 3));
        CollectionEngine e = engine(List.of(EXCHANGE, GENERAL), Map.of(), settings(4, 1 << 20, Duration.ZERO));

        List<Emission> all = drain(e, ev -> ev.size() >= expected.size());

        List<String> got = ids(all);
        assertEquals(expected.size(), got.size());
        assertEquals(new HashSet<>(expected), new HashSet<>(got));
        for (StreamId s : List.of(EXCHANGE, GENERAL)) {
            List<ContentBlob> order = new ArrayList<>();
            for (Emission.Event ev : events(all)) {
                if (ev.stream().equals(s) && (order.isEmpty() || order.get(order.size() - 1) != ev.blob())) {
                    order.add(ev.blob());
                }
            }
            for (int i = 1; i < order.size(); i++) {
                assertTrue(
                        order.get(i - 1).contentCreated().isBefore(order.get(i).contentCreated()),
                        "blobs of " + s + " out of order at " + i);
            }
        }
        assertEquals(Set.of(ContentType.EXCHANGE, ContentType.GENERAL), api.subscribed());
    }

    @Test
    void aLookbackShorterThanTheReListedHourIsRespectedByListingsAndSweeps() throws Exception {
        var old = api.addBlob(
                ContentType.EXCHANGE, NOW.minus(Duration.ofMinutes(30)), NOW.minus(Duration.ofMinutes(30)), 1);
        var recent = api.addBlob(
                ContentType.EXCHANGE, NOW.minus(Duration.ofSeconds(30)), NOW.minus(Duration.ofSeconds(30)), 1);
        var later =
                api.addBlob(ContentType.EXCHANGE, NOW.plus(Duration.ofMinutes(5)), NOW.plus(Duration.ofMinutes(5)), 1);
        EngineSettings s = new EngineSettings(
                new WindowPlanner(
                        Duration.ofHours(1), Duration.ofHours(24), Duration.ofMinutes(15), Duration.ofMinutes(15)),
                Duration.ofMinutes(1),
                Duration.ofMinutes(1),
                1,
                1 << 20,
                256,
                Duration.ZERO,
                true,
                Duration.ofSeconds(1),
                Duration.ofSeconds(30),
                Duration.ZERO,
                null);
        CollectionEngine e = engine(List.of(EXCHANGE), Map.of(), s);
        List<String> got = ids(drain(
                e,
                ev -> ev.stream()
                        .anyMatch(x -> x.record().id().equals(later.recordIds().get(0)))));
        assertTrue(got.containsAll(recent.recordIds()), got.toString());
        assertFalse(got.containsAll(old.recordIds()), "30 minutes ago is before the 1-minute lookback: " + got);
        for (Instant[] w : api.windows()) {
            assertFalse(w[0].isBefore(NOW.minus(Duration.ofMinutes(1))), "listed from " + w[0]);
        }
    }

    @Test
    void aNewStreamStartsListingAtNowMinusTheInitialLookback() throws Exception {
        api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(2)), 1);
        CollectionEngine e = engine(List.of(EXCHANGE), Map.of(), settings(1, 1 << 20, Duration.ZERO));
        drain(e, ev -> ev.size() >= 1);
        Instant[] first = api.windows().get(0);
        assertEquals(NOW.minus(Duration.ofDays(3)), first[0], "not the lookback plus the late window");
    }

    @Test
    void everyRecordCarriesThePositionAfterIt() throws Exception {
        var blob = api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(5)), NOW.minus(Duration.ofHours(5)), 3);
        CollectionEngine e = engine(List.of(EXCHANGE), Map.of(), settings(2, 1 << 20, Duration.ZERO));

        List<Emission.Event> ev = events(drain(e, x -> x.size() >= 3));

        assertEquals(1, ev.get(0).cursorAfter().inProgress().recordsDone());
        assertEquals(2, ev.get(1).cursorAfter().inProgress().recordsDone());
        assertFalse(ev.get(1).blobEnd());
        assertTrue(ev.get(2).blobEnd());
        StreamCursor last = ev.get(2).cursorAfter();
        assertEquals(null, last.inProgress());
        assertTrue(last.isDone(blob.blob()));
        // the offset round-trips through the stored form
        assertEquals(last, StreamCursor.fromOffset(last.toOffset()));
    }

    @Test
    void resumesInsideABlobAfterARestartWithoutLossOrDuplicates() throws Exception {
        List<String> expected =
                api.addSchedule(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(30)), NOW, Duration.ofMinutes(90), 7);
        CollectionEngine first = engine(List.of(EXCHANGE), Map.of(), settings(3, 1 << 20, Duration.ZERO));
        // stop in the middle of the 3rd blob: 2 whole blobs and 3 records of the next
        List<Emission> before = drain(first, ev -> ev.size() >= 17);
        first.close();
        List<Emission.Event> taken = events(before).subList(0, 17);
        StreamCursor resumeAt =
                StreamCursor.fromOffset(taken.get(16).cursorAfter().toOffset());
        assertNotNull(resumeAt.inProgress());
        assertEquals(3, resumeAt.inProgress().recordsDone());

        CollectionEngine second =
                engine(List.of(EXCHANGE), Map.of(EXCHANGE, resumeAt), settings(3, 1 << 20, Duration.ZERO));
        List<Emission> after = drain(second, ev -> ev.size() >= expected.size() - 17);

        List<String> got =
                new ArrayList<>(taken.stream().map(ev -> ev.record().id()).toList());
        got.addAll(ids(after));
        assertEquals(expected.size(), got.size(), "no duplicates");
        assertEquals(new HashSet<>(expected), new HashSet<>(got), "nothing lost");
    }

    @Test
    void deliversABlobThatBecomesVisibleAfterItsWindowWasListedExactlyOnce() throws Exception {
        api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofMinutes(50)), NOW.minus(Duration.ofMinutes(50)), 2);
        // created 20 minutes ago, but listed only 30 minutes from now: 50 minutes late, within the 1 h late window
        var late = api.addBlob(
                ContentType.EXCHANGE, NOW.minus(Duration.ofMinutes(20)), NOW.plus(Duration.ofMinutes(30)), 2);
        api.addBlob(ContentType.EXCHANGE, NOW.plus(Duration.ofMinutes(45)), NOW.plus(Duration.ofMinutes(45)), 2);
        CollectionEngine e = engine(List.of(EXCHANGE), Map.of(), settings(2, 1 << 20, Duration.ZERO));

        List<Emission> all = drain(e, ev -> ev.size() >= 6);
        // keep polling a while of simulated time: nothing more may arrive
        Instant until = clock.instant().plus(Duration.ofHours(3));
        while (clock.instant().isBefore(until)) {
            all.addAll(e.poll(Duration.ofMillis(20), 100));
        }

        List<String> got = ids(all);
        assertEquals(6, got.size(), "each record once: " + got);
        assertTrue(got.containsAll(late.recordIds()));
    }

    @Test
    void skipsAVanishedBlobWithACountAndGoesOn() throws Exception {
        var gone = api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(6)), NOW.minus(Duration.ofHours(6)), 2);
        api.failOpen(gone.blob().contentId(), ErrorKind.SKIP_BLOB);
        var ok = api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(5)), NOW.minus(Duration.ofHours(5)), 2);
        CollectionEngine e = engine(List.of(EXCHANGE), Map.of(), settings(2, 1 << 20, Duration.ZERO));

        List<Emission> all = drain(e, ev -> ev.size() >= 2);

        assertEquals(ok.recordIds(), ids(all));
        List<Emission.Skip> skips = skips(all);
        assertEquals(1, skips.size(), "the vanished blob is handed over as a skip: " + skips);
        assertEquals(gone.blob().contentId(), skips.get(0).blob().contentId());
        assertTrue(
                skips.get(0).reason().contains("does not exist"),
                "the service's reason: " + skips.get(0).reason());
        assertEquals(1, e.metrics().blobsSkippedMissing.sum());
        assertEquals(0, e.metrics().blobsSkippedExpired.sum());
        assertEquals(2, api.opens(), "the skipped blob is not fetched again when its window is re-listed");
    }

    /**
     * A blob that cannot be fetched (an outage) until its {@code contentExpiration} has passed by the service's
     * time is skipped as expired, with a reason. The worker's clock is 2 hours behind the service: judged by the
     * worker's clock the blob would still be valid when the outage ends, and the service would then answer AF20051,
     * counted as a vanished blob instead.
     */
    @Test
    void skipsABlobWhoseContentExpirationPassedByTheServicesTimeWithAReason() throws Exception {
        SkewedClock worker = new SkewedClock(clock, Duration.ofHours(-2));
        api.reportServiceTime(new ServiceClock(worker, () -> clock.millis() * 1_000_000L));
        Instant expires = NOW.plus(Duration.ofHours(1));
        var expiring = api.addBlob(
                ContentType.EXCHANGE, NOW.minus(Duration.ofHours(6)), NOW.minus(Duration.ofHours(6)), 3, expires);
        var ok = api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(5)), NOW.minus(Duration.ofHours(5)), 2);
        api.fetchOutageUntil(NOW.plus(Duration.ofHours(2)));
        CollectionEngine e = new CollectionEngine(
                List.of(EXCHANGE),
                t -> api,
                Map.of(),
                settings(2, 1 << 20, Duration.ZERO),
                worker,
                clock.sleeper(),
                new Random(7),
                new EngineMetrics());
        engines.add(e);
        e.start();

        List<Emission> all = drain(e, ev -> ev.size() >= 2);

        assertEquals(ok.recordIds(), ids(all), "the next blob is delivered after the outage");
        List<Emission.Skip> skips = skips(all);
        assertEquals(1, skips.size(), "one skip: " + skips);
        Emission.Skip skip = skips.get(0);
        assertEquals(expiring.blob().contentId(), skip.blob().contentId());
        assertEquals(null, skip.record(), "the whole blob is skipped");
        assertEquals(0, skip.recordsDelivered());
        assertTrue(skip.blobEnd());
        assertTrue(
                skip.reason().contains("contentExpiration") && skip.reason().contains(expires.toString()),
                "the reason names the expiration: " + skip.reason());
        assertEquals(1, e.metrics().blobsSkippedExpired.sum(), "counted as expired");
        assertEquals(0, e.metrics().blobsSkippedMissing.sum(), "not as vanished");
        assertTrue(e.metrics().fetchRetries.sum() > 0, "the outage was retried until the expiration");
        assertTrue(all.indexOf(skip) < all.indexOf(events(all).get(0)), "the skip keeps its place in the stream");
    }

    @Test
    void refetchesABlobThatBrokeOffMidBodyWithoutDuplicates() throws Exception {
        var b = api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(6)), NOW.minus(Duration.ofHours(6)), 10);
        api.failMidBlob(b.blob().contentId(), 4, 2);
        CollectionEngine e = engine(List.of(EXCHANGE), Map.of(), settings(1, 1 << 20, Duration.ZERO));

        List<Emission> all = drain(e, ev -> ev.size() >= 10);

        assertEquals(b.recordIds(), ids(all));
        assertEquals(2, e.metrics().fetchRetries.sum());
        assertEquals(3, api.opens());
    }

    @Test
    void emitsInOrderWhileLaterBlobsAreFetchedConcurrentlyWithinTheByteBudget() throws Exception {
        List<String> expected = api.addSchedule(
                ContentType.EXCHANGE, NOW.minus(Duration.ofHours(20)), NOW, Duration.ofMinutes(10), 200);
        long budget = 1 << 20;
        AtomicLong maxUsed = new AtomicLong();
        CollectionEngine[] holder = new CollectionEngine[1];
        api.onRecordRead(id -> {
            if (holder[0] != null) {
                maxUsed.accumulateAndGet(holder[0].bufferedBytes(), Math::max);
            }
        });
        EngineSettings s = settings(6, budget, Duration.ZERO);
        CollectionEngine e = new CollectionEngine(
                List.of(EXCHANGE), t -> api, Map.of(), s, clock, clock.sleeper(), new Random(1), new EngineMetrics());
        holder[0] = e;
        engines.add(e);
        e.start();

        List<Emission> all = drain(e, ev -> ev.size() >= expected.size());

        assertEquals(expected, ids(all), "records in blob order, then record order");
        long oneRecord = BlobBuffer.sizeOf(events(all).get(0).record());
        assertTrue(maxUsed.get() <= budget + 2 * oneRecord, "buffered " + maxUsed.get() + " bytes");
        assertEquals(0, e.bufferedBytes(), "everything polled was handed over");
    }

    @Test
    void failsThePollWithAClearMessageOnAPermanentError() throws Exception {
        api.failListing(new ApiException(
                ErrorKind.PERMANENT,
                403,
                "AF10001",
                "The permission set () sent in the request did not include the expected permission "
                        + "ActivityFeed.Read.",
                null,
                null,
                null));
        CollectionEngine e = engine(List.of(EXCHANGE), Map.of(), settings(1, 1 << 20, Duration.ZERO));

        ApiException thrown = assertThrows(ApiException.class, () -> drain(e, ev -> false));
        assertTrue(thrown.getMessage().contains("ActivityFeed.Read"), thrown.getMessage());
        assertTrue(thrown.getMessage().contains(EXCHANGE.toString()), thrown.getMessage());
    }

    @Test
    void retriesTransientListingFailuresWithoutLosingItsPlace() throws Exception {
        List<String> expected =
                api.addSchedule(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(3)), NOW, Duration.ofMinutes(30), 2);
        api.failListing(new ApiException(ErrorKind.TRANSIENT, 403, "AF429", "Too many requests", null, null, null));
        CollectionEngine e = engine(List.of(EXCHANGE), Map.of(), settings(1, 1 << 20, Duration.ZERO));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (e.metrics().listRetries.sum() < 3) {
            assertTrue(System.nanoTime() < deadline);
            assertTrue(e.poll(Duration.ofMillis(20), 10).isEmpty());
        }
        api.failListing(null);

        assertEquals(new HashSet<>(expected), new HashSet<>(ids(drain(e, ev -> ev.size() >= expected.size()))));
    }

    @Test
    void recordsProgressThroughEmptyWindowsWithAHeartbeat() throws Exception {
        CollectionEngine e = engine(List.of(EXCHANGE), Map.of(), settings(1, 1 << 20, Duration.ofMinutes(5)));
        Emission.Heartbeat hb = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (hb == null) {
            assertTrue(System.nanoTime() < deadline);
            for (Emission m : e.poll(Duration.ofMillis(50), 10)) {
                if (m instanceof Emission.Heartbeat h) {
                    hb = h;
                }
            }
        }
        assertTrue(
                hb.cursorAfter().highWatermark().isAfter(NOW.minus(Duration.ofDays(3))),
                "the heartbeat moves the position forward: " + hb.cursorAfter());
    }

    @Test
    void warnsAndCountsWhenAStoredPositionFellOutOfRetention() throws Exception {
        Map<StreamId, StreamCursor> old = new HashMap<>();
        old.put(EXCHANGE, StreamCursor.startingAt(NOW.minus(Duration.ofDays(9))));
        List<String> expected = api.addSchedule(
                ContentType.EXCHANGE,
                NOW.minus(Duration.ofDays(2)),
                NOW.minus(Duration.ofDays(2)).plus(Duration.ofHours(2)),
                Duration.ofMinutes(30),
                1);
        CollectionEngine e = engine(List.of(EXCHANGE), old, settings(1, 1 << 20, Duration.ZERO));

        assertEquals(new HashSet<>(expected), new HashSet<>(ids(drain(e, ev -> ev.size() >= expected.size()))));
        assertEquals(1, e.metrics().retentionGaps.sum());
    }

    /**
     * The engine closes while a stream is about to deliver the blobs it just listed (its listing returns after the
     * close): the stream stops quietly, with no "Stream failed" error and no failure for {@code poll()} to rethrow.
     */
    @Test
    void closingWhileAStreamDeliversWhatItListedLogsNoErrorAndFailsNothing() throws Exception {
        CollectionEngine[] engine = new CollectionEngine[1];
        AtomicInteger closes = new AtomicInteger();
        FakeManagementApi closing = new FakeManagementApi(TENANT, clock) {
            @Override
            public List<ContentBlob> listAllContent(ContentType type, Instant start, Instant end) {
                List<ContentBlob> listed = super.listAllContent(type, start, end);
                if (!listed.isEmpty() && closes.getAndIncrement() == 0) {
                    engine[0].close(); // on the stream's own thread, which then goes on to deliver them
                }
                return listed;
            }
        };
        closing.addSchedule(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(6)), NOW, Duration.ofMinutes(30), 3);
        assertClosesQuietly(engine, closing, () -> closes.get() > 0);
    }

    /** The engine closes (here from a fetch thread) while a stream emits a blob's records with more blobs ahead. */
    @Test
    void closingWhileABlobsRecordsAreEmittedLogsNoErrorAndFailsNothing() throws Exception {
        CollectionEngine[] engine = new CollectionEngine[1];
        AtomicInteger read = new AtomicInteger();
        api.addSchedule(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(6)), NOW, Duration.ofMinutes(10), 20);
        api.onRecordRead(id -> {
            if (read.incrementAndGet() == 50) {
                engine[0].close();
            }
        });
        assertClosesQuietly(engine, api, () -> read.get() >= 50);
    }

    private void assertClosesQuietly(CollectionEngine[] engine, FakeManagementApi source, BooleanSupplier closed)
            throws Exception {
        try (LogCapture logs = LogCapture.open()) {
            CollectionEngine e = new CollectionEngine(
                    List.of(EXCHANGE),
                    t -> source,
                    Map.of(),
                    settings(3, 1 << 20, Duration.ZERO),
                    clock,
                    clock.sleeper(),
                    new Random(7),
                    new EngineMetrics());
            engine[0] = e;
            engines.add(e);
            e.start();
            Await.until(Duration.ofSeconds(30), closed, () -> "the engine closed mid-delivery");
            e.close(); // again, from the test: returns once the stream's thread ended
            assertEquals(List.of(), logs.at(Level.ERROR), "a normal close is no error");
            assertNull(e.failedStream());
            assertEquals(List.of(), e.poll(Duration.ZERO, 10), "nothing to rethrow");
        }
    }
}
