package io.github.auditlake.o365.it;

import static io.github.auditlake.o365.it.ClusterSupport.connector;
import static io.github.auditlake.o365.it.ClusterSupport.consumeUntil;
import static io.github.auditlake.o365.it.ClusterSupport.simulator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.Volume;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 23 on a real exactly-once cluster, with the connector's default listing settings (poll interval, sweep
 * interval, coverage): stragglers 1.5 hours and 20 hours late become visible during the run and are delivered exactly
 * once, found by the day sweep that runs every 3 minutes with the frontier listing; their lateness shows in the
 * plugin metrics. The promised delay itself (5 minutes) is proven in simulated time by {@code StragglerDelayTest};
 * here the deadline only bounds the wait, and the delays seen are printed.
 */
@Timeout(value = 15, unit = java.util.concurrent.TimeUnit.MINUTES)
class StragglersWithinMinutesClusterTest {
    static EmbeddedConnectCluster connect;

    @BeforeAll
    static void startCluster() {
        connect = ClusterSupport.exactlyOnceCluster("o365-eos-minutes", 1, Map.of());
        connect.kafka().createTopic("o365-audit-heartbeats", 1);
        connect.kafka().createTopic("o365-audit-skips", 1);
    }

    @AfterAll
    static void stopCluster() {
        if (connect != null) {
            connect.stop();
        }
    }

    @Test
    void stragglersOneAndAHalfAndTwentyHoursLateAppearingDuringTheRunAreDeliveredExactlyOnceWithDefaults()
            throws Exception {
        String tenant = "33333333-3333-4444-8555-666666666623";
        try (ManagementApiSimulator sim = simulator(tenant, Volume.of(4, 10), Duration.ofHours(24), 0)) {
            Instant t0 = Instant.now();
            connect.kafka().createTopic("audit-minutes", 1);
            Map<String, String> cfg = new HashMap<>(connector(sim, tenant, "audit-minutes", Duration.ofHours(24)));
            // the defaults: 1-minute poll interval, 3-minute day sweep, 24 h coverage, heartbeats every 5 minutes
            cfg.remove("o365.poll.interval.ms");
            cfg.remove("o365.heartbeat.interval.ms");
            cfg.remove("o365.retry.backoff.ms");
            cfg.remove("o365.retry.backoff.max.ms");
            cfg.put("o365.content.types", "Audit.Exchange,Audit.SharePoint");
            cfg.put("tasks.max", "1");
            cfg.put("exactly.once.support", "required");
            cfg.put("transaction.boundary", "connector");
            connect.configureConnector("minutes", cfg);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("minutes", 1, "running");
            Set<String> ids = new HashSet<>();
            for (ContentType t : List.of(ContentType.EXCHANGE, ContentType.SHAREPOINT)) {
                ids.addAll(sim.expectedRecordIds(
                        tenant, t, t0.minus(Duration.ofHours(23)), t0.minus(Duration.ofMinutes(5))));
            }
            String bootstrap = connect.kafka().bootstrapServers();
            consumeUntil(
                    bootstrap,
                    "audit-minutes",
                    true,
                    Duration.ofSeconds(180),
                    c -> c.keySet().containsAll(ids));

            // stragglers become visible now, created 1.5 and 20 hours ago: spans listed long before
            Instant visible = Instant.now();
            List<String> late = new ArrayList<>();
            int i = 0;
            for (Duration lag : List.of(Duration.ofMinutes(90), Duration.ofHours(20))) {
                for (ContentType t : List.of(ContentType.EXCHANGE, ContentType.SHAREPOINT)) {
                    String id = "straggler-" + lag.toMinutes() + "m-" + (i++);
                    sim.addBlob(
                            tenant,
                            t,
                            visible.minus(lag),
                            visible,
                            List.of("{\"Id\":\"" + id + "\",\"CreationTime\":\"2026-11-29T01:00:00\"}"));
                    late.add(id);
                }
            }
            Map<String, Integer> counts = consumeUntil(
                    bootstrap,
                    "audit-minutes",
                    true,
                    Duration.ofMinutes(8),
                    c -> c.keySet().containsAll(late));
            System.out.printf(
                    "stragglers visible at %s all read by %s (%d s)%n",
                    visible,
                    Instant.now(),
                    Duration.between(visible, Instant.now()).toSeconds());
            // another day sweep after they were delivered: nothing may come twice
            Instant delivered = Instant.now();
            counts = consumeUntil(
                    bootstrap,
                    "audit-minutes",
                    true,
                    Duration.ofMinutes(10),
                    c -> c.keySet().containsAll(late) && daySpansSince(sim, delivered) >= 1);
            assertTrue(daySpansSince(sim, delivered) >= 1, "another day sweep of Audit.Exchange ran");
            assertEquals(Map.of(), StragglersExactlyOnceClusterTest.once(counts), "exactly once");
            for (String id : late) {
                assertEquals(1, counts.get(id), id);
            }
            long maxLateness = latenessMaxMs("Audit.Exchange");
            assertTrue(
                    maxLateness >= Duration.ofHours(20).toMillis(),
                    "the 20-hour straggler shows in blob-lateness-max-ms: " + maxLateness);
            connect.deleteConnector("minutes");
        }
    }

    /** Listings of Audit.Exchange spanning more than 20 hours that the simulator answered after {@code since}. */
    static long daySpansSince(ManagementApiSimulator sim, Instant since) {
        return StragglersExactlyOnceClusterTest.sweepsSince(sim, since);
    }

    /** The plugin metric {@code blob-lateness-max-ms} of a content type, read over JMX (the worker is in this JVM). */
    static long latenessMaxMs(String contentType) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> names = server.queryNames(new ObjectName("kafka.connect:type=plugins,*"), null);
        for (ObjectName n : names) {
            String ct = n.getKeyProperty("content-type");
            if (ct != null && ct.replace("\"", "").equals(contentType)) {
                return ((Number) server.getAttribute(n, "blob-lateness-max-ms")).longValue();
            }
        }
        throw new AssertionError("no lateness metrics for " + contentType + " among " + names);
    }
}
