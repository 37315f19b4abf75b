package io.github.auditlake.o365.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.auditlake.o365.api.AllowedPaths;
import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.EndpointAllowList;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.FakeTime;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.TlsOrigin;
import io.github.auditlake.o365.api.TunnelProxy;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.Faults;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.TenantSpec;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the factory builds from a connector configuration, observed on the wire (the simulator's request log, a
 * CONNECT proxy, an HTTPS server with a private CA): the validation client's single attempt and own timeout, the
 * task client's retries and timeout from {@code o365.retry.*} and {@code o365.http.timeout.ms}, the proxy with its
 * credentials, the extra TLS authority and the worker's endpoint allow-list.
 */
class DefaultApiFactoryTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final String CLIENT = "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69";
    static final String SECRET = "s3cret~value";
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

    final FakeTime time = new FakeTime(NOW);
    DefaultApiFactory factory = new DefaultApiFactory(time, time);
    ManagementApiSimulator sim;
    ManagementApi api;

    @AfterEach
    void close() {
        if (api != null) {
            api.close();
        }
        if (sim != null) {
            sim.close();
        }
    }

    ManagementApiSimulator sim() {
        sim = ManagementApiSimulator.builder()
                .clock(time)
                .seed(1)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret(SECRET))
                        .subscribedAll(true))
                .build()
                .start();
        return sim;
    }

    Map<String, String> config(String apiUrl, String loginUrl) {
        Map<String, String> p = new HashMap<>();
        p.put("o365.tenant.id", TENANT);
        p.put("o365.client.id", CLIENT);
        p.put("o365.client.secret", SECRET);
        p.put("o365.api.url", apiUrl);
        p.put("o365.login.url", loginUrl);
        p.put("o365.retry.backoff.ms", "100");
        p.put("o365.retry.backoff.max.ms", "200");
        return p;
    }

    ManagementApi create(Map<String, String> props, boolean forValidation) {
        api = factory.create(new O365SourceConfig(props), 6000, forValidation);
        return api;
    }

    long subscriptionListings() {
        return sim.requests().stream()
                .filter(r -> r.path().endsWith("/subscriptions/list"))
                .count();
    }

    @Test
    void theValidationClientMakesOneAttempt() {
        sim().faults().failNext(10, ".*/subscriptions/list", Faults.Kind.HTTP_503);
        Map<String, String> p = config(sim.baseUrl(), sim.baseUrl());
        p.put("o365.retry.max.attempts", "5");

        ApiException e = assertThrows(ApiException.class, () -> create(p, true).listSubscriptions());

        assertEquals(ErrorKind.TRANSIENT, e.kind(), e.getMessage());
        assertEquals(1, subscriptionListings(), "validate() answers at once instead of retrying");
    }

    @Test
    void aTaskClientRetriesAsOftenAsConfigured() {
        sim().faults().failNext(10, ".*/subscriptions/list", Faults.Kind.HTTP_503);
        Map<String, String> p = config(sim.baseUrl(), sim.baseUrl());
        p.put("o365.retry.max.attempts", "3");

        assertThrows(ApiException.class, () -> create(p, false).listSubscriptions());

        assertEquals(3, subscriptionListings(), "o365.retry.max.attempts");
    }

    @Test
    void aTaskClientRecoversWithinItsAttempts() {
        sim().faults().failNext(2, ".*/subscriptions/list", Faults.Kind.HTTP_503);
        Map<String, String> p = config(sim.baseUrl(), sim.baseUrl());
        p.put("o365.retry.max.attempts", "3");

        assertFalse(create(p, false).listSubscriptions().isEmpty());
        assertEquals(3, subscriptionListings());
    }

    /**
     * After sign-in, every answer takes 3 seconds (the simulator's injected latency). A task client with
     * o365.http.timeout.ms=1000 gives up on it; the validation client has its own timeout, not the task's, and gets
     * the answer.
     */
    @Test
    void aTaskClientUsesTheConfiguredHttpTimeoutAndTheValidationClientItsOwn() {
        sim();
        Map<String, String> p = config(sim.baseUrl(), sim.baseUrl());
        p.put("o365.http.timeout.ms", "1000");
        p.put("o365.retry.max.attempts", "1");
        try (ManagementApi validation = factory.create(new O365SourceConfig(p), 6000, true)) {
            ManagementApi task = create(p, false);
            validation.listSubscriptions();
            task.listSubscriptions();
            sim.faults().latency(Duration.ofSeconds(3));

            assertFalse(validation.listSubscriptions().isEmpty(), "the validation client waits for a slow answer");
            ApiException e = assertThrows(ApiException.class, task::listSubscriptions);
            assertTrue(e.getMessage().contains("timed out"), "the task client timed out: " + e.getMessage());
        }
    }

    /**
     * With an authenticating proxy configured, sign-in and API calls to a non-loopback host go through it, as TLS
     * tunnels (CONNECT) carrying the configured user and password; the origin, trusted through the inline
     * o365.tls.ca.pem, never sees the password.
     */
    @Test
    void callsGoThroughTheConfiguredProxyWithItsCredentials(@TempDir Path dir) throws Exception {
        String expected =
                "Basic " + Base64.getEncoder().encodeToString("proxy-user:proxy-pass".getBytes(StandardCharsets.UTF_8));
        String before = System.getProperty(EndpointAllowList.PROPERTY);
        try (TlsOrigin origin = new TlsOrigin(dir);
                TunnelProxy proxy = new TunnelProxy(origin.port(), expected)) {
            origin.handler(ex -> {
                if (ex.getRequestURI().getPath().endsWith("/oauth2/v2.0/token")) {
                    TlsOrigin.send(ex, 200, "{\"token_type\":\"Bearer\",\"expires_in\":3600,\"access_token\":\"tok\"}");
                } else {
                    TlsOrigin.send(ex, 200, "[{\"contentType\":\"Audit.Exchange\",\"status\":\"enabled\"}]");
                }
            });
            System.setProperty(
                    EndpointAllowList.PROPERTY, "127.0.0.1,localhost," + TlsOrigin.HOST + ":" + origin.port());
            String url = "https://" + TlsOrigin.HOST + ":" + origin.port();
            Map<String, String> p = config(url, url);
            p.put("o365.tls.ca.pem", origin.caPem());
            p.put("o365.http.proxy.url", "http://127.0.0.1:" + proxy.port());
            p.put("o365.http.proxy.user", "proxy-user");
            p.put("o365.http.proxy.password", "proxy-pass");

            assertFalse(create(p, false).listSubscriptions().isEmpty());

            List<TunnelProxy.Seen> seen = proxy.seen();
            assertFalse(seen.isEmpty(), "the calls went through the proxy");
            assertTrue(
                    seen.stream()
                            .allMatch(s -> s.method().equals("CONNECT")
                                    && s.target().equals(TlsOrigin.HOST + ":" + origin.port())
                                    && expected.equals(s.proxyAuthorization())),
                    "tunnels to the origin, each with the credentials: " + seen);
            List<String> paths =
                    origin.seen().stream().map(TlsOrigin.Seen::path).toList();
            assertTrue(paths.stream().anyMatch(x -> x.endsWith("/oauth2/v2.0/token")), "sign-in: " + paths);
            assertTrue(paths.stream().anyMatch(x -> x.endsWith("/subscriptions/list")), "API call: " + paths);
            assertTrue(
                    origin.seen().stream().noneMatch(x -> x.hasHeader("Proxy-Authorization")),
                    "the origin never sees the proxy password");
        } finally {
            if (before == null) {
                System.clearProperty(EndpointAllowList.PROPERTY);
            } else {
                System.setProperty(EndpointAllowList.PROPERTY, before);
            }
        }
    }

    @Test
    void anEndpointOffTheWorkersAllowListIsRefused() {
        // the build's allow-list is 127.0.0.1 and localhost
        Map<String, String> p = config("https://o365-proxy.example:8443", "http://127.0.0.1:8365");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> create(p, false));
        assertTrue(e.getMessage().contains("O365_ENDPOINT_OVERRIDE_HOSTS"), e.getMessage());
        Map<String, String> v = config("http://127.0.0.1:8365", "https://login-proxy.example");
        assertThrows(IllegalArgumentException.class, () -> create(v, true), "the validation client too");
    }

    /** The API behind TLS with a private CA: refused by default, trusted with o365.tls.ca.pem.path. */
    @Test
    void theConfiguredCertificateAuthorityIsTrusted(@TempDir Path dir) throws Exception {
        sim();
        Path store = dir.resolve("server.p12");
        Path ca = dir.resolve("ca.pem");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        run(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "corp",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "san=ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                "changeit",
                "-keypass",
                "changeit");
        run(
                keytool.toString(),
                "-exportcert",
                "-rfc",
                "-alias",
                "corp",
                "-keystore",
                store.toString(),
                "-storepass",
                "changeit",
                "-file",
                ca.toString());
        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(serverContext(store)));
        https.createContext("/", ex -> {
            byte[] b = "[{\"contentType\":\"Audit.Exchange\",\"status\":\"enabled\",\"webhook\":null}]"
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        https.start();
        try {
            String apiUrl = "https://127.0.0.1:" + https.getAddress().getPort();
            Map<String, String> p = config(apiUrl, sim.baseUrl());
            p.put("o365.retry.max.attempts", "1");
            ApiException refused =
                    assertThrows(ApiException.class, () -> create(p, false).listSubscriptions());
            assertTrue(
                    String.valueOf(refused.getCause()).contains("SSL")
                            || refused.getMessage().contains("SSL"),
                    "refused without the CA: " + refused);
            api.close();

            p.put("o365.tls.ca.pem.path", ca.toString());
            // the worker operator allows the CA's directory
            factory = factory.withAllowedPaths(AllowedPaths.of(dir.toString()));
            assertEquals(
                    "Audit.Exchange",
                    create(p, false).listSubscriptions().get(0).contentType());
            api.close();
            assertEquals(
                    ContentType.EXCHANGE.wireName(),
                    create(p, true).listSubscriptions().get(0).contentType(),
                    "the validation client too");
        } finally {
            https.stop(0);
        }
    }

    static SSLContext serverContext(Path store) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool finished");
        assertEquals(0, p.exitValue(), out);
    }
}
