package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.TlsOrigin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A custom CA, as behind a TLS-inspecting proxy: the API answers over TLS with a certificate from a private authority
 * (a loopback origin with a self-signed certificate). Without the CA the CLI stops at once naming --ca-file, and
 * doctor calls it a TLS trust problem; with --ca-file, or o365.tls.ca.pem.path in --config, it works.
 */
class CliTlsTrustTest {
    @TempDir
    static Path dir;

    static TlsOrigin origin;
    static Path ca;
    private CliHarness cli;

    @BeforeAll
    static void startOrigin() throws Exception {
        origin = new TlsOrigin(dir);
        ca = dir.resolve("proxy-ca.pem");
        Files.writeString(ca, origin.caPem(), StandardCharsets.US_ASCII);
    }

    @AfterAll
    static void stopOrigin() {
        origin.close();
    }

    @AfterEach
    void stop() {
        if (cli != null) {
            cli.close();
        }
    }

    /** Sign-in at the simulator, the API at the TLS origin (which answers every listing with an empty array). */
    private CliHarness harness() {
        cli = new CliHarness(CliHarness.tenant(1));
        cli.env.put("O365_API_URL", "https://127.0.0.1:" + origin.port());
        return cli;
    }

    @Test
    void withoutTheCaTheCommandStopsAtOnceNamingTheOption() {
        harness();

        CliHarness.Run r = cli.run("subscriptions", "list");

        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("the server's TLS certificate is not trusted"), r.toString());
        assertTrue(r.err().contains("--ca-file FILE.pem"), r.toString());
        assertFalse(r.err().contains("o365-audit: waiting "), "no waiting for a certificate to become trusted: " + r);
    }

    @Test
    void caFileTrustsTheAuthority() {
        harness();

        CliHarness.Run r = cli.run("subscriptions", "list", "--ca-file", ca.toString());

        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("contentType\tstatus"), r.toString());
    }

    @Test
    void configTlsKeysAreAppliedAndAnUnknownKeyIsReported() throws Exception {
        harness();
        Path config = dir.resolve("connector.properties");
        Files.writeString(
                config,
                "o365.tls.ca.pem.path=" + ca + "\no365.poll.interval.ms=30000\no365.tls.ca.pem.pth=/typo\n",
                StandardCharsets.UTF_8);

        CliHarness.Run r = cli.run("subscriptions", "list", "--config", config.toString());

        assertEquals(0, r.code(), r.toString());
        assertTrue(
                r.err().contains("unknown key o365.tls.ca.pem.pth, ignored (not a setting of this connector version"),
                r.toString());
        assertFalse(r.err().contains("o365.poll.interval.ms"), "a connector-only key is no warning: " + r);
    }

    @Test
    void doctorCallsItATlsTrustProblemAndNamesTheOption() {
        harness();

        CliHarness.Run r = cli.run("doctor");

        assertEquals(1, r.code(), r.toString());
        String api = r.out()
                .lines()
                .filter(l -> l.contains("API endpoint"))
                .findFirst()
                .orElse("");
        assertTrue(api.startsWith("FAIL"), r.toString());
        assertTrue(api.contains("answers, but it is a TLS trust problem"), api);
        assertTrue(api.contains("--ca-file"), api);
        assertFalse(api.contains("cannot be reached"), api);
    }
}
