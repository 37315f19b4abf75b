package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proxy credentials typed in {@code --proxy}'s {@code user:password@} show in the process list and the shell
 * history: the CLI warns and names the alternatives ({@code O365_HTTP_PROXY_USER} / {@code O365_HTTP_PROXY_PASSWORD},
 * or {@code --config}), and never shows the password.
 */
class ProxyCredentialsTest {
    static final String PASSWORD = "pr0xy-Pass~word";
    static final String WARNING =
            "warning: the proxy credentials in --proxy show in the process list and the shell " + "history";

    private final CliHarness cli = new CliHarness(CliHarness.tenant(1));
    private final AtomicReference<ClientSettings> seen = new AtomicReference<>();

    @BeforeEach
    void fakeApi() {
        // Microsoft's default endpoints (https): no loopback simulator behind a proxy; the fake API sends nothing
        cli.env.remove("O365_API_URL");
        cli.env.remove("O365_LOGIN_URL");
        cli.apiFactory = s -> {
            seen.set(s);
            return new FakeManagementApi(s.tenantId(), cli.clock);
        };
    }

    @AfterEach
    void stop() {
        cli.close();
    }

    @Test
    void credentialsInTheProxyOptionDrawAWarningNamingTheAlternatives() {
        CliHarness.Run r =
                cli.run("subscriptions", "list", "--proxy", "http://alice:" + PASSWORD + "@proxy.corp.example:3128");

        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("o365-audit: " + WARNING), r.toString());
        assertTrue(r.err().contains("O365_HTTP_PROXY_USER and O365_HTTP_PROXY_PASSWORD"), r.toString());
        assertTrue(r.err().contains("o365.http.proxy.password"), r.toString());
        assertFalse(r.err().contains(PASSWORD) || r.out().contains(PASSWORD), r.toString());
        assertEquals("alice", seen.get().proxyUser().orElseThrow());
        assertEquals(PASSWORD, seen.get().proxyPassword().orElseThrow(), "the credentials are still used");

        CliHarness.Run encoded = cli.run(
                "subscriptions", "list", "--verbose", "--proxy=http://alice:pr0xy-Pass%7Eword@proxy.corp.example:3128");
        assertEquals(0, encoded.code(), encoded.toString());
        assertTrue(encoded.err().contains(WARNING), encoded.toString());
        assertEquals(PASSWORD, seen.get().proxyPassword().orElseThrow());
        assertFalse(
                encoded.err().contains(PASSWORD) || encoded.err().contains("pr0xy-Pass%7Eword"), encoded.toString());
    }

    @Test
    void credentialsFromTheEnvironmentDrawNoWarning() {
        cli.env.put("O365_HTTP_PROXY_USER", "alice");
        cli.env.put("O365_HTTP_PROXY_PASSWORD", PASSWORD);

        CliHarness.Run r = cli.run("subscriptions", "list", "--verbose", "--proxy", "http://proxy.corp.example:3128");

        assertEquals(0, r.code(), r.toString());
        assertFalse(r.err().contains("warning"), r.toString());
        assertTrue(r.err().contains("proxy: proxy.corp.example:3128 as alice (from --proxy)"), r.toString());
        assertEquals(PASSWORD, seen.get().proxyPassword().orElseThrow());
        assertFalse(r.err().contains(PASSWORD) || r.out().contains(PASSWORD), r.toString());

        CliHarness.Run plain = cli.run("subscriptions", "list", "--proxy", "http://proxy.corp.example:3128");
        assertFalse(plain.err().contains("warning"), "no credentials on the command line: " + plain);
    }
}
