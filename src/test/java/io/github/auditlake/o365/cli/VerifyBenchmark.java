package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.ledger.BlobDigest;
import io.github.auditlake.o365.ledger.LedgerEntry;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.SimBlob;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.Test;

/**
 * The figures of docs/benchmarks-analysis.md, "verify": the time and request cost of {@code verify} without --data
 * for a day of a busy tenant (200 blobs an hour in each of the five content types), against the simulator (pages of
 * 600 blobs, as the service) and an in-JVM broker holding the day's ledger. Not a test (its name keeps it out of
 * the suite): run {@code ./mvnw -q test -Dtest=VerifyBenchmark -Dsurefire.failIfNoSpecifiedTests=false}; the figures
 * go to target/verify-benchmark.txt.
 */
class VerifyBenchmark {
    static final int BLOBS_PER_HOUR = 200;

    @Test
    void aBusyTenantsDay() throws Exception {
        TenantSpec tenant = TenantSpec.of(CliHarness.TENANT)
                .app(AppSpec.of(CliHarness.CLIENT).secret(CliHarness.SECRET))
                .subscribedAll(true)
                .volumeAll(Volume.of(BLOBS_PER_HOUR, 20))
                .backfill(Duration.ofDays(2));
        EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(1, new Properties());
        kafka.start();
        StringBuilder out = new StringBuilder();
        try (CliHarness cli = new CliHarness(tenant, SimClock.fixed(CliHarness.NOW), 600)) {
            kafka.createTopic("ledger", 1);
            Instant from = CliHarness.NOW.minus(Duration.ofDays(1));
            int entries = 0;
            Map<String, Object> p = new HashMap<>();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (ContentType type : ContentType.values()) {
                    for (SimBlob b : cli.sim.visibleBlobs(CliHarness.TENANT, type, from, CliHarness.NOW)) {
                        BlobDigest d = new BlobDigest();
                        LedgerEntry e = new LedgerEntry(
                                CliHarness.TENANT,
                                type.wireName(),
                                b.contentId(),
                                "https://x/" + b.contentId(),
                                b.contentCreated(),
                                b.contentExpiration(),
                                b.contentCreated(),
                                b.contentCreated().plusSeconds(60),
                                b.recordCount(),
                                b.recordCount() * 1500L,
                                d.hex(),
                                0,
                                LedgerEntry.Outcome.DELIVERED,
                                null,
                                0);
                        producer.send(new ProducerRecord<>(
                                "ledger",
                                e.key().getBytes(StandardCharsets.UTF_8),
                                e.toJson().getBytes(StandardCharsets.UTF_8)));
                        entries++;
                    }
                }
            }
            for (int run = 1; run <= 3; run++) {
                long requestsBefore = cli.sim.requestCount();
                long t0 = System.nanoTime();
                CliHarness.Run r = cli.run(
                        "verify",
                        "--bootstrap-server",
                        kafka.bootstrapServers(),
                        "--ledger-topic",
                        "ledger",
                        "--start",
                        from.toString(),
                        "--end",
                        CliHarness.NOW.toString(),
                        "--grace",
                        "0m");
                long ms = (System.nanoTime() - t0) / 1_000_000;
                long requests = cli.sim.requestCount() - requestsBefore;
                assertEquals(0, r.code(), r.toString());
                out.append(String.format(
                        "run %d: 1 day, 5 content types, %d blobs listed, %d ledger entries: %d ms, %d requests "
                                + "(listing pages and sign-in)%n",
                        run, entries, entries, ms, requests));
            }
        } finally {
            kafka.stop();
        }
        out.append("machine: ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores, JDK ")
                .append(System.getProperty("java.vm.version"))
                .append(", load average at the end ")
                .append(Files.readString(Path.of("/proc/loadavg")).trim())
                .append('\n');
        Files.writeString(Path.of("target", "verify-benchmark.txt"), out);
        System.out.print(out);
    }
}
