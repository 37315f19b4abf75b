package io.github.auditlake.o365;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cluster.Classpaths;
import io.github.auditlake.o365.cluster.ProcessConnectWorker;
import io.github.auditlake.o365.cluster.ProcessKafka;
import io.github.auditlake.o365.records.RecordMapper;
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
 * The history acceptance on real worker processes: a connector with {@code o365.history.start=P30D}, five streams on
 * two tasks, exactly-once; the worker running task 0 is killed with SIGKILL once while history is being read, and the
 * worker running the task of the first live record (its stream just passed the seam) is killed right after it. A
 * {@code read_committed} consumer sees every record of the 30 days exactly once.
 */
class HistoryWorkerCrashIT {
    static final String TENANT = "44444444-5555-4666-8777-888888888825";
    static final String CLIENT = "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c25";
    static final String TOPIC = "audit-history-crash";
    static final Duration TIMEOUT = Duration.ofSeconds(240);

    /** What the topic holds so far: each key's count, and how many records came from audit search or not. */
    static final class Seen {
        final Map<String, Integer> counts = new HashMap<>();
        int history;
        int live;
        /** The content type of the first live record (a stream past its seam). */
        String firstLive;
    }

    @Test
    void killedDuringHistoryAndAtTheSeamDeliversThirtyDaysExactlyOnce() throws Exception {
        Path work = Classpaths.projectDir().resolve("target/it/history-crash-" + System.currentTimeMillis());
        Files.createDirectories(work);
        try (ManagementApiSimulator sim = ManagementApiSimulator.builder()
                        .seed(25)
                        .pageSize(50)
                        .tenant(TenantSpec.of(TENANT)
                                .app(AppSpec.of(CLIENT)
                                        .secret("crash")
                                        .roles(AppSpec.ROLE_READ, AppSpec.ROLE_READ_DLP, AppSpec.ROLE_AUDIT_QUERY))
                                .subscribedAll(true)
                                .volumeAll(Volume.of(1, 3))
                                .backfill(Duration.ofDays(31)))
                        .build()
                        .start();
                ProcessKafka kafka = ProcessKafka.start(work.resolve("kafka"), TIMEOUT)) {
            // each query runs 8 s: the reader sees it succeed at its second look, so history lasts long enough to be
            // killed in
            sim.auditSearch().queueDelay(Duration.ZERO).runTime(Duration.ofSeconds(8), Duration.ZERO);
            kafka.createTopic(TOPIC, 1);
            Instant t0 = Instant.now();
            try (ProcessConnectWorker a = WorkerCrashIT.worker(work.resolve("a"), kafka);
                    ProcessConnectWorker b = WorkerCrashIT.worker(work.resolve("b"), kafka);
                    ProcessConnectWorker c = WorkerCrashIT.worker(work.resolve("c"), kafka)) {
                Map<String, String> cfg = ConnectorConfigs.forSimulator(sim.baseUrl())
                        .connector(2)
                        .tenant(TENANT)
                        .client(CLIENT, "crash")
                        .contentTypes(ContentType.values())
                        .pollInterval(Duration.ofSeconds(1))
                        .with("o365.history.start", "P30D")
                        .with("o365.transaction.max.records", "150")
                        .topic(TOPIC)
                        .build();
                cfg.put("topic.creation.default.replication.factor", "-1");
                cfg.put("topic.creation.default.partitions", "1");
                cfg.put("key.converter", ConnectorConfigs.STRING_CONVERTER);
                cfg.put("value.converter", ConnectorConfigs.STRING_CONVERTER);
                cfg.put("exactly.once.support", "required");
                cfg.put("transaction.boundary", "connector");
                a.putConnector("hist", cfg, TIMEOUT);
                a.awaitRunning("hist", TIMEOUT);
                // history: created from a minute after the start to well before the seam (now - 7 d + 45 min);
                // live: blobs from well after the seam to a minute ago
                Set<String> ids = new HashSet<>(sim.auditSearch()
                        .recordIds(
                                TENANT,
                                t0.minus(Duration.ofDays(30)).plus(Duration.ofMinutes(1)),
                                t0.minus(Duration.ofDays(7)).plus(Duration.ofMinutes(30))));
                int historyIds = ids.size();
                for (ContentType t : ContentType.values()) {
                    ids.addAll(sim.expectedRecordIds(
                            TENANT, t, t0.minus(Duration.ofDays(7)).plus(Duration.ofHours(1)), t0.minusSeconds(60)));
                }
                assertTrue(historyIds > 5000 && ids.size() > historyIds + 1000, historyIds + " / " + ids.size());
                List<ProcessConnectWorker> workers = List.of(a, b, c);

                // 1. during the history phase: some history committed, nothing live yet
                Seen during = consume(kafka, s -> s.history > 300);
                assertEquals(0, during.live, "killed during history");
                ProcessConnectWorker first = running(a, workers, 0);
                kill(first);
                ProcessConnectWorker next =
                        workers.stream().filter(w -> w != first).findFirst().orElseThrow();
                next.awaitRunning("hist", TIMEOUT);

                // 2. at the seam: right after the first live record, the worker running that record's stream
                Seen seam = consume(kafka, s -> s.live > 0);
                ProcessConnectWorker second = running(next, workers, taskOf(next, seam.firstLive));
                kill(second);
                ProcessConnectWorker last = workers.stream()
                        .filter(w -> w != first && w != second)
                        .findFirst()
                        .orElseThrow();
                last.awaitRunning("hist", TIMEOUT);

                Seen end = consume(kafka, s -> s.counts.keySet().containsAll(ids));
                Map<String, Integer> twice = new HashMap<>();
                end.counts.forEach((k, n) -> {
                    if (n != 1) {
                        twice.put(k, n);
                    }
                });
                assertEquals(Map.of(), twice, "records seen more than once after two SIGKILLs");
                assertTrue(end.history >= historyIds, "history came through audit search: " + end.history);
            }
        }
    }

