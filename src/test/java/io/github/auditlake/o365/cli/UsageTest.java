package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Command-line mistakes exit 2 with one line naming the mistake; help and version exit 0. */
class UsageTest {
    private final CliHarness cli = new CliHarness(CliHarness.tenant(1));

    @AfterEach
    void stop() {
        cli.close();
    }

    private void assertUsage(CliHarness.Run r, String expected) {
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().startsWith("o365-audit: "), r.toString());
        assertTrue(r.err().contains(expected), r.toString());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r);
        assertEquals("", r.out(), r.toString());
    }

    @Test
    void unknownOptionIsNamedEvenWhenRequiredOptionsAreMissing() {
        assertUsage(cli.run("export", "--bogus"), "Unknown option: '--bogus'");
        assertUsage(cli.run("content", "list", "--content-type", "all", "--bogus", "x"), "Unknown option: '--bogus'");
        assertUsage(cli.run("--bogus", "subscriptions", "list"), "Unknown option: '--bogus'");
    }

    @Test
    void misspelledSecretOptionNeverEchoesTheValue() {
        CliHarness.Run r = cli.run("subscriptions", "list", "--client-secrett", "hunter2-secret");
        assertUsage(r, "Unknown option: '--client-secrett'");
        assertFalse(r.err().contains("hunter2-secret"), r.toString());
    }

    @Test
    void missingRequiredOptionOrSubcommand() {
        assertUsage(cli.run("content", "list", "--content-type", "Audit.Exchange"), "--start");
        assertUsage(cli.run("subscriptions"), "subcommand");
        assertUsage(cli.run(), "subcommand");
        assertUsage(cli.run("content", "get"), "URI|CONTENT_ID");
    }

    @Test
    void badValuesAreUsageErrors() {
        assertUsage(
                cli.run("content", "list", "--content-type", "Audit.Nope", "--start", "-1h"),
                "unknown content type 'Audit.Nope'");
        assertUsage(
                cli.run("content", "list", "--content-type", "exchange", "--start", "yesterday"),
                "--start 'yesterday' is not a time");
        assertUsage(
                cli.run("export", "--content-type", "exchange", "--start", "-1h", "--end", "-2h"),
                "must be before --end");
        assertUsage(
                cli.run("export", "--content-type", "exchange", "--start", "-1h", "--format", "xml"),
                "unknown --format 'xml'");
        assertUsage(
                cli.run("export", "--content-type", "exchange", "--start", "-1h", "--concurrency", "0"),
                "--concurrency");
        assertUsage(cli.run("--cloud", "mars", "subscriptions", "list"), "unknown cloud 'mars'");
    }

    @Test
    void startOlderThanTheRetentionIsRefused() {
        // the Management API alone (older starts go to audit search by default: ExportHistoryTest)
        CliHarness.Run r =
                cli.run("export", "--content-type", "Audit.General", "--source", "activity-api", "--start", "-8d");
        assertUsage(r, "more than 7 days ago");
        assertTrue(r.err().contains("2026-11-21T12:00:00Z"), "names the earliest start: " + r);
        assertEquals(0, cli.sim.requestCount(), "nothing was sent");
    }

    @Test
    void missingCredentialsSayHowToGiveThem() {
        cli.env.remove("O365_CLIENT_SECRET");
        assertUsage(cli.run("subscriptions", "list"), "no credential");
        cli.env.remove("O365_TENANT_ID");
        assertUsage(cli.run("subscriptions", "list"), "O365_TENANT_ID");
    }

    @Test
    void helpAndVersionExitZero() {
        CliHarness.Run help = cli.run("--help");
        assertEquals(0, help.code(), help.toString());
        for (String cmd : new String[] {"subscriptions", "content", "export", "notifications", "doctor"}) {
            assertTrue(help.out().contains(cmd), cmd);
        }
        assertTrue(help.out().contains("process list"), "documents that --client-secret is visible");
        CliHarness.Run sub = cli.run("export", "--help");
        assertEquals(0, sub.code(), sub.toString());
        assertTrue(sub.out().contains("--concurrency") && sub.out().contains("--tenant"), sub.toString());
        CliHarness.Run v = cli.run("--version");
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().startsWith("o365-audit "), v.toString());
    }

    @Test
    void globalOptionsWorkBeforeAndAfterTheSubcommand() {
        cli.env.remove("O365_TENANT_ID");
        cli.env.remove("O365_API_URL");
        String api = cli.sim.baseUrl();
        CliHarness.Run before = cli.run("--tenant", CliHarness.TENANT, "--api-url", api, "subscriptions", "list");
        assertEquals(0, before.code(), before.toString());
        CliHarness.Run after = cli.run("subscriptions", "list", "--tenant", CliHarness.TENANT, "--api-url", api);
        assertEquals(0, after.code(), after.toString());
        assertEquals(before.out(), after.out());
    }
}
