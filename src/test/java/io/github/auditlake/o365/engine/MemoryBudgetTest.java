package io.github.auditlake.o365.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.cursor.WindowPlanner;
import io.github.auditlake.o365.metrics.EngineMetrics;
import io.github.auditlake.o365.testkit.Await;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import io.github.auditlake.o365.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Several engines (tasks) sharing one {@link MemoryBudget}, in simulated time. */
class MemoryBudgetTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    /** About 37 records of the fake's ~170-character records. */
    static final long BUDGET = 16 * 1024;

    final ManualClock clock = new ManualClock(NOW);
    final FakeManagementApi api = new FakeManagementApi(TENANT, clock);
    final MemoryBudget budget = new MemoryBudget(BUDGET);
    final AtomicLong peak = new AtomicLong();
    final List<CollectionEngine> engines = new ArrayList<>();

    MemoryBudgetTest() {
        api.onRecordRead(id -> peak.accumulateAndGet(budget.usedBytes(), Math::max));
    }

    @AfterEach
    void close() {
        engines.forEach(CollectionEngine::close);
    }

    CollectionEngine engine(ContentType type) {
        EngineSettings s = EngineSettings.builder(
                        new WindowPlanner(
                                Duration.ofHours(1),
                                Duration.ofHours(24),
                                Duration.ofMinutes(15),
                                Duration.ofMinutes(15)),
                        Duration.ofDays(3))
                .pollInterval(Duration.ofMinutes(1))
                .fetchConcurrency(4)
                .bufferMaxBytes(BUDGET)
                .outputCapacity(256)
                .heartbeatInterval(Duration.ZERO)
                .manageSubscriptions(true)
                .backoff(Duration.ofSeconds(1), Duration.ofSeconds(30))
                .build();
        CollectionEngine e = new CollectionEngine(
                List.of(new StreamId(TENANT, type)),
                t -> api,
                Map.of(),
                s,
                clock,
                clock.sleeper(),
                new Random(3),
                new EngineMetrics(),
                budget);
        engines.add(e);
        e.start();
        return e;
    }

    List<String> schedule(ContentType type, int blobs, int records) {
        return api.addSchedule(
                type,
                NOW.minus(Duration.ofHours(20)),
                NOW.minus(Duration.ofHours(20)).plus(Duration.ofMinutes(10L * blobs)),
                Duration.ofMinutes(10),
                records);
    }

    /** Polls every engine in turn until each delivered its expected ids; returns what each delivered. */
    static List<List<String>> drainAll(List<CollectionEngine> es, List<List<String>> expected) {
        List<List<String>> got = new ArrayList<>();
        es.forEach(e -> got.add(new ArrayList<>()));
        Await.untilBlocking(
                Duration.ofSeconds(60),
                () -> {
                    boolean done = true;
                    for (int i = 0; i < es.size(); i++) {
                        try {
                            for (Emission m : es.get(i).poll(Duration.ofMillis(20), 500)) {
                                if (m instanceof Emission.Event ev) {
                                    got.get(i).add(ev.record().id());
                                }
                            }
                        } catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                            return false;
                        }
                        done &= got.get(i).size() >= expected.get(i).size();
                    }
                    return done;
                },
                () -> "delivered " + got.stream().map(List::size).toList() + " of "
                        + expected.stream().map(List::size).toList());
        return got;
    }

    /** The charge of one of the fake's records (ids differ in length by a few characters: a margin for them). */
    long oneRecord() {
        String json = new FakeManagementApi(TENANT, clock)
                .addBlob(ContentType.EXCHANGE, NOW, NOW, 1)
                .json()
                .get(0);
        return 2L * (json.length() + 16) + 96;
    }

    @Test
    void enginesSharingTheBudgetStayWithinItAndEachDeliversEverythingInOrder() {
        List<List<String>> expected = List.of(
                schedule(ContentType.EXCHANGE, 6, 100),
                schedule(ContentType.SHAREPOINT, 6, 100),
                schedule(ContentType.GENERAL, 6, 100));
        List<CollectionEngine> es =
                List.of(engine(ContentType.EXCHANGE), engine(ContentType.SHAREPOINT), engine(ContentType.GENERAL));

        List<List<String>> got = drainAll(es, expected);

        assertEquals(expected, got);
        // at most two records per stream beyond the budget (one taken while the stream holds back another)
        assertTrue(peak.get() <= BUDGET + 6 * oneRecord(), "peak " + peak.get() + " bytes");
        assertTrue(peak.get() > BUDGET / 2, "the budget was used: peak " + peak.get());
        assertEquals(0, budget.usedBytes(), "every polled record was handed over");
    }

    @Test
    void aBlobFarLargerThanTheBudgetIsDeliveredWithinIt() {
        List<String> expected = api.addBlob(
                        ContentType.EXCHANGE, NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(2)), 3000)
                .recordIds(); // about 80 times the budget
        CollectionEngine e = engine(ContentType.EXCHANGE);

        List<List<String>> got = drainAll(List.of(e), List.of(expected));

        assertEquals(List.of(expected), got);
        assertTrue(peak.get() <= BUDGET + 2 * oneRecord(), "peak " + peak.get() + " bytes");
    }

    @Test
    void aBudgetSmallerThanOneRecordStillDeliversOneRecordAtATime() {
        MemoryBudget tiny = new MemoryBudget(1);
        List<String> expected = schedule(ContentType.EXCHANGE, 2, 20);
        EngineSettings s = EngineSettings.builder(
                        new WindowPlanner(
                                Duration.ofHours(1),
                                Duration.ofHours(24),
                                Duration.ofMinutes(15),
                                Duration.ofMinutes(15)),
                        Duration.ofDays(3))
                .pollInterval(Duration.ofMinutes(1))
                .fetchConcurrency(4)
                .bufferMaxBytes(1)
                .outputCapacity(256)
                .heartbeatInterval(Duration.ZERO)
                .manageSubscriptions(true)
                .backoff(Duration.ofSeconds(1), Duration.ofSeconds(30))
                .build();
        CollectionEngine e = new CollectionEngine(
                List.of(new StreamId(TENANT, ContentType.EXCHANGE)),
                t -> api,
                Map.of(),
                s,
                clock,
                clock.sleeper(),
                new Random(3),
                new EngineMetrics(),
                tiny);
        engines.add(e);
        e.start();

        assertEquals(List.of(expected), drainAll(List.of(e), List.of(expected)));
    }

    @Test
    void aStoppedEngineReturnsItsBytesAndARestartedOneDeliversEverything() {
        List<String> exchange = schedule(ContentType.EXCHANGE, 6, 100);
        CollectionEngine first = engine(ContentType.EXCHANGE);
        // never polled: it fills what the budget allows and holds it
        Await.until(
                Duration.ofSeconds(30),
                () -> first.bufferedBytes() >= BUDGET / 2,
                () -> "buffered " + first.bufferedBytes());
        assertEquals(first.bufferedBytes(), budget.usedBytes());

        first.close();

        assertEquals(0, budget.usedBytes(), "a stopped engine returns every byte");
        assertEquals(0, budget.activeEngines());
        CollectionEngine restarted = engine(ContentType.EXCHANGE);
        assertEquals(List.of(exchange), drainAll(List.of(restarted), List.of(exchange)));
        restarted.close();
        assertEquals(0, budget.usedBytes());
    }

    @Test
    void anEngineHoldingItsBytesUnpolledDoesNotStarveAnother() {
        schedule(ContentType.EXCHANGE, 6, 100);
        List<String> general = schedule(ContentType.GENERAL, 4, 100);
        CollectionEngine stuck = engine(ContentType.EXCHANGE);
        Await.until(
                Duration.ofSeconds(30),
                () -> stuck.bufferedBytes() >= BUDGET / 2,
                () -> "buffered " + stuck.bufferedBytes());
        CollectionEngine other = engine(ContentType.GENERAL);

        assertEquals(List.of(general), drainAll(List.of(other), List.of(general)));
        assertTrue(peak.get() <= BUDGET + 4 * oneRecord(), "peak " + peak.get() + " bytes");
    }

    @Test
    void theWorkerWideBudgetIsOneInstanceRaisedToTheLargestSize() {
        MemoryBudget a = MemoryBudget.workerWide(1024);
        MemoryBudget b = MemoryBudget.workerWide(512);
        assertSame(a, b);
        assertTrue(a.maxBytes() >= 1024);
        long before = a.maxBytes();
        MemoryBudget.workerWide(before + 1);
        assertEquals(before + 1, a.maxBytes());
    }
}
