package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.simulator.Faults;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Messages written for a person at a terminal: what happened and what to do, without the connector's phrases. */
class CliWordingTest {
    private CliHarness cli;

    @AfterEach
    void stop() {
        if (cli != null) {
            cli.close();
        }
    }

    @Test
    void aMalformedProxyUrlIsReportedAsSuchNotAsAnUnreachableEndpoint() {
        cli = new CliHarness(CliHarness.tenant(1));
        for (String proxy :
                new String[] {"http//proxy.example:3128", "http://proxy.example:99999", "http://proxy.example:3128/path"
                }) {
            CliHarness.Run r = cli.run("subscriptions", "list", "--proxy", proxy);

            assertEquals(CliException.USAGE, r.code(), r.toString());
            assertTrue(
                    r.err().contains("the proxy URL (from --proxy) is malformed: use http://HOST:PORT"), r.toString());
            assertFalse(r.err().contains("reach"), r.toString());
        }
    }

    @Test
    void anOutputInADirectoryThatDoesNotExistIsAUsageErrorNamingIt(@TempDir Path dir) {
        cli = new CliHarness(CliHarness.tenant(1));
        Path missing = dir.resolve("no-such-dir");

        CliHarness.Run r = cli.run(
                "export",
                "--content-type",
                "exchange",
                "--start",
                "-1h",
                "-o",
                missing.resolve("audit.jsonl").toString());

        assertEquals(CliException.USAGE, r.code(), r.toString());
        assertTrue(
                r.err().contains("the directory " + missing + " does not exist; create it or name another file"),
                r.toString());
        assertFalse(r.err().contains("unexpected error") || r.err().contains("NoSuchFileException"), r.toString());
        assertTrue(
                cli.sim.requests().stream().noneMatch(q -> q.path().contains("/content")),
                "nothing is listed before the output is known to be writable");
    }

    @Test
    void aContentIdMangledByTheShellGetsAHintAndNoConnectorPhrase() {
        cli = new CliHarness(CliHarness.tenant(1));
        // '20261128091144442128177$20261128092802137897148$audit_exchange$Audit_Exchange$na0021' unquoted in bash
        CliHarness.Run r = cli.run("content", "get", "202611280911444421281770261128092802137897148");

        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("o365-audit: warning: this contentId has no '$'"), r.toString());
        assertTrue(r.err().contains("Put the contentId or contentUri in single quotes"), r.toString());
        assertFalse(r.err().contains("skip it"), "a connector phrase: " + r);
        assertFalse(r.err().contains("will retry"), "a connector phrase: " + r);
    }

    @Test
    void aTransientFailureAtExitDoesNotSayItWillRetry() {
        cli = new CliHarness(CliHarness.tenant(1));
        cli.sim.faults().failNext(100_000, ".*/subscriptions/list", Faults.Kind.HTTP_503);

        CliHarness.Run r = cli.run("subscriptions", "list");

        // the client's bounded attempts are spent: the command ends, and says so without promising a retry
        assertEquals(CliException.FAILURE, r.code(), r.toString());
        assertTrue(r.err().endsWith("o365-audit: Listing subscriptions failed: HTTP 503\n"), r.toString());
        assertFalse(r.err().contains("will retry"), r.toString());
    }
}
