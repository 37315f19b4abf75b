package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code --config} file may come from someone else: the hosts it names (API, sign-in, managed-identity endpoint,
 * proxy) must be Microsoft's unless the operator allows them with {@code --allow-endpoint} (or their own
 * {@code O365_ENDPOINT_OVERRIDE_HOSTS}), so the operator's {@code O365_CLIENT_SECRET} goes nowhere else. What the
 * operator types (options, environment) needs no entry.
 */
class ConfigEndpointTest {
    private final CliHarness cli = new CliHarness(CliHarness.tenant(1));
    private final AtomicInteger apisBuilt = new AtomicInteger();
    private final AtomicReference<ClientSettings> seen = new AtomicReference<>();

    @AfterEach
    void stop() {
        cli.close();
    }

    /** The operator's environment: credentials only, the endpoints left to the file. */
    private void operatorEnvironmentWithoutEndpoints() {
        cli.env.remove("O365_API_URL");
        cli.env.remove("O365_LOGIN_URL");
    }

    private String simHost() {
        return URI.create(cli.sim.baseUrl()).getAuthority();
    }

    private Path config(Path dir, String body) throws Exception {
        Path f = dir.resolve("someone-elses.properties");
        Files.writeString(f, body);
        return f;
    }

    /** Counts the clients built and keeps no network: a fake API. */
    private void fakeApi() {
        cli.apiFactory = s -> {
            apisBuilt.incrementAndGet();
            seen.set(s);
            return new FakeManagementApi(s.tenantId(), cli.clock);
        };
    }

    @Test
    void aConfigPointingTheApiAndSignInElsewhereIsRefusedAndNothingIsSent(@TempDir Path dir) throws Exception {
        operatorEnvironmentWithoutEndpoints();
        Path file = config(dir, "o365.api.url=" + cli.sim.baseUrl() + "\no365.login.url=" + cli.sim.baseUrl() + "\n");

        CliHarness.Run r = cli.run("subscriptions", "list", "--config", file.toString());

        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("o365.api.url"), "names the key: " + r);
        assertTrue(r.err().contains(simHost()), "names the host: " + r);
        assertTrue(r.err().contains("--allow-endpoint " + simHost()), "names the flag to add: " + r);
        assertEquals(0, cli.sim.requests().size(), "no request reached the host: " + cli.sim.requests());
        assertFalse(r.err().contains(CliHarness.SECRET) || r.out().contains(CliHarness.SECRET), r.toString());

