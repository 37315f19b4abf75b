package io.github.auditlake.o365.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;

/** The three value formats on a real Connect cluster, each with its converter. */
class ValueFormatsClusterTest {
    static final String TENANT = "44444444-3333-4444-8555-666666666601";

    @Test
    void eachFormatArrivesAsDocumentedThroughItsConverter() throws Exception {
        EmbeddedConnectCluster connect = new EmbeddedConnectCluster.Builder()
                .name("o365-formats")
                .numWorkers(1)
                .numBrokers(1)
                .workerProps(new HashMap<>(Map.of("offset.flush.interval.ms", "500")))
                .build();
        connect.start();
        try (ManagementApiSimulator sim = ClusterSupport.simulator(TENANT, Volume.of(2, 3), Duration.ofHours(1), 0)) {
            Instant now = Instant.now();
            String json = "{\"Id\":\"fmt-1\",\"CreationTime\":\"2026-11-29T10:00:00\",\"Operation\":\"FileAccessed\","
                    + "\"Workload\":\"SharePoint\",\"RecordType\":6,\"UserId\":\"caf\u00e9@contoso.example\"}";
            sim.addBlob(
                    TENANT,
                    ContentType.SHAREPOINT,
                    now.minus(Duration.ofMinutes(10)),
                    now.minus(Duration.ofMinutes(10)),
                    List.of(json));
            for (String format : List.of("json-string", "json-bytes", "struct")) {
                String topic = "audit-" + format;
                connect.kafka().createTopic(topic, 1);
                Map<String, String> cfg = ClusterSupport.connector(sim, TENANT, topic, Duration.ofHours(1));
                cfg.put("o365.content.types", "Audit.SharePoint");
                cfg.put("tasks.max", "1");
                cfg.put("o365.value.format", format);
                switch (format) {
                    case "json-bytes" -> {
                        cfg.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
                        cfg.put("o365.headers", "");
                        cfg.put("header.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
                    }
                    case "struct" -> {
                        cfg.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
                        cfg.put("value.converter.schemas.enable", "true");
                    }
                    default -> {}
                }
                connect.configureConnector(format, cfg);
            }
            byte[] asString = valueOf(connect, "audit-json-string", "fmt-1");
            assertEquals(json, new String(asString, StandardCharsets.UTF_8));
            byte[] asBytes = valueOf(connect, "audit-json-bytes", "fmt-1");
            assertArrayEquals(json.getBytes(StandardCharsets.UTF_8), asBytes, "the original bytes");
            JsonNode envelope = new ObjectMapper().readTree(valueOf(connect, "audit-struct", "fmt-1"));
            assertEquals(
                    "io.github.auditlake.o365.AuditRecord",
                    envelope.get("schema").get("name").asText());
            JsonNode payload = envelope.get("payload");
            assertEquals("FileAccessed", payload.get("Operation").asText());
            assertEquals(6, payload.get("RecordType").asInt());
            assertEquals(json, payload.get("Raw").asText());
            assertTrue(payload.get("CreationTime").isNumber(), "a Timestamp: " + payload);
        } finally {
            connect.stop();
        }
    }

    static byte[] valueOf(EmbeddedConnectCluster connect, String topic, String key) {
        Map<String, Object> props =
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, connect.kafka().bootstrapServers());
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = List.of(new TopicPartition(topic, 0));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                    if (r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals(key)) {
                        return r.value();
                    }
                }
            }
        }
        throw new AssertionError("no record " + key + " on " + topic);
    }
}
