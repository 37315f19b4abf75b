package io.github.auditlake.o365.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import io.github.auditlake.o365.testkit.Await;
import io.github.auditlake.o365.testkit.ConnectorConfigs;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 27's acceptance on a real Connect cluster: one connector collecting from many tenants of one multi-tenant app
 * ({@value #DEFAULT_TENANTS} in the regular suite; {@code -Do365.it.tenants=500} for the full acceptance, run once and
 * reported in docs/benchmarks-tenants.md), all five content types each, most tenants quiet and one in
 * {@value #BUSY_EVERY} busy. The simulator throttles every tenant above {@value #BUDGET} requests a minute (sliding, as
 * Microsoft counts) and the connector is given that budget: no request is ever refused and no tenant's busiest minute
 * is above it. Every record of every tenant is delivered (counted by Id). One tenant's admin then revokes the app's
 * permissions: only that tenant's streams report it on the health topic (permission-missing) and in the metrics, every
 * other tenant's new records are delivered, no task fails. Deadlines only bound the waits; the figures are printed.
 */
@Timeout(value = 60, unit = java.util.concurrent.TimeUnit.MINUTES)
class ManyTenantsClusterTest {
    static final int DEFAULT_TENANTS = 100;
    static final int TENANTS = Integer.getInteger("o365.it.tenants", DEFAULT_TENANTS);
    static final int BUSY_EVERY = 25;
    /** Requests a minute per tenant: the simulator's throttle and the connector's o365.requests.per.minute. */
    static final int BUDGET = 120;

    static final String TOPIC = "audit-many";
    static final String HEALTH = "audit-many-health";
    static final String SKIPS = "audit-many-skips";
    static final Set<String> FAILURE_STATES =
            Set.of("permission-missing", "sign-in-failed", "failed", "audit-off", "throttled", "stalled", "disabled");
    static final ObjectMapper JSON = new ObjectMapper();

    static String tenant(int i) {
        return String.format("%08x-2727-4000-8000-%012x", 0x27000000 + i, i);
    }

    static boolean busy(int i) {
        return i % BUSY_EVERY == 0;
    }

    @Test
    void everyTenantsRecordsAreDeliveredWithinItsBudgetAndARevokedTenantFailsAlone() throws Exception {
        long wallStart = System.nanoTime();
        EmbeddedConnectCluster connect = new EmbeddedConnectCluster.Builder()
                .name("o365-many")
                .numWorkers(1)
                .numBrokers(1)
                .workerProps(new HashMap<>(Map.of("offset.flush.interval.ms", "1000")))
                .build();
        connect.start();
        List<String> tenants = new ArrayList<>();
        Map<String, AppSpec> apps = new HashMap<>();
        ManagementApiSimulator.Builder simBuilder = ManagementApiSimulator.builder()
                .clock(SimClock.system())
                .seed(27)
                .pageSize(100)
                // a token is used until 5 minutes before it expires: a revocation shows within about 2 minutes
                .tokenLifetime(Duration.ofMinutes(7));
        for (int i = 0; i < TENANTS; i++) {
            String t = tenant(i);
            tenants.add(t);
            AppSpec app = AppSpec.of(ClusterSupport.CLIENT)
                    .secret(ClusterSupport.SECRET)
                    .roles(AppSpec.ROLE_READ, AppSpec.ROLE_READ_DLP);
            apps.put(t, app);
            TenantSpec spec = TenantSpec.of(t).app(app).volumeAll(Volume.NONE).backfill(Duration.ofHours(2));
            if (busy(i)) {
                // more fetches in the first minutes than the budget allows: the connector must pace them
                spec.volume(ContentType.EXCHANGE, Volume.of(60, 5)).volume(ContentType.SHAREPOINT, Volume.of(60, 5));
            } else {
                spec.volume(ContentType.GENERAL, Volume.of(2, 3));
            }
            simBuilder.tenant(spec);
        }
        String revoked = tenant(1); // a quiet tenant
        try (ManagementApiSimulator sim = simBuilder.build().start()) {
            sim.faults().throttle(BUDGET);
            Instant t0 = Instant.now();
            connect.kafka().createTopic(TOPIC, 3);
            connect.kafka().createTopic(HEALTH, 1);
            connect.kafka().createTopic(SKIPS, 1);
            Map<String, String> cfg = ConnectorConfigs.forSimulator(sim.baseUrl())
                    .connector(2)
                    .tenants(String.join(",", tenants))
                    .client(ClusterSupport.CLIENT, ClusterSupport.SECRET)
                    .lookback(Duration.ofHours(2))
                    .noHeartbeats()
                    .topic(TOPIC)
                    .stringConverters()
                    .with("o365.health.topic", HEALTH)
                    .with("o365.skips.topic", SKIPS)
                    .with("o365.requests.per.minute", Integer.toString(BUDGET))
                    // the README's advice for many tenants starting at once: a new stream's first calls wait for its
                    // tenant's budget while holding a stream thread (8 up to 128 tenants, 31 for 500)
                    .with("o365.stream.threads", Integer.toString(Math.max(8, TENANTS / 16)))
                    .build();
            // the default poll interval (1 minute) and sweeps: 5 content types x TENANTS streams list once a minute
            connect.configureConnector("many", cfg);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("many", 2, "the streams over two tasks");

            Map<String, Set<String>> expected = new LinkedHashMap<>();
            Set<String> all = new HashSet<>();
            for (String t : tenants) {
                Set<String> ids = new HashSet<>();
                for (ContentType ct : ContentType.values()) {
                    ids.addAll(sim.expectedRecordIds(
                            t,
                            ct,
                            t0.minus(Duration.ofHours(2)).plus(Duration.ofMinutes(5)),
                            t0.minus(Duration.ofMinutes(5))));
                }
                assertFalse(ids.isEmpty(), "every tenant has records to deliver: " + t);
                expected.put(t, ids);
                all.addAll(ids);
            }
            Map<String, Integer> counts = ClusterSupport.consumeUntil(
                    connect.kafka().bootstrapServers(),
                    TOPIC,
                    false,
                    Duration.ofMinutes(30),
                    c -> c.keySet().containsAll(all));
            Duration caughtUp = Duration.ofNanos(System.nanoTime() - wallStart);
            for (Map.Entry<String, Set<String>> e : expected.entrySet()) {
                Set<String> missing = new HashSet<>(e.getValue());
                missing.removeAll(counts.keySet());
                assertEquals(Set.of(), missing, "every record of tenant " + e.getKey());
            }

            // the revoked tenant's admin removes the app's permissions: its tokens no longer carry ActivityFeed.Read
            // (once its cached token is renewed)
            int healthBefore = readHealth(connect.kafka().bootstrapServers(), Duration.ofSeconds(30), r -> true)
                    .size();
            apps.get(revoked).noRoles();
            Set<String> revokedStreams = new HashSet<>();
            for (ContentType ct : ContentType.values()) {
                revokedStreams.add(new StreamId(revoked, ct).encode());
            }
            readHealth(
                    connect.kafka().bootstrapServers(),
                    Duration.ofMinutes(10),
                    records -> revokedStreams.stream()
                            .allMatch(k -> records.stream()
                                    .anyMatch(r -> isState(r, k) && "permission-missing".equals(state(r)))));

            // new content for every tenant: every other tenant's is delivered, the revoked tenant's is not
            Instant now = Instant.now();
            Set<String> after = new HashSet<>();
            for (String t : tenants) {
                String id = "after-revocation-" + t;
                sim.addBlob(
                        t,
                        ContentType.GENERAL,
                        now,
                        now,
                        List.of("{\"Id\":\"" + id + "\",\"CreationTime\":\"2026-12-06T10:00:00\"}"));
                if (!t.equals(revoked)) {
                    after.add(id);
                }
            }
            Map<String, Integer> afterCounts = ClusterSupport.consumeUntil(
                    connect.kafka().bootstrapServers(),
                    TOPIC,
                    false,
                    Duration.ofMinutes(10),
                    c -> c.keySet().containsAll(after));
            assertFalse(
                    afterCounts.containsKey("after-revocation-" + revoked),
                    "nothing of the revoked tenant is delivered after its revocation");
            List<JsonNode> health = readHealth(connect.kafka().bootstrapServers(), Duration.ofSeconds(30), r -> true);
            // only the revoked tenant's streams ever left the healthy states, and only after the revocation
            List<JsonNode> failures = health.stream()
                    .filter(r -> "state".equals(r.path("kind").asText()) && FAILURE_STATES.contains(state(r)))
                    .toList();
            List<String> others = failures.stream()
                    .filter(r -> !revokedStreams.contains(r.path("key").asText()))
                    .map(JsonNode::toString)
                    .toList();
            assertEquals(List.of(), others, "no other tenant's stream failed");
            for (JsonNode r : failures) {
                assertTrue(health.indexOf(r) >= healthBefore, "the revoked tenant failed after its revocation: " + r);
            }
            // on the skips topic too: stream failures of the revoked tenant only
            List<String> skips = MultiTenantClusterTest.readAll(
                    connect.kafka().bootstrapServers(),
                    SKIPS,
                    Duration.ofMinutes(2),
                    v -> v.contains("\"stream-failure\"") && v.contains(revoked));
            assertEquals(
                    List.of(),
                    skips.stream()
                            .filter(v -> v.contains("\"stream-failure\"") && !v.contains(revoked))
                            .toList(),
                    "only the revoked tenant's streams failed");
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("many", 2, "no task failed");
            Map<String, Long> failing = tenantFailing();
            assertEquals(1L, failing.get(revoked), "tenant-failing of the revoked tenant");
            assertEquals(
                    Set.of(revoked),
                    failing.entrySet().stream()
                            .filter(e -> e.getValue() > 0)
                            .map(Map.Entry::getKey)
                            .collect(Collectors.toSet()),
                    "only the revoked tenant is failing");
            // the budget: the simulator refused nothing, and no tenant's busiest minute went above it
            Map<String, Integer> peaks = sim.faults().peakRequestsPerMinute();
            assertEquals(0, sim.faults().refusedOverBudget(), "requests refused over the budget: " + peaks);
            int maxPeak =
                    peaks.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            assertTrue(maxPeak <= BUDGET, "a tenant's busiest minute: " + maxPeak);
            int busiest = 0;
            for (int i = 0; i < TENANTS; i += BUSY_EVERY) {
                String t = tenant(i);
                for (Map.Entry<String, Integer> e : peaks.entrySet()) {
                    if (e.getKey().startsWith(t + "|")) {
                        busiest = Math.max(busiest, e.getValue());
                    }
                }
            }
            // the busy tenants' catch-up was paced by the budget (one task's share, half of it, or more)
            assertTrue(busiest >= BUDGET / 3, "the budget was exercised: busiest tenant's minute " + busiest);

            Runtime rt = Runtime.getRuntime();
            System.gc();
            System.gc();
            System.out.printf(
                    "ManyTenantsClusterTest: %d tenants (%d streams), %d records to start with plus %d after the"
                            + " revocation; start to all delivered %d s, whole run %d s; %d API requests answered;"
                            + " busiest tenant minute %d of %d (idle tenants' max %d); JVM threads %d (worker, broker,"
                            + " simulator and test together), heap used after GC %d MiB%n",
                    TENANTS,
                    TENANTS * ContentType.values().length,
                    all.size(),
                    after.size(),
                    caughtUp.toSeconds(),
                    Duration.ofNanos(System.nanoTime() - wallStart).toSeconds(),
                    sim.requestCount(),
                    busiest,
                    BUDGET,
                    quietPeak(peaks),
                    ManagementFactory.getThreadMXBean().getThreadCount(),
                    (rt.totalMemory() - rt.freeMemory()) >> 20);
            connect.deleteConnector("many");
        } finally {
            connect.stop();
        }
    }

    static int quietPeak(Map<String, Integer> peaks) {
        int max = 0;
        for (int i = 0; i < TENANTS; i++) {
            if (!busy(i)) {
                String t = tenant(i);
                for (Map.Entry<String, Integer> e : peaks.entrySet()) {
                    if (e.getKey().startsWith(t + "|")) {
                        max = Math.max(max, e.getValue());
                    }
                }
            }
        }
        return max;
    }

    static boolean isState(JsonNode r, String key) {
        return "state".equals(r.path("kind").asText())
                && key.equals(r.path("key").asText());
    }

    static String state(JsonNode r) {
        return r.path("state").asText();
    }

    /** tenant-failing per tenant, from the plugin metrics over JMX (the worker runs in this JVM). */
    static Map<String, Long> tenantFailing() throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        Map<String, Long> failing = new HashMap<>();
        for (ObjectName n : jmx.queryNames(new ObjectName("kafka.connect:type=plugins,connector=many,*"), null)) {
            String tenant = n.getKeyProperty("tenant");
            if (tenant != null && n.getKeyProperty("content-type") == null) {
                failing.merge(
                        tenant.replace("\"", ""),
                        ((Number) jmx.getAttribute(n, "tenant-failing")).longValue(),
                        Math::max);
            }
        }
        return failing;
    }

    /** The health topic from the beginning, read until {@code done} holds for what was read or the deadline. */
    static List<JsonNode> readHealth(
            String bootstrap, Duration timeout, java.util.function.Predicate<List<JsonNode>> done) {
        List<JsonNode> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> parts = List.of(new TopicPartition(HEALTH, 0));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long end = consumer.endOffsets(parts).get(parts.get(0));
            Await.untilBlocking(
                    timeout,
                    () -> {
                        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(250))) {
                            try {
                                records.add(JSON.readTree(r.value()));
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }
                        return consumer.position(parts.get(0)) >= end && done.test(records);
                    },
                    () -> records.size() + " health records read, the last: "
                            + records.subList(Math.max(0, records.size() - 20), records.size()));
        }
        return records;
    }
}