    /** The task whose streams include the content type {@code type} (the connector's task configs). */
    static int taskOf(ProcessConnectWorker any, String type) {
        for (com.fasterxml.jackson.databind.JsonNode t :
                any.get("/connectors/hist/tasks").json()) {
            String streams = t.path("config").path("o365.task.streams").asText();
            if (streams.contains("|" + type)) {
                return t.path("id").path("task").asInt();
            }
        }
        throw new AssertionError("no task holds " + type);
    }

    /** The worker that runs task {@code task} now (asked through {@code any} live worker). */
    static ProcessConnectWorker running(ProcessConnectWorker any, List<ProcessConnectWorker> workers, int task) {
        String workerId = null;
        for (com.fasterxml.jackson.databind.JsonNode t :
                any.get("/connectors/hist/status").json().path("tasks")) {
            if (t.path("id").asInt() == task) {
                workerId = t.path("worker_id").asText();
            }
        }
        String id = workerId;
        return workers.stream()
                .filter(w -> id != null && id.endsWith(":" + WorkerCrashIT.port(w)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no worker runs task " + task + ": " + id));
    }

    static void kill(ProcessConnectWorker w) {
        ProcessHandle.of(w.process().pid()).orElseThrow().destroyForcibly();
    }

    /** Reads the topic from the beginning (read_committed) until {@code done} holds, within the deadline. */
    static Seen consume(ProcessKafka kafka, Predicate<Seen> done) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Seen seen = new Seen();
        try (KafkaConsumer<String, String> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = List.of(new TopicPartition(TOPIC, 0));
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!done.test(seen)) {
                assertTrue(
                        System.nanoTime() < deadline,
                        "timed out with " + seen.counts.size() + " distinct records (" + seen.history
                                + " from audit search)");
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(300))) {
                    seen.counts.merge(r.key(), 1, Integer::sum);
                    if (r.headers().lastHeader(RecordMapper.HEADER_SOURCE) != null) {
                        seen.history++;
                    } else {
                        seen.live++;
                        if (seen.firstLive == null) {
                            org.apache.kafka.common.header.Header t =
                                    r.headers().lastHeader(RecordMapper.HEADER_CONTENT_TYPE);
                            seen.firstLive =
                                    t == null ? "" : new String(t.value(), java.nio.charset.StandardCharsets.UTF_8);
                        }
                    }
                }
            }
        }
        return seen;
    }
}
