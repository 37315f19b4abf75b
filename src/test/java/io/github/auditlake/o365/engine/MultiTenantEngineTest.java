package io.github.auditlake.o365.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.cursor.WindowPlanner;
import io.github.auditlake.o365.metrics.EngineMetrics;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import io.github.auditlake.o365.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Several tenants in one engine: each has its own client, and one tenant's failure never stops the others. */
class MultiTenantEngineTest {
    static final String A = "aaaaaaaa-2222-4333-8444-555555555501";
    static final String B = "bbbbbbbb-2222-4333-8444-555555555502";
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

    @Test
    void aTenantWhosePermissionIsRevokedIsReportedAndRetriedWhileTheOtherGoesOn() throws Exception {
        ManualClock clock = new ManualClock(NOW);
        FakeManagementApi a = new FakeManagementApi(A, clock);
        FakeManagementApi b = new FakeManagementApi(B, clock);
        Map<String, ManagementApi> apis = Map.of(A, a, B, b);
        List<String> expectedA = a.addSchedule(
                ContentType.EXCHANGE,
                NOW.minus(Duration.ofHours(3)),
                NOW.plus(Duration.ofHours(2)),
                Duration.ofMinutes(20),
                2);
        List<String> expectedB = b.addSchedule(
                ContentType.EXCHANGE,
                NOW.minus(Duration.ofHours(3)).plusSeconds(7),
                NOW.plus(Duration.ofHours(2)),
                Duration.ofMinutes(20),
                2);
        assertTrue(expectedB.stream().noneMatch(expectedA::contains), "distinct ids per tenant");
        // tenant B's consent is missing until the test has seen B reported, then granted (not after a span of
        // simulated time: on a loaded machine that span could pass before B's thread ever ran, and B never failed)
        b.failListing(new ApiException(
                ErrorKind.PERMANENT,
                403,
                "AF10001",
                "The permission set () sent in the "
                        + "request does not include the expected permission ActivityFeed.Read.",
                null,
                null,
                null));
        EngineSettings s = EngineSettings.builder(
                        new WindowPlanner(
                                Duration.ofHours(1),
                                Duration.ofHours(24),
                                Duration.ofMinutes(15),
                                Duration.ofMinutes(15)),
                        Duration.ofHours(3))
                .pollInterval(Duration.ofMinutes(1))
                .fetchConcurrency(2)
                .bufferMaxBytes(1 << 20)
                .outputCapacity(256)
                .heartbeatInterval(Duration.ZERO)
                .manageSubscriptions(true)
                .backoff(Duration.ofSeconds(1), Duration.ofSeconds(30))
                .isolateFailures(true)
                .build();
        EngineMetrics metrics = new EngineMetrics();
        StreamId sa = new StreamId(A, ContentType.EXCHANGE);
        StreamId sb = new StreamId(B, ContentType.EXCHANGE);
        try (CollectionEngine e = new CollectionEngine(
                List.of(sa, sb), apis::get, Map.of(), s, clock, clock.sleeper(), new Random(1), metrics)) {
            e.start();
            Set<String> got = new HashSet<>();
            List<String> everyDelivery = new ArrayList<>(); // counts occurrences: a duplicate shows
            List<Emission.StreamFailure> failures = new ArrayList<>();
            // a hang guard, not a timing: simulated time runs as fast as the machine lets it (slow when shared)
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!got.containsAll(expectedA) || failures.isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "tenant A delivered " + got.size());
                for (Emission m : e.poll(Duration.ofMillis(10), 100)) {
                    if (m instanceof Emission.Event ev) {
                        got.add(ev.record().id());
                        everyDelivery.add(ev.record().id());
                    } else if (m instanceof Emission.StreamFailure f) {
                        failures.add(f);
                    }
                }
            }
            assertEquals(sb, failures.get(0).stream());
            assertTrue(
                    failures.get(0).reason().contains("ActivityFeed.Read"),
                    failures.get(0).reason());
            assertTrue(metrics.streamFailures.sum() >= 1, "the failing tenant shows in the metrics");
            assertEquals(0, metrics.tenantFailingSince(A));

            // consent is granted again: tenant B catches up by itself, nothing lost
            b.stopFailingListings();
            while (!got.containsAll(expectedB)) {
                assertTrue(System.nanoTime() < deadline, "tenant B delivered after the fix");
                for (Emission m : e.poll(Duration.ofMillis(10), 100)) {
                    if (m instanceof Emission.Event ev) {
                        got.add(ev.record().id());
                        everyDelivery.add(ev.record().id());
                    }
                }
            }
            assertEquals(0, metrics.tenantFailingSince(B), "recovered");
            assertEquals(got.size(), everyDelivery.size(), "every record of both tenants once: " + everyDelivery);
        }
        // the engine is closed: the counts are final. Each tenant's records are counted under that tenant
        assertTrue(metrics.recordsEmittedBy(A).sum() >= expectedA.size(), "tenant A's records");
        assertTrue(metrics.recordsEmittedBy(B).sum() >= expectedB.size(), "tenant B's records");
        assertEquals(
                metrics.recordsEmitted.sum(),
                metrics.recordsEmittedBy(A).sum() + metrics.recordsEmittedBy(B).sum(),
                "the per-tenant counts add up to the task's");
    }

    @Test
    void withOneTenantAPermanentErrorStillFailsTheTaskWithItsMessage() throws Exception {
        ManualClock clock = new ManualClock(NOW);
        FakeManagementApi a = new FakeManagementApi(A, clock);
        a.failListing(
                new ApiException(ErrorKind.PERMANENT, 403, "AF10001", "missing ActivityFeed.Read", null, null, null));
        EngineSettings s = EngineSettings.builder(
                        new WindowPlanner(
                                Duration.ofHours(1),
                                Duration.ofHours(24),
                                Duration.ofMinutes(15),
                                Duration.ofMinutes(15)),
                        Duration.ofHours(3))
                .pollInterval(Duration.ofMinutes(1))
                .fetchConcurrency(2)
                .bufferMaxBytes(1 << 20)
                .outputCapacity(256)
                .heartbeatInterval(Duration.ZERO)
                .manageSubscriptions(true)
                .backoff(Duration.ofSeconds(1), Duration.ofSeconds(30))
                .build();
        try (CollectionEngine e = new CollectionEngine(
                List.of(new StreamId(A, ContentType.EXCHANGE)),
                t -> a,
                Map.of(),
                s,
                clock,
                clock.sleeper(),
                new Random(1),
                new EngineMetrics())) {
            e.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            ApiException thrown = null;
            while (thrown == null) {
                assertTrue(System.nanoTime() < deadline);
                try {
                    e.poll(Duration.ofMillis(10), 10);
                } catch (ApiException ex) {
                    thrown = ex;
                }
            }
            assertTrue(thrown.getMessage().contains("ActivityFeed.Read"));
        }
    }
}
