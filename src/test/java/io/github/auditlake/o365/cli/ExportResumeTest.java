package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.client.ManagementApis;
import io.github.auditlake.o365.simulator.Faults;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An export to a file interrupted by Ctrl-C (or a timeout) keeps FILE.part and its resume state and says how to
 * resume; {@code export --resume} then writes exactly what an uninterrupted export writes.
 */
class ExportResumeTest {
    private CliHarness cli;

    @AfterEach
    void stop() {
        if (cli != null) {
            cli.close();
        }
    }

    /** The real client, cancelling the run (as Ctrl-C does) when the {@code n}th blob is opened. */
    private void cancelAtBlob(int n) {
        AtomicInteger opened = new AtomicInteger();
        cli.apiFactory = settings -> {
            ManagementApi real = ManagementApis.create(settings);
            return (ManagementApi) Proxy.newProxyInstance(
                    ManagementApi.class.getClassLoader(), new Class<?>[] {ManagementApi.class}, (p, m, args) -> {
                        if (m.getName().equals("openBlob") && opened.incrementAndGet() == n) {
                            cli.context.cancel();
                        }
                        try {
                            return m.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        };
    }

    private static List<String> sortedLines(Path file) throws Exception {
        List<String> l = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        Collections.sort(l);
        return l;
    }

    @Test
    void ctrlCMidExportThenResumeWritesWhatAnUninterruptedExportWrites(@TempDir Path dir) throws Exception {
        cli = new CliHarness(CliHarness.tenant(4).duplicates(0.1));
        Path whole = dir.resolve("whole.jsonl");
        CliHarness.Run full = cli.run(
                "export",
                "--content-type",
                "exchange",
                "--start",
                "-2d",
                "--end",
                "-1h",
                "--concurrency",
                "3",
                "-o",
                whole.toString());
        assertEquals(0, full.code(), full.toString());

        Path file = dir.resolve("resumed.jsonl");
        Path part = dir.resolve("resumed.jsonl.part");
        cancelAtBlob(40);
        CliHarness.Run cut = cli.run(
                "export",
                "--content-type",
                "exchange",
                "--start",
                "-2d",
                "--end",
                "-1h",
                "--concurrency",
                "3",
                "-o",
                file.toString());

        assertEquals(CliException.INTERRUPTED, cut.code(), cut.toString());
        assertFalse(Files.exists(file), "the file is complete only when renamed");
        assertTrue(Files.exists(part) && Files.exists(dir.resolve("resumed.jsonl.part.state")), cut.toString());
        long partLines = Files.readAllLines(part).size();
        assertTrue(
                partLines > 0 && partLines < Files.readAllLines(whole).size(), "interrupted mid-export: " + partLines);
        assertTrue(cut.err().contains("resume with: o365-audit export --resume --output " + file), cut.toString());
        assertFalse(cut.err().contains("Exception"), "no stack trace: " + cut);

        cli.apiFactory = ManagementApis::create;
        CliHarness.Run resumed = cli.run("export", "--resume", "-o", file.toString());

        assertEquals(0, resumed.code(), resumed.toString());
        assertTrue(resumed.err().contains("resuming " + part + " after "), resumed.toString());
        assertEquals(Files.readString(whole), Files.readString(file), "byte for byte the uninterrupted export");
        assertFalse(Files.exists(part) || Files.exists(dir.resolve("resumed.jsonl.part.state")), "state removed");
    }

    @Test
    void blobsLargerThanOneBatchAreResumedWhole(@TempDir Path dir) throws Exception {
        // 1,500 records a blob: a blob reaches the output in more than one batch of the engine (1,024 records), so
        // Ctrl-C can come between two parts of a blob; its first part is held, never written, never saved as done
        cli = new CliHarness(io.github.auditlake.o365.simulator.TenantSpec.of(CliHarness.TENANT)
                .app(io.github.auditlake.o365.simulator.AppSpec.of(CliHarness.CLIENT)
                        .secret(CliHarness.SECRET))
                .subscribedAll(true)
                .volumeAll(io.github.auditlake.o365.simulator.Volume.of(2, 1500))
                .backfill(java.time.Duration.ofDays(1)));
        Path whole = dir.resolve("whole.jsonl");
        String[] args = {"export", "--content-type", "general", "--start", "-4h", "--end", "-1h", "--concurrency", "1"};
        List<String> full = new ArrayList<>(List.of(args));
        full.addAll(List.of("-o", whole.toString()));
        assertEquals(0, cli.run(full.toArray(String[]::new)).code());

        Path file = dir.resolve("resumed.jsonl");
        cancelAtBlob(3);
        List<String> cut = new ArrayList<>(List.of(args));
        cut.addAll(List.of("-o", file.toString()));
        assertEquals(
                CliException.INTERRUPTED, cli.run(cut.toArray(String[]::new)).code());
        cli.apiFactory = ManagementApis::create;

        CliHarness.Run resumed = cli.run("export", "--resume", "-o", file.toString());

        assertEquals(0, resumed.code(), resumed.toString());
        assertEquals(Files.readString(whole), Files.readString(file));
    }

    @Test
    void aCsvOfTwoContentTypesResumedHasOneHeaderAndEveryRowOnce(@TempDir Path dir) throws Exception {
        cli = new CliHarness(CliHarness.tenant(3));
        Path whole = dir.resolve("whole.csv");
        String[] args = {
            "export",
            "--content-type",
            "exchange,azuread",
            "--start",
            "-1d",
            "--end",
            "-1h",
            "--format",
            "csv",
            "--fields",
            "Id,Operation"
        };
        List<String> full = new ArrayList<>(List.of(args));
        full.addAll(List.of("-o", whole.toString()));
        assertEquals(0, cli.run(full.toArray(String[]::new)).code());

        Path file = dir.resolve("resumed.csv");
        cancelAtBlob(25);
        List<String> cut = new ArrayList<>(List.of(args));
        cut.addAll(List.of("-o", file.toString()));
        assertEquals(
                CliException.INTERRUPTED, cli.run(cut.toArray(String[]::new)).code());
        cli.apiFactory = ManagementApis::create;

        CliHarness.Run resumed = cli.run("export", "--resume", "--output", file.toString());

        assertEquals(0, resumed.code(), resumed.toString());
        assertEquals(sortedLines(whole), sortedLines(file), "every row once (content types interleave)");
        assertEquals(
                1,
                Files.readAllLines(file).stream()
                        .filter(l -> l.equals("Id,Operation"))
                        .count());
    }

    @Test
    void anExportThatTimedOutInAnOutageResumesOnceTheServiceIsBack(@TempDir Path dir) throws Exception {
        cli = new CliHarness(CliHarness.tenant(4));
        Path whole = dir.resolve("whole.json");
        assertEquals(
                0,
                cli.run(
                                "export",
                                "--content-type",
                                "sharepoint",
                                "--start",
                                "-1d",
                                "--end",
                                "-1h",
                                "--format",
                                "json",
                                "-o",
                                whole.toString())
                        .code());

        Path file = dir.resolve("resumed.json");
        // the outage begins after some blobs: a timeout ends the export with its state kept
        AtomicInteger opened = new AtomicInteger();
        cli.apiFactory = settings -> {
            ManagementApi real = ManagementApis.create(settings);
            return (ManagementApi) Proxy.newProxyInstance(
                    ManagementApi.class.getClassLoader(), new Class<?>[] {ManagementApi.class}, (p, m, args) -> {
                        if (m.getName().equals("openBlob") && opened.incrementAndGet() == 20) {
                            cli.sim.faults().failNext(100_000, ".*/activity/feed/audit/.*", Faults.Kind.HTTP_503);
                        }
                        try {
                            return m.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        };
        CliHarness.Run cut = cli.run(
                "export",
                "--content-type",
                "sharepoint",
                "--start",
                "-1d",
                "--end",
                "-1h",
                "--format",
                "json",
                "--concurrency",
                "1",
                "--timeout",
                "30m",
                "-o",
                file.toString());
        assertEquals(CliException.TIMEOUT, cut.code(), cut.toString());
        assertTrue(cut.err().contains("continue it with: o365-audit export --resume --output " + file), cut.toString());

        cli.sim.faults().clear();
        cli.apiFactory = ManagementApis::create;
        CliHarness.Run resumed = cli.run("export", "--resume", "-o", file.toString());

        assertEquals(0, resumed.code(), resumed.toString());
        assertEquals(Files.readString(whole), Files.readString(file), "one JSON array, as without the outage");
    }
}
