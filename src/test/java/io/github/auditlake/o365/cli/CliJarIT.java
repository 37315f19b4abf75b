package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.cluster.Classpaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged CLI jar (target/o365-audit-cli.jar): it holds every core package the CLI uses and the Kafka client for
 * verify, never Connect; a command other than verify runs without loading a single Kafka class; and its verify
 * reads a real broker with the jar's own Kafka client.
 */
class CliJarIT {
    static final Path JAR = Classpaths.projectDir().resolve("target/o365-audit-cli.jar");

    @Test
    void holdsTheCorePackagesAndTheKafkaClientButNoConnect() throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipFile z = new ZipFile(JAR.toFile())) {
            z.stream().forEach(e -> names.add(e.getName()));
        }
        for (String cls : List.of(
                "io/github/auditlake/o365/settings/Setting.class",
                "io/github/auditlake/o365/ledger/LedgerEntry.class",
                "io/github/auditlake/o365/enrich/Enricher.class", // export --enrich, content get --enrich
                "io/github/auditlake/o365/cli/verify/Verifier.class",
                "org/apache/kafka/clients/consumer/KafkaConsumer.class",
                "com/github/luben/zstd/Zstd.class")) {
            assertTrue(names.contains(cls), cls);
        }
        assertFalse(names.stream().anyMatch(n -> n.startsWith("org/apache/kafka/connect/")), "no Connect");
        assertFalse(names.stream().anyMatch(n -> n.startsWith("io/github/auditlake/o365/records/")), "no connector");
        // the plugin archive ships this jar under cli/, and Connect scans it: nothing there is a Connect plugin
        assertFalse(names.contains("org/apache/kafka/common/config/provider/FileConfigProvider.class"));
        assertFalse(
                names.stream().anyMatch(n -> n.startsWith("META-INF/services/org.apache.kafka")),
                ""
                        + names.stream()
                                .filter(n -> n.startsWith("META-INF/services/"))
                                .toList());
    }

    @Test
    void otherCommandsLoadNoKafkaClassAndVerifysHelpRuns(@TempDir Path dir) throws Exception {
        // a command that fails for want of credentials after parsing every command: nothing of Kafka is needed
        String classes = java(dir, "-verbose:class", "-jar", JAR.toString(), "subscriptions", "list");
        assertTrue(classes.contains("io.github.auditlake.o365.cli.VerifyCommand"), "every command was built");
        assertFalse(classes.contains("org.apache.kafka"), "no Kafka class loaded");
        String help = java(dir, "-jar", JAR.toString(), "verify", "--help");
        assertTrue(
                help.contains("--bootstrap-server") && help.contains("NOT complete: at least one blob missing"), help);
    }

    @Test
    void theJarsVerifyReadsARealBrokerAndNamesTheMissingBlobs(@TempDir Path dir) throws Exception {
        org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster kafka =
                new org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster(1, new java.util.Properties());
        kafka.start();
        try (io.github.auditlake.o365.simulator.ManagementApiSimulator sim =
                io.github.auditlake.o365.simulator.ManagementApiSimulator.builder()
                        .clock(io.github.auditlake.o365.simulator.SimClock.system())
                        .tenant(CliHarness.tenant(4))
                        .build()
                        .start()) {
            kafka.createTopic("ledger", 1);
            String out = java(
                    dir,
                    4, // not complete
                    "-jar",
                    JAR.toString(),
                    "verify",
                    "--bootstrap-server",
                    kafka.bootstrapServers(),
                    "--ledger-topic",
                    "ledger",
                    "--content-type",
                    "exchange",
                    "--start",
                    "-3h",
                    "--grace",
                    "0m",
                    "--tenant",
                    CliHarness.TENANT,
                    "--client-id",
                    CliHarness.CLIENT,
                    "--client-secret",
                    CliHarness.SECRET,
                    "--api-url",
                    sim.baseUrl(),
                    "--login-url",
                    sim.baseUrl());
            long listed = sim.visibleBlobs(
                            CliHarness.TENANT,
                            io.github.auditlake.o365.api.ContentType.EXCHANGE,
                            java.time.Instant.now().minus(java.time.Duration.ofHours(3)),
                            java.time.Instant.now())
                    .size();
            assertTrue(listed >= 8, "blobs to miss: " + listed);
            assertEquals(
                    listed, out.lines().filter(l -> l.startsWith("missing\t")).count(), out);
            assertTrue(out.contains("NOT complete"), out);
        } finally {
            kafka.stop();
        }
    }

    private static String java(Path dir, String... args) throws Exception {
        return java(dir, -1, args);
    }

    /** Runs the jar; {@code code} the exit code expected, or -1 for 0 or 2. */
    private static String java(Path dir, int code, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("O365_"));
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the CLI ends");
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(
                code < 0 ? p.exitValue() == 0 || p.exitValue() == 2 : p.exitValue() == code,
                "exit " + p.exitValue() + ": " + text);
        return text;
    }
}
