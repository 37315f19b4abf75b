package io.github.auditlake.o365.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.cursor.WindowPlanner;
import io.github.auditlake.o365.metrics.EngineMetrics;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import io.github.auditlake.o365.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Hundreds of tenants in one engine (issue 27): the threads are bounded by {@code o365.stream.threads}, not by the
 * number of streams; an idle stream costs its listings and nothing else; one failing tenant changes nothing for the
 * rest. Simulated time only moves when the test advances it ({@link ManualClock#waitingSleeper()}).
 */
class ManyTenantsEngineTest {
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final int STREAM_THREADS = 8;
    static final int FETCH_CONCURRENCY = 4;
    /**
     * The most docs/design.md says a quiet content type costs in an hour: 60 frontier listings (the day sweeps ride on
     * them), and with a 7-day coverage 12 old-sweep pages.
     */
    static final int IDLE_REQUESTS_PER_STREAM_HOUR = 72;

    static String tenant(int i) {
        return String.format("%08x-2222-4333-8444-%012d", i, i);
    }

    static EngineSettings settings() {
        return EngineSettings.builder(
                        new WindowPlanner(
                                Duration.ofHours(1),
                                Duration.ofHours(24),
                                Duration.ofMinutes(15),
                                Duration.ofMinutes(3)),
                        Duration.ofHours(3))
                .pollInterval(Duration.ofMinutes(1))
                .fetchConcurrency(FETCH_CONCURRENCY)
                .streamThreads(STREAM_THREADS)
                .bufferMaxBytes(1 << 22)
                .outputCapacity(4096)
                .heartbeatInterval(Duration.ZERO)
                .manageSubscriptions(true)
                .backoff(Duration.ofSeconds(1), Duration.ofSeconds(30))
                .isolateFailures(true)
                .build();
    }

    /** The engine's threads alive now, by kind (the part of the name before the engine's number). */
    static Map<String, Integer> engineThreads(Set<Long> before) {
        Map<String, Integer> byKind = new HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && !before.contains(t.getId()) && t.getName().startsWith("o365-")) {
                String kind = t.getName().replaceAll("-\\d+.*$", "");
                byKind.merge(kind, 1, Integer::sum);
            }
        }
        return byKind;
    }

    static Set<Long> threadIds() {
        Set<Long> ids = new HashSet<>();
        Thread.getAllStackTraces().keySet().forEach(t -> ids.add(t.getId()));
        return ids;
    }

    /** Polls until {@code done}, collecting record ids (counting duplicates); a hang guard, not a timing. */
    static void pollUntil(CollectionEngine e, List<String> got, BooleanSupplier done, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + "; delivered " + got.size());
            for (Emission m : e.poll(Duration.ofMillis(5), 10_000)) {
                if (m instanceof Emission.Event ev) {
                    got.add(ev.record().id());
                }
            }
        }
    }

    @Test
    void fiveHundredStreamsMostlyIdleUseAtMostTheConfiguredThreads() throws Exception {
        ManualClock clock = new ManualClock(NOW);
        int tenants = 100; // × 5 content types = 500 streams
        Map<String, FakeManagementApi> apis = new HashMap<>();
        List<StreamId> streams = new ArrayList<>();
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < tenants; i++) {
            FakeManagementApi api = new FakeManagementApi(tenant(i), clock);
            apis.put(api.tenantId(), api);
            for (ContentType t : ContentType.values()) {
                streams.add(new StreamId(api.tenantId(), t));
            }
            if (i % 25 == 0) { // a few busy tenants, the rest quiet
                expected.addAll(api.addSchedule(
                        ContentType.EXCHANGE,
                        NOW.minus(Duration.ofHours(2)).plusSeconds(i), // distinct ids per tenant
                        NOW.minus(Duration.ofMinutes(1)),
                        Duration.ofMinutes(2),
                        3));
            }
        }
        assertEquals(500, streams.size());
        Set<Long> before = threadIds();
        List<String> got = new ArrayList<>();
        try (CollectionEngine e = new CollectionEngine(
                streams,
                apis::get,
                Map.of(),
                settings(),
                clock,
                clock.waitingSleeper(),
                new Random(1),
                new EngineMetrics())) {
            e.start();
            // every stream caught up and waiting for its next listing, every busy tenant's record delivered
            pollUntil(
                    e,
                    got,
                    () -> e.waitingStreams() == streams.size() && got.size() >= expected.size(),
                    "all 500 streams caught up");
            Map<String, Integer> threads = engineThreads(before);
            assertEquals(STREAM_THREADS, threads.getOrDefault("o365-stream", 0), "stream threads: " + threads);
            assertTrue(
                    threads.getOrDefault("o365-fetch", 0) <= STREAM_THREADS + FETCH_CONCURRENCY,
                    "fetch threads: " + threads);
            assertEquals(1, threads.getOrDefault("o365-timer", 0), "timer: " + threads);
            assertEquals(expected, new HashSet<>(got));
            assertEquals(expected.size(), got.size(), "each record once");
        }
    }

    @Test
    void anIdleStreamListsAtMostTheDocumentedRequestsPerSimulatedHour() throws Exception {
        ManualClock clock = new ManualClock(NOW);
        FakeManagementApi api = new FakeManagementApi(tenant(1), clock);
        List<StreamId> streams = new ArrayList<>();
        for (ContentType t : ContentType.values()) {
            streams.add(new StreamId(api.tenantId(), t));
        }
        List<String> got = new ArrayList<>();
        try (CollectionEngine e = new CollectionEngine(
                streams,
                t -> api,
                Map.of(),
                settings(), // without the idle backoff (o365.poll.idle.max.ms off, the default)
                clock,
                clock.waitingSleeper(),
                new Random(1),
                new EngineMetrics())) {
            e.start();
            pollUntil(e, got, () -> e.waitingStreams() == streams.size(), "caught up");
            // a warm-up hour (the first sweeps of a new stream), then the hour measured
            Instant from = NOW.plus(Duration.ofHours(1));
            Instant to = from.plus(Duration.ofHours(1));
            while (clock.instant().isBefore(to.plus(Duration.ofMinutes(1)))) {
                int calls = api.listCalls();
                clock.advance(Duration.ofMinutes(1));
                // every stream is due once a minute: wait until each listed and is waiting again
                pollUntil(
                        e,
                        got,
                        () -> api.listCalls() >= calls + streams.size()
                                && e.waitingStreams() == streams.size()
                                && clock.sleepers() > 0,
                        "listed at " + clock.instant());
            }
            long requests = api.requestTimes().stream()
                    .filter(t -> !t.isBefore(from) && t.isBefore(to))
                    .count();
            System.out.printf("idle tenant: %d requests in a simulated hour (%d streams)%n", requests, streams.size());
            assertTrue(requests >= 60L * streams.size(), "every stream listed every minute: " + requests);
            assertTrue(
                    requests <= (long) IDLE_REQUESTS_PER_STREAM_HOUR * streams.size(),
                    "at most " + IDLE_REQUESTS_PER_STREAM_HOUR + " per stream: " + requests);
            assertEquals(List.of(), got, "nothing to deliver");
        }
    }

    @Test
    void oneTenantWithoutConsentAmongAHundredChangesNothingForTheRest() throws Exception {
        ManualClock clock = new ManualClock(NOW);
        int tenants = 100;
        Map<String, FakeManagementApi> apis = new HashMap<>();
        List<StreamId> streams = new ArrayList<>();
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < tenants; i++) {
            FakeManagementApi api = new FakeManagementApi(tenant(i), clock);
            apis.put(api.tenantId(), api);
            streams.add(new StreamId(api.tenantId(), ContentType.EXCHANGE));
            List<String> ids = api.addSchedule(
                    ContentType.EXCHANGE,
                    NOW.minus(Duration.ofHours(2)).plusSeconds(i),
                    NOW.minus(Duration.ofMinutes(1)),
                    Duration.ofMinutes(30),
                    1);
            if (i == 7) {
                api.failListing(new ApiException(
                        ErrorKind.PERMANENT,
                        403,
                        "AF10001",
                        "The permission set () sent in the request does not include the expected permission "
                                + "ActivityFeed.Read.",
                        null,
                        null,
                        null));
            } else {
                expected.addAll(ids);
            }
        }
        List<String> got = new ArrayList<>();
        EngineMetrics metrics = new EngineMetrics();
        try (CollectionEngine e = new CollectionEngine(
                streams, apis::get, Map.of(), settings(), clock, clock.waitingSleeper(), new Random(1), metrics)) {
            e.start();
            // the failing tenant waits on the timer too (its backoff), holding no stream thread
            pollUntil(
                    e,
                    got,
                    () -> e.waitingStreams() == streams.size() && got.size() >= expected.size(),
                    "every other tenant delivered");
            assertEquals(expected, new HashSet<>(got));
            assertEquals(expected.size(), got.size(), "each record once");
            assertTrue(metrics.tenantFailingSince(tenant(7)) > 0, "the failing tenant is reported");
            assertEquals(0, metrics.tenantFailingSince(tenant(8)));
            assertEquals(null, e.failedStream(), "the task goes on");
        }
    }

    @Test
    void theIdleWaitDoublesFromTheSecondEmptyListingUpToItsCapAndIsOffByDefault() {
        EngineSettings on =
                settings().toBuilder().idlePollMax(Duration.ofMinutes(5)).build();
        List<Duration> waits = new ArrayList<>();
        for (int empty = 0; empty <= 5; empty++) {
            waits.add(on.idleWait(empty));
        }
        assertEquals(
                List.of(
                        Duration.ofMinutes(1),
                        Duration.ofMinutes(1),
                        Duration.ofMinutes(2),
                        Duration.ofMinutes(4),
                        Duration.ofMinutes(5),
                        Duration.ofMinutes(5)),
                waits);
        assertEquals(Duration.ofMinutes(5), on.idleWait(Integer.MAX_VALUE), "no overflow");
        assertEquals(Duration.ofMinutes(1), settings().idleWait(10), "off by default: the poll interval");
        assertEquals(
                Duration.ofMinutes(1),
                settings().toBuilder()
                        .idlePollMax(Duration.ofSeconds(30))
                        .build()
                        .idleWait(10),
                "at or below the poll interval: off");
    }

    /** Advances simulated time a minute at a time until {@code until}, each step until every due stream listed. */
    static void stepMinutes(ManualClock clock, CollectionEngine e, int streams, List<String> got, Instant until)
            throws Exception {
        while (clock.instant().isBefore(until)) {
            clock.advance(Duration.ofMinutes(1));
            // quiet: every stream back on the timer, none of them due, the timer asleep
            pollUntil(
                    e,
                    got,
                    () -> e.waitingStreams() == streams
                            && e.nextTurnDueMillis() > clock.millis()
                            && clock.sleepers() > 0,
                    "listed at " + clock.instant());
        }
    }

    @Test
    void anIdleStreamBacksOffButNeverPastItsNextDaySweep() throws Exception {
        ManualClock clock = new ManualClock(NOW);
        FakeManagementApi api = new FakeManagementApi(tenant(2), clock);
        List<StreamId> streams = new ArrayList<>();
        for (ContentType t : ContentType.values()) {
            streams.add(new StreamId(api.tenantId(), t));
        }
        List<String> got = new ArrayList<>();
        try (CollectionEngine e = new CollectionEngine(
                streams,
                t -> api,
                Map.of(),
                // o365.poll.idle.max.ms 10 minutes, above the day sweep's 3: the sweep still lists every 3 minutes
                settings().toBuilder().idlePollMax(Duration.ofMinutes(10)).build(),
                clock,
                clock.waitingSleeper(),
                new Random(1),
                new EngineMetrics())) {
            e.start();
            pollUntil(e, got, () -> e.waitingStreams() == streams.size(), "caught up");
            Instant from = NOW.plus(Duration.ofHours(1));
            Instant to = from.plus(Duration.ofHours(1));
            stepMinutes(clock, e, streams.size(), got, to.plus(Duration.ofMinutes(1)));
            List<Instant> hour = api.requestTimes().stream()
                    .filter(t -> !t.isBefore(from) && t.isBefore(to))
                    .toList();
            System.out.printf(
                    "idle tenant with the idle backoff: %d requests in a simulated hour (%d streams)%n",
                    hour.size(), streams.size());
            // a listing per day sweep (every 3 minutes), no more: a third of the 60 a minute's listing costs
            assertTrue(hour.size() >= 20 * streams.size(), "a listing at least every day sweep: " + hour.size());
            assertTrue(hour.size() <= 21 * streams.size(), "at most one listing per 3 minutes: " + hour.size());
            // the longest gap between two listings is the day sweep's interval: stragglers are found as before
            List<Instant> sorted = new ArrayList<>(api.requestTimes().stream()
                    .filter(t -> !t.isBefore(from) && t.isBefore(to))
                    .distinct()
                    .sorted()
                    .toList());
            for (int i = 1; i < sorted.size(); i++) {
                assertTrue(
                        Duration.between(sorted.get(i - 1), sorted.get(i)).compareTo(Duration.ofMinutes(3)) <= 0,
                        "listings at most 3 minutes apart: " + sorted);
            }
            assertEquals(List.of(), got, "nothing to deliver");
        }
    }

    @Test
    void theFirstBlobAnIdleStreamFindsBringsItsListingsBackToThePollInterval() throws Exception {
        ManualClock clock = new ManualClock(NOW);
        FakeManagementApi api = new FakeManagementApi(tenant(3), clock);
        List<StreamId> streams = List.of(new StreamId(api.tenantId(), ContentType.EXCHANGE));
        List<String> got = new ArrayList<>();
        try (CollectionEngine e = new CollectionEngine(
                streams,
                t -> api,
                Map.of(),
                settings().toBuilder()
                        .idlePollMax(EngineSettings.RECOMMENDED_IDLE_POLL_MAX)
                        .build(),
                clock,
                clock.waitingSleeper(),
                new Random(1),
                new EngineMetrics())) {
            e.start();
            pollUntil(e, got, () -> e.waitingStreams() == 1, "caught up");
            stepMinutes(clock, e, 1, got, NOW.plus(Duration.ofMinutes(30)));
            // backed off: one listing in the last 3 minutes
            Instant idleFrom = clock.instant().minus(Duration.ofMinutes(3));
            assertEquals(
                    1,
                    api.requestTimes().stream().filter(t -> t.isAfter(idleFrom)).count(),
                    "idle: " + api.requestTimes());
            // a blob becomes visible: listed within the backed-off wait, then a listing every minute again
            Instant visible = clock.instant();
            List<String> ids = api.addBlob(ContentType.EXCHANGE, visible.minusSeconds(30), visible, 2)
                    .recordIds();
            while (api.opens() == 0) {
                assertTrue(
                        clock.instant().isBefore(visible.plus(Duration.ofMinutes(3))),
                        "listed within the backed-off wait: " + api.requestTimes());
                stepMinutes(clock, e, 1, got, clock.instant().plus(Duration.ofMinutes(1)));
            }
            // opened: its records may still be on their way to the engine's queue (no clock step needed for them)
            pollUntil(e, got, () -> got.size() >= 2, "the found blob's records");
            Instant found = clock.instant(); // the listing that found it ran at this minute
            stepMinutes(clock, e, 1, got, found.plus(Duration.ofMinutes(3)));
            long after = api.requestTimes().stream()
                    .filter(t -> t.isAfter(found) && !t.isAfter(found.plus(Duration.ofMinutes(3))))
                    .count();
            // after it: a listing a minute later, another a minute later (the second empty one), then doubling
            assertTrue(after >= 2, "listings every minute again after the blob: " + after);
            assertEquals(new HashSet<>(ids), new HashSet<>(got));
        }
    }
}
