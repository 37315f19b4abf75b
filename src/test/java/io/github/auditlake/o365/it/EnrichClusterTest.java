package io.github.auditlake.o365.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.Directory;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;

/**
 * Graph enrichment on a real Connect cluster against the simulator's Management API and Graph: a known GUID's record
 * carries who it is, an unknown GUID's record carries nothing, and once Graph throttles, a new GUID's record is
 * delivered marked {@code throttled}.
 */
class EnrichClusterTest {
    static final String TENANT = "55555555-3333-4444-8555-666666666626";
    static final String KNOWN = "0a1b2c3d-0000-4000-8000-00000000aaaa";
    static final String UNKNOWN = "0a1b2c3d-0000-4000-8000-00000000bbbb";
    static final String LATER = "0a1b2c3d-0000-4000-8000-00000000cccc";

    static String record(String id, String actor) {
        return "{\"Id\":\"" + id + "\",\"CreationTime\":\"2026-11-29T10:00:00\",\"Operation\":\"Add member.\","
                + "\"Workload\":\"AzureActiveDirectory\",\"RecordType\":8,\"UserKey\":\"1003@x\",\"Actor\":[{\"ID\":\""
                + actor + "\",\"Type\":2}]}";
    }

    static Map<String, Map<String, String>> headersByKey(EmbeddedConnectCluster connect, String topic, int n) {
        Map<String, Map<String, String>> out = new HashMap<>();
        Map<String, Object> props =
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, connect.kafka().bootstrapServers());
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = List.of(new TopicPartition(topic, 0));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (out.size() < n && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                    Map<String, String> h = new HashMap<>();
                    for (Header x : r.headers()) {
                        h.put(x.key(), x.value() == null ? null : new String(x.value(), StandardCharsets.UTF_8));
                    }
                    out.put(new String(r.key(), StandardCharsets.UTF_8), h);
                }
            }
        }
        return out;
    }

    @Test
    void recordsArriveEnrichedOrMarkedAndNoneIsLost() throws Exception {
        EmbeddedConnectCluster connect = new EmbeddedConnectCluster.Builder()
                .name("o365-enrich")
                .numWorkers(1)
                .numBrokers(1)
                .workerProps(new HashMap<>(Map.of("offset.flush.interval.ms", "500")))
                .build();
        connect.start();
        try (ManagementApiSimulator sim = ManagementApiSimulator.builder()
                .clock(SimClock.system())
                .pageSize(50)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(ClusterSupport.CLIENT).secret(ClusterSupport.SECRET))
                        .volumeAll(Volume.of(0, 1))
                        .backfill(Duration.ofHours(1)))
                .build()
                .start()) {
            Map<String, String> user = new java.util.LinkedHashMap<>();
            user.put("id", KNOWN);
            user.put("userPrincipalName", "ada.novak@contoso.example");
            user.put("displayName", "Ada Novak");
            sim.directory().put(new Directory.DirObject("user", user)).remove(UNKNOWN);
            Instant now = Instant.now();
            sim.addBlob(
                    TENANT,
                    ContentType.AZURE_ACTIVE_DIRECTORY,
                    now.minus(Duration.ofMinutes(10)),
                    now.minus(Duration.ofMinutes(10)),
                    List.of(record("enr-1", KNOWN), record("enr-2", UNKNOWN)));
            String topic = "audit-enrich";
            connect.kafka().createTopic(topic, 1);
            Map<String, String> cfg = ClusterSupport.connector(sim, TENANT, topic, Duration.ofHours(1));
            cfg.put("o365.content.types", "Audit.AzureActiveDirectory");
            cfg.put("tasks.max", "1");
            cfg.put("o365.graph.url", sim.baseUrl());
            cfg.put("o365.enrich.enabled", "true");
            connect.configureConnector("enrich", cfg);

            Map<String, Map<String, String>> first = headersByKey(connect, topic, 2);
            assertEquals("ada.novak@contoso.example", first.get("enr-1").get("o365.actor.upn"));
            assertEquals("Ada Novak", first.get("enr-1").get("o365.actor.displayName"));
            assertEquals("user", first.get("enr-1").get("o365.actor.type"));
            assertNull(first.get("enr-1").get("o365.enrich.skipped"));
            assertNull(first.get("enr-2").get("o365.actor.upn"), "unknown to the directory");
            assertNull(first.get("enr-2").get("o365.enrich.skipped"), "an unknown id is no failure");

            sim.directory().throttleAll(true, Duration.ofMinutes(5));
            sim.addBlob(
                    TENANT,
                    ContentType.AZURE_ACTIVE_DIRECTORY,
                    Instant.now().minus(Duration.ofMinutes(1)),
                    Instant.now(),
                    List.of(record("enr-3", LATER), record("enr-4", KNOWN)));
            Map<String, Map<String, String>> all = headersByKey(connect, topic, 4);
            assertEquals("throttled", all.get("enr-3").get("o365.enrich.skipped"), all.toString());
            assertEquals("ada.novak@contoso.example", all.get("enr-4").get("o365.actor.upn"), "from the cache");
        } finally {
            connect.stop();
        }
    }
}
