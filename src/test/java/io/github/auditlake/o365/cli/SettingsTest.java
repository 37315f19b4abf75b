package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.client.ClientSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where settings come from: options > environment > --config, with Kafka config-provider placeholders. */
class SettingsTest {
    private final CliHarness cli = new CliHarness(CliHarness.tenant(1));
    private final AtomicReference<ClientSettings> seen = new AtomicReference<>();

    @AfterEach
    void stop() {
        cli.close();
    }

    /**
     * Runs a command; records the ClientSettings the command built. The API is the real client against the
     * simulator unless {@code fake}, then an in-memory one (for settings the simulator would refuse, e.g. a cloud).
     */
    private CliHarness.Run run(String... args) {
        return run(false, args);
    }

    private CliHarness.Run run(boolean fake, String... args) {
        cli.apiFactory = s -> {
            seen.set(s);
            return fake
                    ? new io.github.auditlake.o365.testkit.FakeManagementApi(s.tenantId(), cli.clock)
                    : io.github.auditlake.o365.client.ManagementApis.create(s);
        };
        return cli.run(args);
    }

    private void clearEnv() {
        cli.env.clear();
    }

    /** The simulator's host:port, as --allow-endpoint takes it. */
    private String simHost() {
        return java.net.URI.create(cli.sim.baseUrl()).getAuthority();
    }

    @Test
    void connectRestJsonWithFileAndEnvPlaceholders(@TempDir Path dir) throws Exception {
        clearEnv();
        Path secrets = dir.resolve("secrets.properties");
        Files.writeString(secrets, "client.secret=" + CliHarness.SECRET + "\n");
        Path config = dir.resolve("connector.json");
        Files.writeString(
                config,
                "{\"name\": \"o365\", \"config\": {"
                        + "\"connector.class\": \"io.github.auditlake.o365.O365AuditSourceConnector\","
                        + "\"o365.tenant.id\": \"" + CliHarness.TENANT + "\","
                        + "\"o365.client.id\": \"${env:APP_ID}\","
                        + "\"o365.client.secret\": \"${file:" + secrets + ":client.secret}\","
                        + "\"o365.api.url\": \"" + cli.sim.baseUrl() + "\","
                        + "\"o365.login.url\": \"" + cli.sim.baseUrl() + "\","
                        + "\"o365.requests.per.minute\": \"600\","
                        + "\"tasks.max\": 2}}");
        cli.env.put("APP_ID", CliHarness.CLIENT);
        CliHarness.Run r =
                run("subscriptions", "list", "--config", config.toString(), "--verbose", "--allow-endpoint", simHost());
        assertEquals(0, r.code(), r.toString());
        assertEquals(600, seen.get().requestsPerMinute());
        assertEquals(CliHarness.CLIENT, seen.get().clientId());
        assertTrue(r.err().contains("credential: client secret *** (from o365 config"), r.toString());
        assertFalse(r.err().contains(CliHarness.SECRET) || r.out().contains(CliHarness.SECRET), r.toString());
    }

