package io.github.auditlake.o365.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;

/**
 * One connector, three tenants of one multi-tenant app, on a real Connect cluster. One tenant revokes consent in the
 * middle of the run: the other two lose nothing and keep collecting, and the failing tenant is visible in the metrics
 * and on the skips topic.
 */
class MultiTenantClusterTest {
    static final String A = "aaaaaaaa-2222-4333-8444-555555555511";
    static final String B = "bbbbbbbb-2222-4333-8444-555555555512";
    static final String C = "cccccccc-2222-4333-8444-555555555513";

    @Test
    void oneTenantRevokingConsentNeverStopsTheOthers() throws Exception {
        EmbeddedConnectCluster connect = new EmbeddedConnectCluster.Builder()
                .name("o365-mt")
                .numWorkers(1)
                .numBrokers(1)
                .workerProps(new HashMap<>(Map.of("offset.flush.interval.ms", "500")))
                .build();
        connect.start();
        AppSpec appC = AppSpec.of(ClusterSupport.CLIENT)
                .secret(ClusterSupport.SECRET)
                .roles(AppSpec.ROLE_READ, AppSpec.ROLE_READ_DLP);
        try (ManagementApiSimulator sim = ManagementApiSimulator.builder()
                .clock(SimClock.system())
                .seed(21)
                .pageSize(50)
                .tokenLifetime(Duration.ofMinutes(2))
                .tenant(TenantSpec.of(A)
                        .app(AppSpec.of(ClusterSupport.CLIENT).secret(ClusterSupport.SECRET))
                        .volumeAll(Volume.of(3, 5))
                        .backfill(Duration.ofHours(2)))
                .tenant(TenantSpec.of(B)
                        .app(AppSpec.of(ClusterSupport.CLIENT).secret(ClusterSupport.SECRET))
                        .volumeAll(Volume.of(3, 5))
                        .backfill(Duration.ofHours(2)))
                .tenant(TenantSpec.of(C).app(appC).volumeAll(Volume.of(3, 5)).backfill(Duration.ofHours(2)))
                .build()
                .start()) {
            Instant t0 = Instant.now();
            connect.kafka().createTopic("audit-mt", 3);
            connect.kafka().createTopic("audit-mt-skips", 1);
            Map<String, String> cfg = ClusterSupport.connector(sim, A, "audit-mt", Duration.ofHours(2));
            cfg.remove("o365.tenant.id");
            cfg.put("o365.tenant.ids", A + "," + B + "," + C);
            cfg.put("o365.content.types", "Audit.Exchange,Audit.General");
            cfg.put("o365.skips.topic", "audit-mt-skips");
            cfg.put("tasks.max", "3");
            connect.configureConnector("mt", cfg);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("mt", 3, "six streams over three tasks");

            Set<String> before = new HashSet<>();
            for (String t : List.of(A, B, C)) {
                for (ContentType ct : List.of(ContentType.EXCHANGE, ContentType.GENERAL)) {
                    before.addAll(sim.expectedRecordIds(
                            t,
                            ct,
                            t0.minus(Duration.ofHours(2)).plus(Duration.ofMinutes(5)),
                            t0.minus(Duration.ofMinutes(5))));
                }
            }
            assertTrue(before.size() > 30);
            ClusterSupport.consumeUntil(
                    connect.kafka().bootstrapServers(),
                    "audit-mt",
                    false,
                    Duration.ofSeconds(120),
                    ClusterSupport.containsAll(before));

            // tenant C's admin revokes the app's permissions: its tokens no longer carry ActivityFeed.Read
            appC.noRoles();
            Instant now = Instant.now();
            Set<String> after = new HashSet<>();
            for (String t : List.of(A, B)) {
                for (ContentType ct : List.of(ContentType.EXCHANGE, ContentType.GENERAL)) {
                    String id = "after-revocation-" + t + "-" + ct.wireName();
                    sim.addBlob(
                            t,
                            ct,
                            now,
                            now,
                            List.of("{\"Id\":\"" + id + "\",\"CreationTime\":\"2026-11-29T10:00:00\"}"));
                    after.add(id);
                }
            }
            sim.addBlob(
                    C,
                    ContentType.EXCHANGE,
                    now,
                    now,
                    List.of("{\"Id\":\"never-c\",\"CreationTime\":\"2026-11-29T10:00:00\"}"));
            ClusterSupport.consumeUntil(
                    connect.kafka().bootstrapServers(),
                    "audit-mt",
                    false,
                    Duration.ofSeconds(120),
                    ClusterSupport.containsAll(after));

            // the failing tenant is on the skips topic and in the metrics; every task still runs
            List<String> skips = readAll(
                    connect.kafka().bootstrapServers(),
                    "audit-mt-skips",
                    Duration.ofSeconds(60),
                    v -> v.contains("\"stream-failure\"") && v.contains(C));
            assertTrue(skips.stream().noneMatch(v -> v.contains(A) || v.contains(B)), "only tenant C fails: " + skips);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("mt", 3, "no task failed");
            javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            Map<String, Long> failing = new HashMap<>();
            for (javax.management.ObjectName n : jmx.queryNames(
                    new javax.management.ObjectName("kafka.connect:type=plugins,connector=mt,*"), null)) {
                String tenant = n.getKeyProperty("tenant");
                if (tenant != null && n.getKeyProperty("content-type") == null) { // per tenant, not per stream
                    failing.merge(tenant, ((Number) jmx.getAttribute(n, "tenant-failing")).longValue(), Math::max);
                }
            }
            assertEquals(1L, failing.get(C), "tenant-failing{tenant=C}: " + failing);
            assertEquals(0L, failing.get(A), failing.toString());
            assertEquals(0L, failing.get(B), failing.toString());
            connect.deleteConnector("mt");
        } finally {
            connect.stop();
        }
    }

    /** Reads the topic from the beginning until a value matches, returning every value read. */
    static List<String> readAll(
            String bootstrap, String topic, Duration timeout, java.util.function.Predicate<String> until) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        List<String> values = new java.util.ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (values.stream().noneMatch(until)) {
                assertTrue(System.nanoTime() < deadline, "not found on " + topic + ": " + values);
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(250))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
