package io.github.auditlake.o365.it;

import static io.github.auditlake.o365.it.ClusterSupport.connector;
import static io.github.auditlake.o365.it.ClusterSupport.simulator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cli.CliProcess;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.ledger.BlobDigest;
import io.github.auditlake.o365.ledger.LedgerEntry;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.SimBlob;
import io.github.auditlake.o365.simulator.Volume;
import io.github.auditlake.o365.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The completeness ledger on a real exactly-once cluster, across a task restart requested while the stored offset
 * was inside a blob: for every blob, the ledger's count and chained SHA-256 are those of the blob's records a
 * {@code read_committed} consumer finds on a three-partition audit topic, put back in order by their
 * {@code o365.content.id} and {@code o365.record.index} headers; Connect created the ledger topic compacted; and
 * {@code o365-audit verify --data} over the range finds nothing missing or mismatched and exits 0.
 */
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class LedgerExactlyOnceClusterTest {
    static final String LEDGER = "o365-audit-ledger";
    static final String AUDIT = "audit-ledger-eos";
    static EmbeddedConnectCluster connect;

    @BeforeAll
    static void startCluster() {
        connect = ClusterSupport.exactlyOnceCluster("o365-eos-ledger", 1, Map.of());
    }

    @AfterAll
    static void stopCluster() {
        if (connect != null) {
            connect.stop();
        }
    }

    @Test
    void everyBlobsLedgerEntryMatchesItsRecordsOnTheAuditTopicAfterATaskRestartInsideABlob() throws Exception {
        String tenant = "44444444-3333-4444-8555-666666666601";
        List<ContentType> types = List.of(ContentType.EXCHANGE, ContentType.GENERAL);
        try (ManagementApiSimulator sim = simulator(tenant, Volume.of(6, 300), Duration.ofHours(3), 0)) {
            sim.faults().latency(Duration.ofMillis(2), Duration.ofMillis(8));
            Instant t0 = Instant.now();
            connect.kafka().createTopic(AUDIT, 3);
            Map<String, String> cfg = new HashMap<>(connector(sim, tenant, AUDIT, Duration.ofHours(3)));
            cfg.put("tasks.max", "1");
            cfg.put("o365.content.types", "Audit.Exchange,Audit.General");
            cfg.put("exactly.once.support", "required");
            cfg.put("transaction.boundary", "connector");
            cfg.put("o365.transaction.max.records", "120");
            cfg.put("o365.batch.max.records", "100");
            cfg.put("o365.ledger.topic", LEDGER);
            cfg.put("topic.creation.default.replication.factor", "1");
            cfg.put("topic.creation.default.partitions", "1");
            cfg.put("topic.creation.groups", "ledger");
            cfg.put("topic.creation.ledger.include", LEDGER);
            cfg.put("topic.creation.ledger.cleanup.policy", "compact");
            connect.configureConnector("ledger", cfg);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("ledger", 1, "running");

            // every blob wholly inside the lookback (its first minutes may start before the stream's origin)
            Instant from = t0.minus(Duration.ofHours(3)).plus(Duration.ofMinutes(5));
            List<SimBlob> blobs = new ArrayList<>();
            for (ContentType t : types) {
                blobs.addAll(sim.blobs(tenant, t, from, t0));
            }
            int total = blobs.stream().mapToInt(SimBlob::recordCount).sum();
            assertTrue(total > 3000, "enough records to restart inside blobs: " + total);

            try (Topic audit = new Topic(AUDIT);
                    Topic ledger = new Topic(LEDGER)) {
                check(tenant, types, blobs, audit, ledger);
            }
            verifyWithTheCli(sim, tenant, from, t0);
            assertEquals(
                    Set.of("compact"),
                    Set.of(cleanupPolicy(LEDGER).split(",")),
                    "Connect created the ledger topic compacted");
            connect.deleteConnector("ledger");
        }
    }

    /** Restarts the task inside a blob, then compares every blob's ledger entry with its records on the topic. */
    static void check(String tenant, List<ContentType> types, List<SimBlob> blobs, Topic audit, Topic ledger) {
        Duration wait = Duration.ofSeconds(120);
        Await.untilBlocking(wait, () -> audit.read() > 1200, () -> audit.records.size() + " records");
        awaitStoredOffsetInsideABlob(tenant, types, wait);
        connect.restartTask("ledger", 0);

        Await.untilBlocking(
                wait,
                () -> {
                    audit.read();
                    ledger.read();
                    return blobs.stream().allMatch(b -> ledger.byKey.containsKey(key(tenant, b)));
                },
                () -> ledger.byKey.size() + " ledger entries of " + blobs.size() + " blobs");
        // the records committed with those entries, on the audit topic's three partitions
        Await.untilBlocking(wait, audit::readToEnd, () -> "the audit topic read to its end");

        // the audit topic's records, by blob, at their index (a read_committed consumer sees each once)
        Map<String, TreeMap<Long, byte[]>> byBlob = new HashMap<>();
        List<String> twice = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : audit.records) {
            String blob = header(r, LedgerEntry.HEADER_CONTENT_ID);
            long index = Long.parseLong(header(r, LedgerEntry.HEADER_RECORD_INDEX));
            if (byBlob.computeIfAbsent(blob, b -> new TreeMap<>()).put(index, r.value()) != null) {
                twice.add(blob + "@" + index);
            }
        }
        assertEquals(List.of(), twice, "records seen more than once by a read_committed consumer");
        List<String> mismatched = new ArrayList<>();
        for (SimBlob b : blobs) {
            LedgerEntry e = ledger.byKey.get(key(tenant, b));
            TreeMap<Long, byte[]> records = byBlob.getOrDefault(b.contentId(), new TreeMap<>());
            BlobDigest d = new BlobDigest();
            long expectedIndex = 0;
            for (Map.Entry<Long, byte[]> r : records.entrySet()) {
                assertEquals(expectedIndex++, r.getKey(), b.contentId() + ": record indexes without a gap");
                d.add(r.getValue());
            }
            if (e.records() != b.recordCount()
                    || e.records() != d.records()
                    || !e.sha256().equals(d.hex())
                    || e.bytes() != d.bytes()
                    || e.chainFrom() != 0
                    || e.outcome() != LedgerEntry.Outcome.DELIVERED) {
                mismatched.add(b.contentId() + ": ledger " + e.records() + "/" + e.sha256() + ", topic " + d.records()
                        + "/" + d.hex() + ", served " + b.recordCount());
            }
        }
        assertEquals(List.of(), mismatched, "ledger entries that do not match the audit topic");
    }

    /**
     * {@code o365-audit verify --data} over what the connector wrote: the API's listing of the range against the ledger
     * and the audit topic, end to end: every blob listed is in the ledger and its records match, so it exits 0.
     */
    static void verifyWithTheCli(ManagementApiSimulator sim, String tenant, Instant from, Instant to) throws Exception {
        CliProcess.Result r = CliProcess.run(
                Map.of(
                        "O365_TENANT_ID",
                        tenant,
                        "O365_CLIENT_ID",
                        ClusterSupport.CLIENT,
                        "O365_CLIENT_SECRET",
                        ClusterSupport.SECRET,
                        "O365_API_URL",
                        sim.baseUrl(),
                        "O365_LOGIN_URL",
                        sim.baseUrl()),
                "verify",
                "--bootstrap-server",
                connect.kafka().bootstrapServers(),
                "--content-type",
                "Audit.Exchange,Audit.General",
                "--start",
                from.toString(),
                "--end",
                to.toString(),
                "--ledger-topic",
                LEDGER,
                "--data",
                "--data-topic",
                AUDIT,
                "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode totals = new ObjectMapper().readTree(r.out()).get("totals");
        assertEquals(0, totals.get("missing").asInt(), r.out());
        assertEquals(0, totals.get("mismatched").asInt(), r.out());
        assertTrue(totals.get("inLedger").asInt() > 0, r.out());
    }

    static String key(String tenant, SimBlob b) {
        return LedgerEntry.key(tenant, b.type().wireName(), b.contentId());
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        assertTrue(h != null, "a record without " + name);
        return new String(h.value(), StandardCharsets.UTF_8);
    }

    static String cleanupPolicy(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, connect.kafka().bootstrapServers()))) {
            ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config c = admin.describeConfigs(List.of(res)).all().get().get(res);
            return c.get("cleanup.policy").value();
        }
    }

    /** Waits until a stream's committed offset is inside a blob, so the restart that follows resumes inside it. */
    static void awaitStoredOffsetInsideABlob(String tenant, List<ContentType> types, Duration wait) {
        String[] seen = {""};
        Await.until(
                wait,
                () -> {
                    for (ContentType t : types) {
                        StreamCursor c = ClusterSupport.committed(connect, "ledger", tenant, t);
                        seen[0] = t + ": " + c;
                        if (c != null
                                && c.inProgress() != null
                                && c.inProgress().recordsDone() > 0
                                && c.inProgress().ledger() != null) {
                            return true;
                        }
                    }
                    return false;
                },
                () -> "a stored offset inside a blob, with its chain; last seen " + seen[0]);
    }

    /** A topic read from the beginning by a read_committed consumer, kept open to read on. */
    static final class Topic implements AutoCloseable {
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        final Map<String, LedgerEntry> byKey = new HashMap<>();
        final KafkaConsumer<byte[], byte[]> consumer;

        Topic(String topic) {
            consumer = new KafkaConsumer<>(
                    Map.of(
                            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            connect.kafka().bootstrapServers(),
                            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                            "read_committed",
                            ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                            5000,
                            // never create the ledger topic by asking for it: Connect must create it (compacted)
                            ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
                            false),
                    new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            this.topic = topic;
        }

        private final String topic;
        private boolean assigned;

        @Override
        public void close() {
            consumer.close();
        }

        /** Reads on; true once every partition was read up to its last committed record. */
        boolean readToEnd() {
            read();
            Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
            return assigned && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
        }

        /** Reads what is there now; returns the records read so far. */
        int read() {
            if (!assigned) {
                if (consumer.partitionsFor(topic).isEmpty()) {
                    return 0; // not created yet
                }
                List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                        .map(p -> new TopicPartition(topic, p.partition()))
                        .toList();
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                assigned = true;
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                records.add(r);
                if (topic.equals(LEDGER)) {
                    byKey.put(new String(r.key(), StandardCharsets.UTF_8), LedgerEntry.parse(r.value()));
                }
            }
            return records.size();
        }
    }
}