    @Test
    void flatJsonAndPropertiesFilesWork(@TempDir Path dir) throws Exception {
        clearEnv();
        Path flat = dir.resolve("flat.json");
        Files.writeString(
                flat,
                "{\"o365.tenant.id\": \"" + CliHarness.TENANT + "\", \"o365.client.id\": \""
                        + CliHarness.CLIENT + "\", \"o365.client.secret\": \"" + CliHarness.SECRET
                        + "\", \"o365.api.url\": \""
                        + cli.sim.baseUrl() + "\", \"o365.login.url\": \"" + cli.sim.baseUrl() + "\"}");
        assertEquals(
                0,
                run("subscriptions", "list", "--config", flat.toString(), "--allow-endpoint", simHost())
                        .code());

        Path dirSecret = dir.resolve("mounted");
        Files.createDirectories(dirSecret);
        Files.writeString(dirSecret.resolve("secret"), CliHarness.SECRET);
        Path props = dir.resolve("o365.properties");
        Files.writeString(
                props,
                "o365.tenant.id=" + CliHarness.TENANT + "\no365.client.id=" + CliHarness.CLIENT
                        + "\no365.client.secret=${directory:" + dirSecret + ":secret}\no365.api.url="
                        + cli.sim.baseUrl()
                        + "\no365.login.url=" + cli.sim.baseUrl()
                        + "\no365.publisher.id=0b2e5c4d-1111-4222-8333-444455556666\n");
        cli.env.put("O365_ENDPOINT_OVERRIDE_HOSTS", "proxy.example," + simHost()); // the operator's list works too
        CliHarness.Run r = run("subscriptions", "list", "--config", props.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals("0b2e5c4d-1111-4222-8333-444455556666", seen.get().publisherId());
    }

    @Test
    void optionsWinOverEnvironmentWhichWinsOverTheConfig(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("c.json");
        Files.writeString(
                config,
                "{\"o365.tenant.id\": \"11111111-1111-4111-8111-111111111111\","
                        + "\"o365.cloud\": \"gcc\", \"o365.publisher.id\": \"22222222-2222-4222-8222-222222222222\"}");
        CliHarness.Run r = run(true, "subscriptions", "list", "--config", config.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(CliHarness.TENANT, seen.get().tenantId(), "env wins over the file");
        assertEquals("gcc", seen.get().cloud().configName(), "the file fills what env lacks");

        cli.env.put("O365_CLOUD", "gcc-high");
        run(true, "subscriptions", "list", "--config", config.toString());
        assertEquals("gcc-high", seen.get().cloud().configName());
        run(
                true,
                "subscriptions",
                "list",
                "--config",
                config.toString(),
                "--cloud",
                "commercial",
                "--publisher-id",
                "33333333-3333-4333-8333-333333333333");
        assertEquals("commercial", seen.get().cloud().configName());
        assertEquals("33333333-3333-4333-8333-333333333333", seen.get().publisherId());
    }

    @Test
    void configProblemsAreUsageErrorsNamingTheKey(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("c.json");
        Files.writeString(config, "{\"o365.client.secret\": \"${vault:secret/o365:client}\"}");
        cli.env.remove("O365_CLIENT_SECRET");
        CliHarness.Run r = run("subscriptions", "list", "--config", config.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("o365.client.secret") && r.err().contains("'vault'"), r.toString());

        Files.writeString(config, "{\"o365.client.secret\": \"${env:NOT_SET_ANYWHERE}\"}");
        CliHarness.Run missing = run("subscriptions", "list", "--config", config.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("NOT_SET_ANYWHERE is not set"), missing.toString());

        CliHarness.Run absent = run(
                "subscriptions", "list", "--config", dir.resolve("nope.json").toString());
        assertEquals(2, absent.code());
        assertTrue(absent.err().contains("cannot read it"), absent.toString());
    }

    @Test
    void secretAndCertificateFromTheSameLayerConflict(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("app.p12");
        Files.write(cert, new byte[] {1});
        CliHarness.Run r =
                run("subscriptions", "list", "--client-secret", "x-secret-x", "--certificate", cert.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("either a client secret or a certificate"), r.toString());
        assertFalse(r.err().contains("x-secret-x"));
    }

    @Test
    void proxyUrlWithCredentials() {
        CliSettings.Proxy p = CliSettings.parseProxy(
                new CliSettings.Value("http://u%40x:p%3Ass@proxy.example:3128", "--proxy"), null, null);
        assertEquals("proxy.example", p.host());
        assertEquals(3128, p.port());
        assertEquals("u@x", p.user());
        assertEquals("p:ss", p.password());
        // no port: 3128, the connector's default too (issue 21: it was 80 here)
        assertEquals(
                3128,
                CliSettings.parseProxy(new CliSettings.Value("proxy.example", "--proxy"), null, null)
                        .port());
    }
}
