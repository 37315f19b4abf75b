package io.github.auditlake.o365.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.Volume;
import io.github.auditlake.o365.testkit.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import org.junit.jupiter.api.Timeout;

/**
 * Health records under exactly-once (KIP-618, connector-defined transactions): they commit with the audit records, a
 * read_committed consumer sees them, and across a task restart every audit record is still seen exactly once (a
 * health record never moved a stream's stored position).
 */
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class HealthExactlyOnceClusterTest {
    static final String HEALTH = "audit-health-eos";

    @Test
    void healthRecordsCommitWithTheAuditRecordsAndEveryRecordIsSeenOnceAcrossARestart() throws Exception {
        String tenant = "22222222-3333-4444-8555-666666666631";
        EmbeddedConnectCluster connect = ClusterSupport.exactlyOnceCluster("o365-health-eos", 1, Map.of());
        try (ManagementApiSimulator sim = ClusterSupport.simulator(tenant, Volume.of(4, 60), Duration.ofHours(2), 0)) {
            Instant t0 = Instant.now();
            connect.kafka().createTopic("audit-heos", 1);
            connect.kafka().createTopic(HEALTH, 1);
            Map<String, String> cfg = ClusterSupport.connector(sim, tenant, "audit-heos", Duration.ofHours(2));
            cfg.put("tasks.max", "1");
            cfg.put("o365.content.types", "Audit.Exchange,Audit.General");
            cfg.put("exactly.once.support", "required");
            cfg.put("transaction.boundary", "connector");
            cfg.put("o365.transaction.max.records", "50");
            cfg.put("o365.health.topic", HEALTH);
            cfg.put("o365.health.summary.interval.ms", "2000");
            connect.configureConnector("heos", cfg);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("heos", 1, "running");
            Set<String> ids = new HashSet<>();
            for (ContentType t : new ContentType[] {ContentType.EXCHANGE, ContentType.GENERAL}) {
                ids.addAll(sim.expectedRecordIds(
                        tenant, t, t0.minus(Duration.ofHours(2)).plus(Duration.ofMinutes(5)), t0));
            }
            assertTrue(ids.size() > 300, "enough records: " + ids.size());
            String bootstrap = connect.kafka().bootstrapServers();
            Duration wait = Duration.ofSeconds(120);

            ClusterSupport.consumeUntil(bootstrap, "audit-heos", true, wait, c -> c.size() > 100);
            connect.restartTask("heos", 0);
            Map<String, Integer> counts = ClusterSupport.consumeUntil(
                    bootstrap, "audit-heos", true, wait, c -> c.keySet().containsAll(ids));
            Map<String, Integer> twice = new HashMap<>();
            counts.forEach((k, n) -> {
                if (n != 1) {
                    twice.put(k, n);
                }
            });
            assertEquals(Map.of(), twice, "records seen more than once by a read_committed consumer");

            // the health records are committed: both tasks' (before and after the restart) states are readable
            String exchange = new StreamId(tenant, ContentType.EXCHANGE).encode();
            List<String> health = readCommitted(
                    bootstrap,
                    wait,
                    values -> values.stream()
                                            .filter(v -> v.contains("\"key\":\"" + exchange + "\""))
                                            .filter(v -> v.contains("\"state\":\"signing-in\""))
                                            .count()
                                    >= 2
                            && values.stream()
                                    .anyMatch(v -> v.contains("\"key\":\"" + exchange + "\"")
                                            && v.contains("\"state\":\"caught-up\""))
                            && values.stream().anyMatch(v -> v.contains("\"kind\":\"summary\"")));
            assertTrue(health.size() >= 5, health.toString());
            for (ContentType t : new ContentType[] {ContentType.EXCHANGE, ContentType.GENERAL}) {
                assertNotNull(ClusterSupport.committed(connect, "heos", tenant, t), "a stored position for " + t);
            }
            connect.deleteConnector("heos");
        } finally {
            connect.stop();
        }
    }

    static List<String> readCommitted(
            String bootstrap, Duration timeout, java.util.function.Predicate<List<String>> until) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed"),
                new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> parts = List.of(new TopicPartition(HEALTH, 0));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Await.untilBlocking(
                    timeout,
                    () -> {
                        if (until.test(values)) {
                            return true;
                        }
                        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(250))) {
                            values.add(r.value());
                        }
                        return false;
                    },
                    () -> "health records read: " + values);
        }
        return values;
    }
}
