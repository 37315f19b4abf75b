package io.github.auditlake.o365;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.config.DefaultApiFactory;
import io.github.auditlake.o365.config.O365SourceTaskConfig;
import io.github.auditlake.o365.records.RecordMapper;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.RecordedRequest;
import io.github.auditlake.o365.simulator.SimBlob;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import io.github.auditlake.o365.testkit.Await;
import io.github.auditlake.o365.testkit.ConnectorConfigs;
import io.github.auditlake.o365.testkit.FakeTaskContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * The task, with the real OkHttp/MSAL client, against the simulator across days of simulated time: every record id
 * the simulator made available is delivered, across restarts in the middle of blobs, late blobs and duplicates.
 */
class TaskAgainstSimulatorTest {
    static final String TENANT = "8e4d2b3c-6f70-4b9c-8d1e-2f3a4b5c6d7e";
    static final String CLIENT = "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69";
    static final Instant T0 = Instant.parse("2026-11-20T12:00:00Z");

    @Test
    void deliversEverythingAcrossDaysOfSimulatedTimeAndRestartsInsideBlobs() throws Exception {
        SimClock clock = SimClock.fixed(T0);
        try (ManagementApiSimulator sim = ManagementApiSimulator.builder()
                .clock(clock)
                .seed(11)
                .pageSize(20)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret("s3cret").roles(AppSpec.ROLE_READ, AppSpec.ROLE_READ_DLP))
                        .volumeAll(Volume.of(4, 15))
                        .backfill(Duration.ofDays(2))
                        .lateBlobs(0.1, Duration.ofMinutes(30))
                        .duplicates(0.05))
                .build()
                .start()) {
            Map<String, String> props = ConnectorConfigs.forSimulator(sim.baseUrl())
                    .tenant(TENANT)
                    .client(CLIENT, "s3cret")
                    .lookback(Duration.ofDays(2))
                    .noHeartbeats()
                    .task(
                            List.of(ContentType.values()).stream()
                                    .map(t -> TENANT + "|" + t.wireName())
                                    .collect(Collectors.joining(",")),
                            100000)
                    .build();
            FakeTaskContext ctx = new FakeTaskContext(false);
            List<SourceRecord> delivered = new ArrayList<>();

            // run until about 800 records, then "crash" inside a blob: the worker committed nothing after it
            O365AuditSourceTask first = start(sim, clock, ctx, props);
            int kept = pollUntil(first, ctx, delivered, d -> d.size() >= 800, true);
            first.stop();
            assertTrue(delivered.get(kept - 1).sourceOffset().containsKey("blob.records"), "cut inside a blob");

            // resume and run a simulated day past T0
            O365AuditSourceTask second = start(sim, clock, ctx, props);
            pollUntil(second, ctx, delivered, d -> clock.instant().isAfter(T0.plus(Duration.ofDays(1))), false);
            second.stop();

            Instant coveredUntil = clock.instant().minus(Duration.ofHours(2));
            for (ContentType type : ContentType.values()) {
                Set<String> expected = sim.expectedRecordIds(TENANT, type, T0.minus(Duration.ofDays(2)), coveredUntil);
                Set<Object> got = delivered.stream()
                        .filter(r -> type.wireName().equals(r.sourcePartition().get("contentType")))
                        .map(SourceRecord::key)
                        .collect(Collectors.toSet());
                assertTrue(expected.size() > 100, type + " has data");
                Set<String> missing = new HashSet<>(expected);
                missing.removeAll(got);
                assertEquals(Set.of(), missing, type + ": records lost");
            }
            for (RecordedRequest r : sim.requests()) {
                if (r.isApi()) {
                    assertEquals(
                            TENANT,
                            r.query("PublisherIdentifier").orElse(null),
                            "PublisherIdentifier on " + r.path() + "?" + r.rawQuery());
                }
            }
        }
    }

    /**
     * Microsoft puts the same audit record (same Id) in two blobs by design. Both copies are delivered, with the same
     * key: per blob, the delivered keys are exactly the blob's record Ids (compared as lists, duplicates included).
     */
    @Test
    void passesMicrosoftsDuplicatesThroughWithTheSameKey() throws Exception {
        SimClock clock = SimClock.fixed(T0);
        try (ManagementApiSimulator sim = ManagementApiSimulator.builder()
                .clock(clock)
                .seed(5)
                .pageSize(20)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret("s3cret").roles(AppSpec.ROLE_READ))
                        .volumeAll(Volume.of(6, 5))
                        .backfill(Duration.ofHours(8))
                        .duplicates(0.5))
                .build()
                .start()) {
            Map<String, String> props = ConnectorConfigs.forSimulator(sim.baseUrl())
                    .tenant(TENANT)
                    .client(CLIENT, "s3cret")
                    .contentTypes(ContentType.EXCHANGE)
                    .lookback(Duration.ofHours(8))
                    .noHeartbeats()
                    .task(TENANT + "|Audit.Exchange", 100000)
                    .build();
            List<SimBlob> blobs = sim.visibleBlobs(
                    TENANT, ContentType.EXCHANGE, T0.minus(Duration.ofHours(8)), T0.minus(Duration.ofHours(1)));
            Map<String, List<String>> idsByBlob = new HashMap<>();
            List<String> allIds = new ArrayList<>();
            blobs.forEach(b -> {
                idsByBlob.put(b.contentId(), b.recordIds());
                allIds.addAll(b.recordIds());
            });
            long duplicated = allIds.size() - new HashSet<>(allIds).size();
            assertTrue(duplicated > 0, "the simulator made duplicates across blobs");

            FakeTaskContext ctx = new FakeTaskContext(false);
            List<SourceRecord> delivered = new ArrayList<>();
            O365AuditSourceTask task = start(sim, clock, ctx, props);
            try {
                // 30 simulated minutes past T0, everything created before T0 - 1 h has been listed and fetched
                pollUntil(task, ctx, delivered, d -> clock.instant().isAfter(T0.plus(Duration.ofMinutes(30))), false);
            } finally {
                task.stop();
            }

            Map<String, List<Object>> got = byBlob(delivered);
            for (Map.Entry<String, List<String>> e : idsByBlob.entrySet()) {
                assertEquals(e.getValue(), got.get(e.getKey()), "keys of blob " + e.getKey());
            }
            List<Object> keys = new ArrayList<>();
            idsByBlob.keySet().forEach(id -> keys.addAll(got.get(id)));
            assertEquals(
                    duplicated,
                    keys.size() - new HashSet<>(keys).size(),
                    "every duplicate the service made is delivered, with the same key");
        }
    }

    /** Delivered record keys grouped by the content id header, in delivery order. */
    static Map<String, List<Object>> byBlob(List<SourceRecord> delivered) {
        Map<String, List<Object>> out = new HashMap<>();
        for (SourceRecord r : delivered) {
            out.computeIfAbsent(
                            (String) r.headers()
                                    .lastWithName(RecordMapper.HEADER_CONTENT_ID)
                                    .value(),
                            k -> new ArrayList<>())
                    .add(r.key());
        }
        return out;
    }

    @Test
    void collectsSeveralTenantsEachWithItsOwnTokenAndPublisherIdentifier() throws Exception {
        String other = "8e4d2b3c-6f70-4b9c-8d1e-2f3a4b5c6d7f";
        SimClock clock = SimClock.fixed(T0);
        try (ManagementApiSimulator sim = ManagementApiSimulator.builder()
                .clock(clock)
                .seed(12)
                .pageSize(20)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret("s3cret").roles(AppSpec.ROLE_READ))
                        .volumeAll(Volume.of(4, 5))
                        .backfill(Duration.ofHours(6)))
                .tenant(TenantSpec.of(other)
                        .app(AppSpec.of(CLIENT).secret("s3cret").roles(AppSpec.ROLE_READ))
                        .volumeAll(Volume.of(4, 5))
                        .backfill(Duration.ofHours(6)))
                .build()
                .start()) {
            Map<String, String> props = ConnectorConfigs.forSimulator(sim.baseUrl())
                    .tenants(TENANT + ", " + other)
                    .client(CLIENT, "s3cret")
                    .contentTypes(ContentType.EXCHANGE)
                    .lookback(Duration.ofHours(6))
                    .noHeartbeats()
                    .with(
                            O365SourceTaskConfig.TASK_STREAMS_CONFIG,
                            TENANT + "|Audit.Exchange," + other + "|Audit.Exchange")
                    .build();
            FakeTaskContext ctx = new FakeTaskContext(false);
            List<SourceRecord> delivered = new ArrayList<>();
            Set<String> expected = new HashSet<>();
            expected.addAll(sim.expectedRecordIds(
                    TENANT, ContentType.EXCHANGE, T0.minus(Duration.ofHours(6)), T0.minus(Duration.ofMinutes(5))));
            expected.addAll(sim.expectedRecordIds(
                    other, ContentType.EXCHANGE, T0.minus(Duration.ofHours(6)), T0.minus(Duration.ofMinutes(5))));
            assertTrue(expected.size() > 20);
            O365AuditSourceTask task = start(sim, clock, ctx, props);
            pollUntil(
                    task,
                    ctx,
                    delivered,
                    d -> d.stream()
                            .map(SourceRecord::key)
                            .collect(Collectors.toSet())
                            .containsAll(expected),
                    false);
            task.stop();
            Set<Object> tenants = delivered.stream()
                    .map(r -> r.sourcePartition().get("tenant"))
                    .collect(Collectors.toSet());
            assertEquals(Set.of(TENANT, other), tenants);
            for (RecordedRequest r : sim.requests()) {
                if (r.isApi()) {
                    assertTrue(
                            r.path()
                                    .contains(
                                            "/" + r.query("PublisherIdentifier").orElse("none") + "/"),
                            "each tenant's calls carry its own PublisherIdentifier: " + r.path() + "?" + r.rawQuery());
                    assertEquals(200, r.status(), "each tenant's calls carry its own token: " + r.path());
                }
            }
        }
    }

    static O365AuditSourceTask start(
            ManagementApiSimulator sim, SimClock clock, FakeTaskContext ctx, Map<String, String> props) {
        io.github.auditlake.o365.api.Sleeper sleeper = d -> {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            clock.advance(d);
            Thread.yield();
        };
        O365AuditSourceTask t = new O365AuditSourceTask(new DefaultApiFactory(clock, sleeper), clock, sleeper);
        t.initialize(ctx);
        t.start(props);
        return t;
    }

    /** Polls until {@code done}; with {@code cut}, drops the end of the last batch to stop inside a blob. */
    static int pollUntil(
            O365AuditSourceTask t,
            FakeTaskContext ctx,
            List<SourceRecord> delivered,
            java.util.function.Predicate<List<SourceRecord>> done,
            boolean cut)
            throws Exception {
        int[] kept = {-1};
        Await.untilBlocking(
                Duration.ofSeconds(90),
                Await.checked(() -> {
                    if (done.test(delivered)) {
                        return true;
                    }
                    List<SourceRecord> batch = t.poll();
                    if (batch == null) {
                        return false;
                    }
                    for (SourceRecord r : batch) {
                        delivered.add(r);
                        ctx.store(r);
                        t.commitRecord(r, null); // as the worker does once the broker acknowledged it
                        if (cut && done.test(delivered) && r.sourceOffset().containsKey("blob.records")) {
                            kept[0] = delivered.size();
                            return true;
                        }
                    }
                    return false;
                }),
                () -> "timed out with " + delivered.size() + " records");
        if (kept[0] >= 0) {
            return kept[0];
        }
        return delivered.size();
    }
}
