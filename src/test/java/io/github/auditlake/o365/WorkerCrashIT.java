package io.github.auditlake.o365;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cluster.Classpaths;
import io.github.auditlake.o365.cluster.ProcessConnectWorker;
import io.github.auditlake.o365.cluster.ProcessKafka;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import io.github.auditlake.o365.testkit.ConnectorConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * A worker process killed with SIGKILL while its task is emitting blobs, with exactly-once: after the task moves to
 * the surviving worker, a read_committed consumer sees every record exactly once.
 */
class WorkerCrashIT {
    static final String TENANT = "44444444-5555-4666-8777-888888888801";
    static final String CLIENT = "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d";
    static final Duration TIMEOUT = Duration.ofSeconds(150);

    @Test
    void killedWorkerLosesAndDuplicatesNothing() throws Exception {
        Path work = Classpaths.projectDir().resolve("target/it/crash-" + System.currentTimeMillis());
        Files.createDirectories(work);
        Instant t0 = Instant.now();
        try (ManagementApiSimulator sim = ManagementApiSimulator.builder()
                        .seed(9)
                        .tenant(TenantSpec.of(TENANT)
                                .app(AppSpec.of(CLIENT).secret("crash"))
                                .subscribedAll(true)
                                .volumeAll(Volume.of(6, 400))
                                .backfill(Duration.ofHours(3)))
                        .build()
                        .start();
                ProcessKafka kafka = ProcessKafka.start(work.resolve("kafka"), TIMEOUT)) {
            sim.faults().latency(Duration.ofMillis(2), Duration.ofMillis(8));
            kafka.createTopic("audit-crash", 1);
            // both in the try: if b fails to start, a is still stopped
            try (ProcessConnectWorker a = worker(work.resolve("a"), kafka);
                    ProcessConnectWorker b = worker(work.resolve("b"), kafka)) {
                Map<String, String> c = ConnectorConfigs.forSimulator(sim.baseUrl())
                        .connector(1)
                        .tenant(TENANT)
                        .client(CLIENT, "crash")
                        .contentTypes(ContentType.EXCHANGE, ContentType.GENERAL)
                        .lookback(Duration.ofHours(3))
                        .pollInterval(Duration.ofSeconds(1))
                        .with("o365.batch.max.records", "100")
                        .with("o365.transaction.max.records", "150")
                        .topic("audit-crash")
                        .build();
                // the heartbeat topic is created by Connect (KIP-158); the broker does not auto-create topics
                c.put("topic.creation.default.replication.factor", "-1");
                c.put("topic.creation.default.partitions", "1");
                c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
                c.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
                c.put("exactly.once.support", "required");
                c.put("transaction.boundary", "connector");
                a.putConnector("crash", c, TIMEOUT);
                a.awaitRunning("crash", TIMEOUT);
                Set<String> ids = new HashSet<>();
                for (ContentType t : new ContentType[] {ContentType.EXCHANGE, ContentType.GENERAL}) {
                    ids.addAll(sim.expectedRecordIds(
                            TENANT, t, t0.minus(Duration.ofHours(3)).plus(Duration.ofMinutes(5)), t0));
                }
                assertTrue(ids.size() > 4000, "records: " + ids.size());

                consume(kafka, counts -> counts.size() > 1500);
                JsonNode status = a.get("/connectors/crash/status").json();
                String workerId = status.path("tasks").get(0).path("worker_id").asText();
                ProcessConnectWorker victim = workerId.endsWith(":" + port(a)) ? a : b;
                ProcessConnectWorker survivor = victim == a ? b : a;
                ProcessHandle.of(victim.process().pid()).orElseThrow().destroyForcibly();
                survivor.awaitRunning("crash", TIMEOUT);

                Map<String, Integer> counts = consume(kafka, k -> k.keySet().containsAll(ids));
                Map<String, Integer> twice = new HashMap<>();
                counts.forEach((k, n) -> {
                    if (n != 1) {
                        twice.put(k, n);
                    }
                });
                assertEquals(Map.of(), twice, "records seen more than once after a SIGKILL");
            }
        }
    }

    static ProcessConnectWorker worker(Path dir, ProcessKafka kafka) {
        return ProcessConnectWorker.builder(dir, kafka.bootstrapServers())
                .groupId("crash")
                .property("scheduled.rebalance.max.delay.ms", "1000")
                .property("session.timeout.ms", "6000")
                .property("heartbeat.interval.ms", "2000")
                .start(TIMEOUT);
    }

    static int port(ProcessConnectWorker w) {
        return java.net.URI.create(w.restUrl()).getPort();
    }

    static Map<String, Integer> consume(ProcessKafka kafka, Predicate<Map<String, Integer>> done) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Integer> counts = new HashMap<>();
        try (KafkaConsumer<String, String> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = List.of(new TopicPartition("audit-crash", 0));
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!done.test(counts)) {
                assertTrue(System.nanoTime() < deadline, "timed out with " + counts.size() + " distinct records");
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(300))) {
                    counts.merge(r.key(), 1, Integer::sum);
                }
            }
        }
        return counts;
    }
}
