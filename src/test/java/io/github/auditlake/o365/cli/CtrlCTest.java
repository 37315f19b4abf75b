package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.SimClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Ctrl-C: the CLI runs in its own JVM (its {@code main}, with its shutdown hook), exporting to a file from a slow
 * simulator on loopback, and gets SIGINT once the resume state shows blobs written. It keeps FILE.part and its state,
 * says how to resume, prints no stack trace, and exits as an interrupted process does (130).
 */
class CtrlCTest {
    static final Duration DEADLINE = Duration.ofSeconds(60);

    @Test
    void sigintDuringAnExportKeepsThePartFileAndSaysHowToResume(@TempDir Path dir) throws Exception {
        try (ManagementApiSimulator sim = ManagementApiSimulator.builder()
                .clock(SimClock.system())
                .seed(3)
                .tenant(CliHarness.tenant(12))
                .build()
                .start()) {
            sim.faults().latency(Duration.ofMillis(150)); // slow enough to be interrupted mid-export
            Path file = dir.resolve("audit.jsonl");
            Path state = dir.resolve("audit.jsonl.part.state");
            ProcessBuilder pb = new ProcessBuilder(
                            Paths.get(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-Xmx128m",
                            "-cp",
                            System.getProperty("java.class.path"),
                            Main.class.getName(),
                            "export",
                            "--content-type",
                            "all",
                            "--start",
                            "-2d",
                            "--concurrency",
                            "1",
                            "-o",
                            file.toString())
                    .redirectError(dir.resolve("stderr.txt").toFile())
                    .redirectOutput(dir.resolve("stdout.txt").toFile());
            pb.environment().put("O365_TENANT_ID", CliHarness.TENANT);
            pb.environment().put("O365_CLIENT_ID", CliHarness.CLIENT);
            pb.environment().put("O365_CLIENT_SECRET", CliHarness.SECRET);
            pb.environment().put("O365_API_URL", sim.baseUrl());
            pb.environment().put("O365_LOGIN_URL", sim.baseUrl());
            Process cli = pb.start();
            try {
                long deadline = System.nanoTime() + DEADLINE.toNanos();
                while (!(Files.exists(state) && Files.readString(state).matches(".*\"blobs\":[1-9].*"))
                        && System.nanoTime() < deadline) {
                    assertTrue(cli.isAlive(), "the export ended early: " + Files.readString(dir.resolve("stderr.txt")));
                    Thread.sleep(100); // polling a condition with a deadline
                }
                new ProcessBuilder("kill", "-INT", Long.toString(cli.pid()))
                        .start()
                        .waitFor();
                assertTrue(cli.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the CLI stops on Ctrl-C");
            } finally {
                cli.destroyForcibly();
            }
            String err = Files.readString(dir.resolve("stderr.txt"), StandardCharsets.UTF_8);
            assertEquals(130, cli.exitValue(), err);
            List<String> lines = err.lines()
                    .filter(l -> l.startsWith("o365-audit: interrupted: "))
                    .toList();
            assertEquals(1, lines.size(), err);
            assertTrue(
                    lines.get(0)
                            .endsWith("resume with: o365-audit export --resume --output " + file
                                    + " (and the same credentials or --config)"),
                    err);
            assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
            assertFalse(Files.exists(file), "the file is complete only when renamed");
            assertTrue(Files.size(dir.resolve("audit.jsonl.part")) > 0 && Files.exists(state));
        }
    }
}
