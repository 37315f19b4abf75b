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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged plugin in a real Kafka Connect worker: a KRaft broker and a distributed worker run as separate JVMs
 * (the connector is visible only through {@code plugin.path} = {@code target/plugin}); the connector, created over
 * REST with exactly-once delivery, collects from the simulator every record of the covered window for all five
 * content types, read back with {@code read_committed}. Once on the build's Kafka (4.3.1), once on a 3.9.1 worker.
 */
class PluginSmokeIT {
    static final String TENANT = "3b6f1e2d-7c8a-4d9e-a0b1-c2d3e4f5a6b7";
    static final String CLIENT = "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d";
    static final String SECRET = "smoke-secret";
    static final Duration TIMEOUT = Duration.ofSeconds(120);
    static final boolean EXACTLY_ONCE = Boolean.parseBoolean(System.getProperty("smoke.exactly.once", "true"));

    static Path work;
    static ManagementApiSimulator sim;
    static ProcessKafka kafka;
    static Instant t0;

    @BeforeAll
    static void startBrokerAndSimulator() throws Exception {
        work = Classpaths.projectDir().resolve("target/it/smoke-" + System.currentTimeMillis());
        Files.createDirectories(work);
        t0 = Instant.now();
        sim = ManagementApiSimulator.builder()
                .seed(7)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret(SECRET).roles(AppSpec.ROLE_READ, AppSpec.ROLE_READ_DLP))
                        .subscribedAll(true)
                        .volumeAll(Volume.of(8, 10))
                        .backfill(Duration.ofHours(2)))
                .build()
                .start();
        long s = System.nanoTime();
        kafka = ProcessKafka.start(work.resolve("kafka"), TIMEOUT);
        System.out.printf(
                "broker ready in %d ms at %s%n", (System.nanoTime() - s) / 1_000_000, kafka.bootstrapServers());
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
        if (sim != null) {
            sim.close();
        }
    }

    @Test
    void collectsEverythingOnTheBuildsKafkaWorker() throws Exception {
        smoke("k431", null);
    }

    @Test
    void collectsEverythingOnAKafka39Worker() throws Exception {
        List<Path> cp = workerClasspath("3.9");
        assertTrue(cp.stream().anyMatch(p -> p.getFileName().toString().equals("connect-runtime-3.9.1.jar")), "" + cp);
        smoke("k391", cp);
    }

    /**
     * The classpath of a Kafka 3.x worker, {@code target/worker-<v>.classpath}: written by the build in
     * pre-integration-test (exec-maven-plugin runs the Maven Wrapper on {@code src/test/resources/worker-<v>/pom.xml},
     * online, on every build), never skipped: a missing file or jar fails the test.
     */
    static List<Path> workerClasspath(String v) {
        Path cpFile = Classpaths.projectDir().resolve("target/worker-" + v + ".classpath");
        assertTrue(
                Files.isRegularFile(cpFile),
                cpFile + " is missing: the build writes it in pre-integration-test "
                        + "(run ./mvnw verify, or ./mvnw verify -DskipUTs -Dtest=PluginSmokeIT)");
        List<Path> cp = Classpaths.read(cpFile);
        for (Path jar : cp) {
            assertTrue(Files.isRegularFile(jar), "a jar of " + cpFile + " is gone: " + jar);
        }
        return cp;
    }

    private void smoke(String label, List<Path> workerClasspath) throws Exception {
        String topic = "o365-audit-" + label;
        kafka.createTopic(topic, 3);
        ProcessConnectWorker.Builder wb = ProcessConnectWorker.builder(
                        work.resolve("worker-" + label), kafka.bootstrapServers())
                .groupId("connect-" + label);
        if (workerClasspath != null) {
            wb.classpath(workerClasspath);
        }
        long s = System.nanoTime();
        try (ProcessConnectWorker worker = wb.start(TIMEOUT)) {
            System.out.printf(
                    "[%s] worker ready in %d ms at %s%n", label, (System.nanoTime() - s) / 1_000_000, worker.restUrl());
            List<String> plugins = worker.connectorPlugins();
            assertTrue(plugins.contains(O365AuditSourceConnector.class.getName()), "plugins " + plugins);

            Map<String, String> config = ConnectorConfigs.forSimulator(sim.baseUrl())
                    .connector(2)
                    .tenant(TENANT)
                    .client(CLIENT, SECRET)
                    .lookback(Duration.ofHours(2))
                    .pollInterval(Duration.ofSeconds(1))
                    .noHeartbeats()
                    .topic(topic)
                    .stringConverters()
                    .build();
            if (EXACTLY_ONCE) {
                config.put("exactly.once.support", "required");
                config.put("transaction.boundary", "connector");
            }
            s = System.nanoTime();
            worker.putConnector("o365", config, TIMEOUT);
            worker.awaitRunning("o365", TIMEOUT);

            // every record of blobs created in [t0 - 110 min, t0 - 5 min): inside the lookback, visible from the start
            // (almost two hours of an 8-blobs-an-hour schedule, so every content type has data whatever the time)
            Instant from = t0.minus(Duration.ofMinutes(110));
            Instant to = t0.minus(Duration.ofMinutes(5));
            Map<ContentType, Set<String>> expected = new EnumMap<>(ContentType.class);
            for (ContentType type : ContentType.values()) {
                expected.put(type, sim.expectedRecordIds(TENANT, type, from, to));
                assertTrue(
                        expected.get(type).size() >= 20,
                        type + " has data: " + expected.get(type).size());
            }
            Map<ContentType, Set<String>> got = new EnumMap<>(ContentType.class);
            Map<String, Integer> seen = new HashMap<>();
            int total = consumeUntil(topic, from, to, got, seen, expected, worker);
            System.out.printf(
                    "[%s] %d records in the window (%d consumed in all) %d ms after PUT%n",
                    label,
                    expected.values().stream().mapToInt(Set::size).sum(),
                    total,
                    (System.nanoTime() - s) / 1_000_000);
            List<io.github.auditlake.o365.simulator.RecordedRequest> reqs = sim.requests();
            System.out.printf(
                    "[%s] simulator: %d requests so far, slowest %s%n",
                    label,
                    reqs.size(),
                    reqs.stream()
                            .map(io.github.auditlake.o365.simulator.RecordedRequest::duration)
                            .max(Duration::compareTo)
                            .orElse(Duration.ZERO));
            for (ContentType type : ContentType.values()) {
                assertEquals(expected.get(type), got.getOrDefault(type, Set.of()), type + " record ids");
            }
            List<String> dup = seen.entrySet().stream()
                    .filter(e -> e.getValue() > 1)
                    .map(Map.Entry::getKey)
                    .toList();
            if (EXACTLY_ONCE) {
                assertEquals(List.of(), dup, "records delivered twice (exactly-once)");
            }
            assertTrue(worker.deleteConnector("o365"), "DELETE /connectors/o365");
        }
    }

    /** Consumes (read_committed) until the ids per content type within [from, to) equal {@code expected}. */
    private int consumeUntil(
            String topic,
            Instant from,
            Instant to,
            Map<ContentType, Set<String>> got,
            Map<String, Integer> seen,
            Map<ContentType, Set<String>> expected,
            ProcessConnectWorker worker) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "smoke-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        int total = 0;
        Map<String, Integer> all = new java.util.TreeMap<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try (KafkaConsumer<String, String> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(topic));
            while (!got.equals(expected)) {
                if (System.nanoTime() > deadline) {
                    StringBuilder sb = new StringBuilder("timed out; per type got/expected:");
                    for (ContentType t : ContentType.values()) {
                        sb.append(' ')
                                .append(t.wireName())
                                .append('=')
                                .append(got.getOrDefault(t, Set.of()).size())
                                .append('/')
                                .append(expected.get(t).size());
                    }
                    throw new AssertionError(sb + "\nconsumed in all: " + all + "\nworker log tail:\n"
                            + worker.process().logTail());
                }
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    total++;
                    all.merge(header(r, RecordMapper.HEADER_CONTENT_TYPE), 1, Integer::sum);
                    Instant created = Instant.parse(header(r, RecordMapper.HEADER_CONTENT_CREATED));
                    if (created.isBefore(from) || !created.isBefore(to)) {
                        continue;
                    }
                    ContentType type = ContentType.fromWireName(header(r, RecordMapper.HEADER_CONTENT_TYPE))
                            .orElseThrow();
                    got.computeIfAbsent(type, k -> new HashSet<>()).add(r.key());
                    seen.merge(r.key(), 1, Integer::sum);
                }
            }
        }
        return total;
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        assertTrue(h != null, "header " + name + " on " + r);
        return new String(h.value(), StandardCharsets.UTF_8);
    }
}
