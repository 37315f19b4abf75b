package io.github.auditlake.o365.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.cursor.WindowPlanner;
import io.github.auditlake.o365.metrics.EngineMetrics;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import io.github.auditlake.o365.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The steady-state API cost of straggler coverage for a busy tenant (200 blobs an hour for one content type, 600
 * blobs per listing page), in simulated time: requests counted as the service counts them (one per page, one per
 * blob). The figures are printed for docs/benchmarks.md; the assertions only bound them loosely.
 */
class ApiCostTest {
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

    record Cost(double requestsPerHour, double requestsPerBlob, int blobsPerHour) {}

    static Cost measure(Duration coverage, Duration history) throws Exception {
        return measure(coverage, history, Duration.ofMinutes(15));
    }

    static Cost measure(Duration coverage, Duration history, Duration sweepInterval) throws Exception {
        ManualClock clock = new ManualClock(NOW);
        FakeManagementApi api = new FakeManagementApi("7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d", clock);
        api.addSchedule(
                ContentType.EXCHANGE, NOW.minus(history), NOW.plus(Duration.ofHours(6)), Duration.ofSeconds(18), 1);
        EngineSettings s = EngineSettings.builder(
                        new WindowPlanner(Duration.ofHours(1), coverage, Duration.ofMinutes(15), sweepInterval),
                        history.minus(Duration.ofMinutes(20)))
                .pollInterval(Duration.ofMinutes(1))
                .fetchConcurrency(4)
                .bufferMaxBytes(1 << 24)
                .outputCapacity(4096)
                .heartbeatInterval(Duration.ZERO)
                .manageSubscriptions(true)
                .backoff(Duration.ofSeconds(1), Duration.ofSeconds(30))
                .build();
        Instant from = NOW.plus(Duration.ofHours(2));
        Instant to = NOW.plus(Duration.ofHours(5));
        Set<String> delivered = new HashSet<>();
        try (CollectionEngine e = new CollectionEngine(
                List.of(new StreamId(api.tenantId(), ContentType.EXCHANGE)),
                t -> api,
                Map.of(),
                s,
                clock,
                clock.sleeper(),
                new Random(1),
                new EngineMetrics())) {
            e.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (clock.instant().isBefore(to.plus(Duration.ofMinutes(2)))) {
                assertTrue(System.nanoTime() < deadline, "simulated time reached " + clock.instant());
                for (Emission m : e.poll(Duration.ofMillis(5), 10_000)) {
                    if (m instanceof Emission.Event ev) {
                        assertTrue(
                                delivered.add(ev.record().id()),
                                "delivered twice: " + ev.record().id());
                    }
                }
            }
        }
        long requests = api.requestTimes().stream()
                .filter(t -> !t.isBefore(from) && t.isBefore(to))
                .count();
        double hours = Duration.between(from, to).toMinutes() / 60.0;
        int blobsPerHour = 200;
        return new Cost(requests / hours, requests / hours / blobsPerHour, blobsPerHour);
    }

    @Test
    void aBusyTenantCostsAboutOneAndAHalfRequestsPerBlobAt24HoursCoverage() throws Exception {
        Cost c = measure(Duration.ofHours(24), Duration.ofHours(25));
        System.out.printf(
                "API cost, 24 h coverage: %.0f requests/hour, %.2f requests/blob%n",
                c.requestsPerHour(), c.requestsPerBlob());
        assertTrue(c.requestsPerBlob() >= 1.0 && c.requestsPerBlob() < 1.8, "requests per blob " + c);
    }

    @Test
    void aBusyTenantCostsAboutTwoRequestsPerBlobWithTheDefaultThreeMinuteDaySweep() throws Exception {
        Cost c = measure(Duration.ofHours(24), Duration.ofHours(25), WindowPlanner.DEFAULT_SWEEP_INTERVAL);
        System.out.printf(
                "API cost, 24 h coverage, 3-minute day sweep: %.0f requests/hour, %.2f requests/blob%n",
                c.requestsPerHour(), c.requestsPerBlob());
        // fetches 200/h; frontier 40 listings of one page; 20 day listings of 8 pages (the frontier's included)
        assertTrue(c.requestsPerBlob() >= 1.8 && c.requestsPerBlob() < 2.2, "requests per blob " + c);
    }

    @Test
    void aBusyTenantCostsUnderTwoRequestsPerBlobAtSevenDaysCoverage() throws Exception {
        Cost c = measure(Duration.ofDays(7).minus(Duration.ofMinutes(15)), Duration.ofDays(7));
        System.out.printf(
                "API cost, 7 d coverage: %.0f requests/hour, %.2f requests/blob%n",
                c.requestsPerHour(), c.requestsPerBlob());
        assertTrue(c.requestsPerBlob() >= 1.0 && c.requestsPerBlob() < 2.2, "requests per blob " + c);
        assertEquals(200, c.blobsPerHour());
    }
}
