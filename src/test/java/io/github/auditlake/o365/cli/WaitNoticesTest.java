package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.simulator.Faults;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Never silent: every long wait (throttling with Retry-After, an outage's backoff) is said on stderr without
 * --verbose, never on stdout, not at all with --quiet; --timeout ends a command with exit code 3 and says what it was
 * waiting for; export progress under cron is plain lines at a bounded rate.
 */
class WaitNoticesTest {
    private CliHarness cli;

    @AfterEach
    void stop() {
        if (cli != null) {
            cli.close();
        }
    }

    private static List<String> lines(String text, String containing) {
        return Arrays.stream(text.split("\n"))
                .filter(l -> l.contains(containing))
                .toList();
    }

    @Test
    void throttlingWithRetryAfterSaysHowLongAndWhyOnStderrWithoutVerbose() {
        cli = new CliHarness(CliHarness.tenant(1));
        cli.sim
                .faults()
                .throttleAs429(true, Duration.ofSeconds(60))
                .failNext(2, ".*/subscriptions/list", Faults.Kind.THROTTLE);

        CliHarness.Run r = cli.run("subscriptions", "list");

        assertEquals(0, r.code(), r.toString());
        List<String> waits = lines(r.err(), "o365-audit: waiting ");
        // each Retry-After of 60 s is honoured and said, the second with the time the waits began
        assertEquals(2, waits.size(), r.toString());
        assertTrue(
                waits.get(0).startsWith("o365-audit: waiting 1 min 0 s (until 2026-11-28T12:01:00Z): "), r.toString());
        assertTrue(
                waits.get(1)
                        .startsWith("o365-audit: waiting 1 min 0 s (until 2026-11-28T12:02:00Z; waiting since "
                                + "2026-11-28T12:00:00Z): "),
                r.toString());
        assertTrue(waits.get(0).contains("Throttled by the service"), r.toString());
        assertFalse(r.out().contains("waiting"), "waits never go to stdout: " + r);
        assertFalse(r.err().contains("will retry"), "no connector phrase: " + r);
    }

    @Test
    void quietHidesTheWaitNoticesButNotTheResult() {
        cli = new CliHarness(CliHarness.tenant(1));
        cli.sim
                .faults()
                .throttleAs429(true, Duration.ofSeconds(60))
                .failNext(2, ".*/subscriptions/list", Faults.Kind.THROTTLE);

        CliHarness.Run r = cli.run("subscriptions", "list", "--quiet");

        assertEquals(0, r.code(), r.toString());
        assertEquals("", r.err(), r.toString());
        assertTrue(r.out().startsWith("contentType\tstatus"), r.toString());
    }

    @Test
    void anOutageIsSaidWhileItLastsAndTheTimeoutEndsTheCommandWithExitCode3() {
        cli = new CliHarness(CliHarness.tenant(1));
        cli.sim.faults().failNext(100_000, ".*/activity/feed/.*", Faults.Kind.HTTP_503);

        CliHarness.Run r =
                cli.run("content", "list", "--content-type", "exchange", "--start", "-1h", "--timeout", "10m");

        assertEquals(CliException.TIMEOUT, r.code(), r.toString());
        List<String> waits = lines(r.err(), "o365-audit: waiting ");
        assertTrue(waits.size() >= 3, "the outage is said more than once: " + r);
        assertTrue(waits.stream().allMatch(l -> l.contains("503")), r.toString());
        // the client's retries and the CLI's own backoff between them (listing the window again) alike
        assertTrue(waits.stream().anyMatch(l -> l.contains("(failure ")), "the CLI's backoff is said: " + r);
        assertTrue(
                waits.stream().anyMatch(l -> l.contains("; waiting since 2026-11-28T12:00:00Z)")),
                "a long outage says since when: " + r);
        String last = r.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(
                last.startsWith("o365-audit: timed out after 10 min 0 s (--timeout 10m); it was waiting for: "),
                r.toString());
        assertTrue(last.endsWith("Give a longer --timeout, or --timeout 0 for none"), r.toString());
    }

    @Test
    void contentGetSaysItIsStillFetchingASlowBlob() {
        cli = new CliHarness(CliHarness.tenant(1));
        String id = cli.sim
                .visibleBlobs(
                        CliHarness.TENANT,
                        io.github.auditlake.o365.api.ContentType.EXCHANGE,
                        CliHarness.NOW.minus(Duration.ofHours(6)),
                        CliHarness.NOW)
                .get(0)
                .contentId();
        // a slow service: each answer takes longer than the notice's first delay (real time)
        cli.sim.faults().latency(StillWorking.FIRST.plusSeconds(2));

        CliHarness.Run r = cli.run("content", "get", id);

        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("o365-audit: still fetching blob "), r.toString());
        assertFalse(r.out().contains("still"), "notices never go to stdout");
    }

    @Test
    void aMalformedTimeoutIsAUsageError() {
        cli = new CliHarness(CliHarness.tenant(1));

        CliHarness.Run r = cli.run("subscriptions", "list", "--timeout", "soon");

        assertEquals(CliException.USAGE, r.code(), r.toString());
        assertTrue(r.err().contains("--timeout 'soon' is not a duration: use 30s, 10m, 2h, 1d"), r.toString());
    }

    @Test
    void anExportUnderAnOutageSaysItWaitsAndHasNoTimeoutUnlessGiven() {
        cli = new CliHarness(CliHarness.tenant(2));
        // every blob download fails for a while: more than the default 15 minutes of other commands
        cli.sim.faults().failNext(120, ".*/activity/feed/audit/.*", Faults.Kind.HTTP_503);

        CliHarness.Run r = cli.run("export", "--content-type", "exchange", "--start", "-2h", "--concurrency", "1");

        assertEquals(0, r.code(), r.toString());
        List<String> waits = lines(r.err(), "o365-audit: waiting ");
        assertTrue(waits.stream().anyMatch(l -> l.contains(": blob ") && l.contains("503")), r.toString());
        assertTrue(r.err().contains("done: "), r.toString());
    }

    @Test
    void underCronExportProgressIsPlainLinesAtABoundedRate() {
        cli = new CliHarness(CliHarness.tenant(4));
        cli.interactive = false;
        // throttled: the simulated clock moves by minutes while the export runs
        cli.sim.faults().throttle(20);

        CliHarness.Run r = cli.run("export", "--content-type", "exchange", "--start", "-1d", "--concurrency", "2");

        assertEquals(0, r.code(), r.toString());
        assertFalse(r.err().contains("\r"), "no carriage returns in a log file: " + r.err());
        List<String> progress = lines(r.err(), "export: ");
        long minutes = Duration.between(CliHarness.NOW, cli.clock.instant()).toMinutes();
        assertTrue(minutes >= 2, "the run took simulated minutes: " + minutes);
        assertFalse(progress.isEmpty(), "progress is shown without a terminal: " + r.err());
        assertTrue(progress.size() <= minutes + 1, progress.size() + " lines in " + minutes + " minutes");
        assertTrue(
                progress.get(progress.size() - 1)
                        .matches("export: \\d+% of the range, \\d+ blobs, [0-9.]+ [KMG]?B, "
                                + "\\d+ records, \\d+ skipped, [0-9.]+ blobs/s, [0-9.]+ [KMG]?B/s(, about .* left)?"),
                progress.toString());
    }
}