        CliHarness.Run allowed =
                cli.run("subscriptions", "list", "--config", file.toString(), "--allow-endpoint", simHost());
        assertEquals(0, allowed.code(), allowed.toString());
        assertTrue(allowed.out().contains("Audit.Exchange\tenabled"), allowed.toString());
    }

    @Test
    void aRemoteHostIsRefusedBeforeAnyClientIsBuiltAndEachKeyIsChecked(@TempDir Path dir) throws Exception {
        operatorEnvironmentWithoutEndpoints();
        fakeApi();
        String[][] cases = {
            {"o365.api.url=https://attacker.example", "o365.api.url", "attacker.example"},
            {"o365.login.url=https://attacker.example:8443/x", "o365.login.url", "attacker.example:8443"},
            {"o365.graph.url=https://graph.attacker.example", "o365.graph.url", "graph.attacker.example"},
            {
                "o365.http.proxy.url=http://proxy.attacker.example:3128",
                "o365.http.proxy.url",
                "proxy.attacker.example:3128"
            },
            {
                "o365.cloud=gcc\no365.api.url=https://manage.office.com.attacker.example",
                "o365.api.url",
                "manage.office.com.attacker.example"
            },
            {"o365.api.url=http://manage.office.com", "o365.api.url", "manage.office.com"}, // Microsoft, but cleartext
        };
        for (String[] c : cases) {
            Path file = config(dir, c[0] + "\n");
            CliHarness.Run r = cli.run("subscriptions", "list", "--config", file.toString());
            assertEquals(2, r.code(), c[0] + ": " + r);
            assertTrue(
                    r.err().contains(c[1] + " points at " + c[2]) && r.err().contains("--allow-endpoint " + c[2]),
                    c[0] + ": " + r);
        }
        assertEquals(0, apisBuilt.get(), "no client was built for a refused configuration");

        Path proxy = config(dir, "o365.http.proxy.url=http://proxy.corp.example:3128\n");
        assertEquals(
                0,
                cli.run("subscriptions", "list", "--config", proxy.toString(), "--allow-endpoint", "proxy.corp.example")
                        .code(),
                "a host entry allows every port");
        assertEquals("proxy.corp.example", seen.get().proxyHost().orElseThrow());
        Path two = config(dir, "o365.api.url=https://a.example:8443\no365.login.url=https://b.example\n");
        assertEquals(
                0,
                cli.run(
                                "subscriptions",
                                "list",
                                "--config",
                                two.toString(),
                                "--allow-endpoint",
                                "a.example:8443,b.example")
                        .code(),
                "comma-separated");
        assertEquals(
                0,
                cli.run(
                                "subscriptions",
                                "list",
                                "--config",
                                two.toString(),
                                "--allow-endpoint",
                                "a.example:8443",
                                "--allow-endpoint",
                                "b.example")
                        .code(),
                "repeated");
        CliHarness.Run wrongPort = cli.run(
                "subscriptions", "list", "--config", two.toString(), "--allow-endpoint", "a.example:443,b.example");
        assertEquals(2, wrongPort.code(), "host:port matches that port only: " + wrongPort);
        CliHarness.Run url = cli.run(
                "subscriptions", "list", "--config", two.toString(), "--allow-endpoint", "https://a.example:8443");
        assertEquals(2, url.code(), url.toString());
        assertTrue(url.err().contains("HOST or HOST:PORT"), url.toString());
    }

    @Test
    void microsoftsHostsTheImdsDefaultAndWhatTheOperatorTypesNeedNoEntry(@TempDir Path dir) throws Exception {
        operatorEnvironmentWithoutEndpoints();
        fakeApi();
        Path microsoft = config(
                dir,
                "o365.cloud=gcc-high\no365.api.url=https://manage.office365.us\n"
                        + "o365.login.url=https://login.microsoftonline.us/\n");
        CliHarness.Run r = cli.run("subscriptions", "list", "--config", microsoft.toString());
        assertEquals(0, r.code(), r.toString());

        cli.env.remove("O365_CLIENT_SECRET");
        Path imds = config(
                dir,
                "o365.auth.method=managed-identity\n"
                        + "o365.managed.identity.endpoint=http://169.254.169.254/metadata/identity/oauth2/token\n");
        assertEquals(
                0, cli.run("subscriptions", "list", "--config", imds.toString()).code());
        Path otherIdentity = config(
                dir,
                "o365.auth.method=managed-identity\no365.managed.identity.endpoint=http://identity.example:81/t\n");
        CliHarness.Run refused = cli.run("subscriptions", "list", "--config", otherIdentity.toString());
        assertEquals(2, refused.code(), refused.toString());
        assertTrue(
                refused.err().contains("o365.managed.identity.endpoint points at identity.example:81"),
                refused.toString());
        cli.env.put("O365_CLIENT_SECRET", CliHarness.SECRET);

        // the same hosts typed by the operator: options and environment variables are the operator's choice
        Path remote = config(dir, "o365.api.url=https://attacker.example\no365.http.proxy.url=http://p.example:1\n");
        CliHarness.Run typed = cli.run(
                "subscriptions",
                "list",
                "--config",
                remote.toString(),
                "--api-url",
                "https://reverse-proxy.corp.example",
                "--proxy",
                "http://proxy.corp.example:3128");
        assertEquals(0, typed.code(), typed.toString());
        assertEquals("https://reverse-proxy.corp.example", seen.get().effectiveApiBaseUrl());
        cli.env.put("O365_API_URL", "https://reverse-proxy.corp.example");
        CliHarness.Run fromEnv = cli.run(
                "subscriptions", "list", "--config", remote.toString(), "--proxy", "http://proxy.corp.example:3128");
        assertEquals(0, fromEnv.code(), fromEnv.toString());
        CliHarness.Run noConfig = cli.run("subscriptions", "list", "--proxy", "http://proxy.corp.example:3128");
        assertEquals(0, noConfig.code(), noConfig.toString());
    }

    @Test
    void theOperatorsOwnEndpointListAllowsTheHostToo(@TempDir Path dir) throws Exception {
        operatorEnvironmentWithoutEndpoints();
        Path file = config(dir, "o365.api.url=" + cli.sim.baseUrl() + "\no365.login.url=" + cli.sim.baseUrl() + "\n");
        cli.env.put("O365_ENDPOINT_OVERRIDE_HOSTS", "other.example," + simHost());
        CliHarness.Run r = cli.run("subscriptions", "list", "--config", file.toString());
        assertEquals(0, r.code(), r.toString());
    }

    @Test
    void aSecretPlantedInTheHostNeverShowsInTheRefusal(@TempDir Path dir) throws Exception {
        operatorEnvironmentWithoutEndpoints();
        fakeApi();
        // a hostile file that would put the operator's secret in a DNS name, and then in the error message
        String planted = "planted-secret-4f1d";
        cli.env.put("O365_CLIENT_SECRET", planted);
        Path file = config(dir, "o365.api.url=https://${env:O365_CLIENT_SECRET}.attacker.example\n");
        CliHarness.Run r = cli.run("subscriptions", "list", "--config", file.toString(), "--verbose");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("o365.api.url points at ***.attacker.example"), r.toString());
        assertFalse(r.err().contains(planted) || r.out().contains(planted), r.toString());
        assertEquals(0, apisBuilt.get());
    }
}
