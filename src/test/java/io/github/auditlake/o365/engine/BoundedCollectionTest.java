package io.github.auditlake.o365.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ContentPage;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.cursor.WindowPlanner;
import io.github.auditlake.o365.metrics.EngineMetrics;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import io.github.auditlake.o365.testkit.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An engine with an end bound ({@code EngineSettings.endAt}): one pass over the range, then drained. */
class BoundedCollectionTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final StreamId EXCHANGE = new StreamId(TENANT, ContentType.EXCHANGE);

    final ManualClock clock = new ManualClock(NOW);
    CollectionEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    /** As the export sets it up: coverage over the whole retention, no heartbeats, no subscription management. */
    static EngineSettings bounded(Instant endAt) {
        return EngineSettings.builder(
                        new WindowPlanner(
                                Duration.ofHours(23),
                                Duration.ofDays(7).minusMinutes(5),
                                Duration.ofMinutes(5),
                                Duration.ofHours(1)),
                        Duration.ofDays(1))
                .pollInterval(Duration.ofSeconds(5))
                .fetchConcurrency(4)
                .bufferMaxBytes(32L << 20)
                .outputCapacity(256)
                .heartbeatInterval(Duration.ZERO)
                .manageSubscriptions(false)
                .backoff(Duration.ofSeconds(1), Duration.ofMinutes(5))
                .endAt(endAt)
                .build();
    }

    CollectionEngine start(FakeManagementApi api, Instant from, Instant endAt) {
        api.startSubscription(ContentType.EXCHANGE, null);
        engine = new CollectionEngine(
                List.of(EXCHANGE),
                t -> api,
                Map.of(EXCHANGE, StreamCursor.startingAt(from, from)),
                bounded(endAt),
                clock,
                clock.sleeper(),
                new Random(3),
                new EngineMetrics());
        engine.start();
        return engine;
    }

    /** Polls until the engine reports it drained (with a wall-clock deadline); returns the record ids emitted. */
    static List<String> drainAll(CollectionEngine e) throws Exception {
        List<String> ids = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            assertTrue(System.nanoTime() < deadline, "not drained in time; got " + ids.size() + " records");
            for (Emission m : e.poll(Duration.ofMillis(100), 500)) {
                if (m instanceof Emission.Event ev) {
                    ids.add(ev.record().id());
                }
            }
            if (e.isDrained()) {
                return ids;
            }
        }
    }

    private static List<String> sorted(List<String> l) {
        List<String> s = new ArrayList<>(l);
        Collections.sort(s);
        return s;
    }

    @Test
    void listsEachSpanOnceInWindowsOfADayEndingAtTheBoundThenDrains() throws Exception {
        FakeManagementApi api = new FakeManagementApi(TENANT, clock);
        Instant from = NOW.minus(Duration.ofDays(3)).plus(Duration.ofMinutes(20));
        Instant to = NOW.minus(Duration.ofHours(2));
        List<String> inRange = api.addSchedule(ContentType.EXCHANGE, from, to, Duration.ofMinutes(30), 3);
        api.addSchedule(ContentType.EXCHANGE, to, NOW, Duration.ofMinutes(30), 3); // after the bound

        List<String> got = drainAll(start(api, from, to));

        assertEquals(sorted(inRange), sorted(got), "every record of the range once, nothing after it");
        List<String> windows =
                api.windows().stream().map(w -> w[0] + "/" + w[1]).toList();
        assertEquals(
                List.of(
                        from + "/" + from.plus(Duration.ofDays(1)),
                        from.plus(Duration.ofDays(1)) + "/" + from.plus(Duration.ofDays(2)),
                        from.plus(Duration.ofDays(2)) + "/" + to),
                windows,
                "one listing per day, no re-listed hour, no sweep");
        assertEquals(0, engine.metrics().sweeps.sum());
    }

    @Test
    void aBoundAtTheServicesTimeWaitsForItInsteadOfListingTheLastSecondsApart() throws Exception {
        FakeManagementApi api = new FakeManagementApi(TENANT, clock);
        Instant from = NOW.minus(Duration.ofHours(5));
        List<String> all = new ArrayList<>(api.addSchedule(ContentType.EXCHANGE, from, NOW, Duration.ofMinutes(10), 2));
        // created in the last second before the bound, inside the margin the engine keeps from the service's time
        all.addAll(api.addBlob(ContentType.EXCHANGE, NOW.minusMillis(500), NOW.minusMillis(500), 2)
                .recordIds());

        List<String> got = drainAll(start(api, from, NOW));

        assertEquals(1, api.windows().size(), "the range listed as one window, once the service passed its end");
        Instant[] w = api.windows().get(0);
        assertEquals(from, w[0]);
        assertEquals(NOW, w[1]);
        assertTrue(!w[2].isBefore(NOW.plus(WindowPlanner.END_MARGIN)), "listed after the margin: " + w[2]);
        assertEquals(sorted(all), sorted(got), "the blob of the last second too");
    }

    @Test
    void aBoundWithinAMillisecondIsReachedWithoutAnEmptyWindow() throws Exception {
        FakeManagementApi api = new FakeManagementApi(TENANT, clock);
        Instant from = NOW.minus(Duration.ofHours(5));
        Instant bound = NOW.minus(Duration.ofHours(1)).plusNanos(123_456); // a system clock's "now" has micros
        List<String> all =
                new ArrayList<>(api.addSchedule(ContentType.EXCHANGE, from, bound, Duration.ofMinutes(10), 2));
        // created in the bound's millisecond, before the bound
        all.addAll(api.addBlob(ContentType.EXCHANGE, bound.truncatedTo(java.time.temporal.ChronoUnit.MILLIS), from, 2)
                .recordIds());

        List<String> got = drainAll(start(api, from, bound));

        assertEquals(1, api.windows().size(), "one window; none of less than a millisecond (the API refuses it)");
        assertEquals(sorted(all), sorted(got));
    }

    @Test
    void aBoundFarAheadOfTheServicesTimeListsWhatThereIsFirst() throws Exception {
        FakeManagementApi api = new FakeManagementApi(TENANT, clock);
        Instant from = NOW.minus(Duration.ofHours(5));
        api.addSchedule(ContentType.EXCHANGE, from, NOW, Duration.ofMinutes(10), 2);
        CollectionEngine e = start(api, from, NOW.plus(Duration.ofMinutes(10)));

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (api.windows().isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "nothing listed");
            e.poll(Duration.ofMillis(50), 500);
        }
        assertEquals(from, api.windows().get(0)[0]);
        assertTrue(
                api.windows().get(0)[1].isBefore(NOW.plus(Duration.ofMinutes(10))),
                "the first listing does not wait ten minutes for the bound");
        drainAll(e);
        assertEquals(
                NOW.plus(Duration.ofMinutes(10)),
                api.windows().get(api.windows().size() - 1)[1]);
    }

    /** Lists the first blob again in every later window, as the service sometimes does. */
    static final class Relisting extends FakeManagementApi {
        volatile ContentBlob again;

        Relisting(String tenant, Clock clock) {
            super(tenant, clock);
        }

        @Override
        public ContentPage listContent(ContentType type, Instant start, Instant end) {
            ContentPage p = super.listContent(type, start, end);
            List<ContentBlob> blobs = new ArrayList<>(p.blobs());
            if (again != null && blobs.stream().noneMatch(b -> b.contentId().equals(again.contentId()))) {
                blobs.add(again);
            }
            return new ContentPage(blobs, p.nextPageUri());
        }
    }

    @Test
    void aBlobListedInSeveralWindowsIsDeliveredOnce() throws Exception {
        Relisting api = new Relisting(TENANT, clock);
        Instant from = NOW.minus(Duration.ofDays(6));
        Instant to = NOW.minus(Duration.ofDays(1));
        List<String> all = api.addSchedule(ContentType.EXCHANGE, from, to, Duration.ofHours(3), 2);
        api.again = api.addBlob(ContentType.EXCHANGE, from.plusSeconds(1), from.plusSeconds(1), 2)
                .blob();
        List<String> expected = new ArrayList<>(all);
        expected.add(api.again.contentId() + "#0");
        expected.add(api.again.contentId() + "#1");

        List<String> got = drainAll(start(api, from, to));

        assertEquals(5, api.windows().size());
        assertEquals(sorted(expected), sorted(got), "the blob listed in five windows once");
        assertEquals(all.size() / 2 + 1, api.opens(), "each blob fetched once");
    }
}
