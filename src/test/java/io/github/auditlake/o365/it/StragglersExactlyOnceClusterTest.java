package io.github.auditlake.o365.it;

import static io.github.auditlake.o365.it.ClusterSupport.connector;
import static io.github.auditlake.o365.it.ClusterSupport.consumeUntil;
import static io.github.auditlake.o365.it.ClusterSupport.simulator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.simulator.Faults;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.SimBlob;
import io.github.auditlake.o365.simulator.Volume;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On a real exactly-once cluster: stragglers that become visible hours after their contentCreated, during the run,
 * are delivered once; and a blob whose fetch stalls in the middle for longer than the producer's transaction timeout
 * does not fail the task (the open transaction is ended at the last delivered record).
 */
class StragglersExactlyOnceClusterTest {
    static EmbeddedConnectCluster connect;

    @BeforeAll
    static void startCluster() {
        connect = ClusterSupport.exactlyOnceCluster(
                "o365-eos-late", 1, Map.of("connector.client.config.override.policy", "All"));
        connect.kafka().createTopic("o365-audit-heartbeats", 1);
    }

    @AfterAll
    static void stopCluster() {
        if (connect != null) {
            connect.stop();
        }
    }

    @Test
    void stragglersTwoToTwentyHoursLateAppearingDuringTheRunAreDeliveredExactlyOnce() throws Exception {
        String tenant = "33333333-3333-4444-8555-666666666601";
        try (ManagementApiSimulator sim = simulator(tenant, Volume.of(4, 10), Duration.ofHours(24), 0)) {
            // the default configuration (24 h coverage, 1 h re-listed with every listing), except that the 24-hour
            // sweep runs every 3 s instead of every 3 minutes and the frontier is listed every 5 s instead of every
            // minute (a due day sweep rides on the next frontier listing), so the test need not wait for minutes
            StragglerRun run = StragglerRun.start(connect, sim, tenant, "audit-late", "late", cfg -> {
                cfg.put("o365.poll.interval.ms", "5000");
                cfg.put("o365.straggler.sweep.interval.ms", "3000");
            });

            // stragglers become visible now, created 2 to 20 hours ago: spans the connector listed long before
            Instant now = Instant.now();
            List<String> late = run.addStragglers(
                    now, List.of(Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(11), Duration.ofHours(20)));
            run.consume(Duration.ofSeconds(120), c -> c.keySet().containsAll(late));
            // a few more sweeps: nothing may be delivered twice
            Map<String, Integer> counts = run.consume(
                    Duration.ofSeconds(120), c -> c.keySet().containsAll(late) && run.sweepsSince(now) >= 3);
            assertEquals(
                    Map.of(), StragglerRun.notOnce(counts), "records seen more than once by a read_committed consumer");
            connect.deleteConnector("late");
        }
    }

    @Test
    void aBlobStallingLongerThanTheTransactionTimeoutDoesNotFailTheTask() throws Exception {
        String tenant = "33333333-3333-4444-8555-666666666602";
        try (ManagementApiSimulator sim = simulator(tenant, Volume.of(6, 300), Duration.ofHours(2), 0)) {
            Instant t0 = Instant.now();
            List<SimBlob> blobs = sim.visibleBlobs(
                    tenant, ContentType.EXCHANGE, t0.minus(Duration.ofHours(2)), t0.minus(Duration.ofMinutes(5)));
            assertTrue(blobs.size() >= 2, "visible blobs: " + blobs);
            // the second blob's first fetch sends half its records, then hangs for 25 s and drops the connection
            sim.faults()
                    .stall(Duration.ofSeconds(25))
                    .failNext(
                            1,
                            ".*/audit/"
                                    + java.util.regex.Pattern.quote(blobs.get(1).contentId()),
                            Faults.Kind.STALL_MID_BODY);
            connect.kafka().createTopic("audit-stall", 1);
            Map<String, String> cfg = new HashMap<>(connector(sim, tenant, "audit-stall", Duration.ofHours(2)));
            cfg.put("o365.content.types", "Audit.Exchange");
            cfg.put("o365.fetch.concurrency", "1");
            cfg.put("tasks.max", "1");
            cfg.put("exactly.once.support", "required");
            cfg.put("transaction.boundary", "connector");
            cfg.put("o365.transaction.max.records", "100000");
            // the broker aborts a transaction open longer than this
            cfg.put("producer.override.transaction.timeout.ms", "15000");
            connect.configureConnector("stall", cfg);
            Set<String> ids = sim.expectedRecordIds(
                    tenant, ContentType.EXCHANGE, t0.minus(Duration.ofHours(2)), t0.minus(Duration.ofMinutes(5)));
            assertTrue(ids.containsAll(blobs.get(1).recordIds()), "the stalled blob is among those awaited");
            Map<String, Integer> counts = consumeUntil(
                    connect.kafka().bootstrapServers(),
                    "audit-stall",
                    true,
                    Duration.ofSeconds(180),
                    c -> c.keySet().containsAll(ids));
            assertTrue(
                    sim.requests().stream()
                            .anyMatch(r -> r.path().endsWith(blobs.get(1).contentId())
                                    && r.duration().compareTo(Duration.ofSeconds(20)) > 0),
                    "the stall happened: "
                            + sim.requests().stream()
                                    .filter(r -> r.path().contains(blobs.get(1).contentId()))
                                    .map(r -> r.path() + " " + r.status() + " " + r.duration())
                                    .toList());
            assertEquals(
                    "RUNNING",
                    connect.connectorStatus("stall").tasks().get(0).state(),
                    "the task survived the stall: "
                            + connect.connectorStatus("stall").tasks().get(0).trace());
            assertEquals(Map.of(), StragglerRun.notOnce(counts), "exactly once");
            connect.deleteConnector("stall");
        }
    }
}
