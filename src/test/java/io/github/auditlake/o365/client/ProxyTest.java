package io.github.auditlake.o365.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.AllowedPaths;
import io.github.auditlake.o365.api.EndpointAllowList;
import io.github.auditlake.o365.api.TlsOrigin;
import io.github.auditlake.o365.api.TlsTrust;
import io.github.auditlake.o365.api.TunnelProxy;
import java.nio.file.Path;
import java.util.List;
import okhttp3.Credentials;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP proxy of sign-in and API calls, observed on the wire (a CONNECT proxy on loopback tunnelling to a TLS
 * origin whose name never resolves): it is on the worker's allow-list or refused, it carries every request but those
 * to loopback, plain http never goes through it, and its password goes only to its own challenge.
 */
class ProxyTest {
    static final String PASSWORD = "PLANTED-proxy-password-5e";
    static final String AUTH = Credentials.basic("proxy-user", PASSWORD);

    @TempDir
    static Path dir;

    static TlsOrigin origin;

    @BeforeAll
    static void start() throws Exception {
        origin = new TlsOrigin(dir);
    }

    @AfterAll
    static void stop() {
        origin.close();
    }

    static ClientSettings.Builder settings(TunnelProxy proxy) {
        return ClientSettings.builder()
                .tenantId("t")
                .clientId("c")
                .clientSecret("s")
                .allowList(EndpointAllowList.of(TlsOrigin.HOST + ",127.0.0.1:" + proxy.port()))
                .allowedPaths(AllowedPaths.of(""))
                .tlsTrust(TlsTrust.ofPem(origin.caPem()))
                .proxy("127.0.0.1", proxy.port())
                .proxyCredentials("proxy-user", PASSWORD);
    }

    static int get(ClientSettings s, String url) throws Exception {
        OkHttpClient http = ManagementApis.httpClient(s);
        try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
            return r.code();
        } finally {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
    }

    static String originUrl() {
        return "https://" + TlsOrigin.HOST + ":" + origin.port() + "/api/v1.0/t/activity/feed/subscriptions/list";
    }

    @Test
    void callsGoThroughTheProxyAndOnlyItsConnectCarriesThePassword() throws Exception {
        origin.seen().clear();
        origin.handler(ex -> TlsOrigin.send(ex, 200, "[]"));
        try (TunnelProxy proxy = new TunnelProxy(origin.port(), AUTH)) {
            assertEquals(200, get(settings(proxy).build(), originUrl()));
            List<TunnelProxy.Seen> seen = proxy.seen();
            assertEquals(1, seen.size(), seen.toString());
            assertEquals(new TunnelProxy.Seen("CONNECT", TlsOrigin.HOST + ":" + origin.port(), AUTH, 200), seen.get(0));
            assertEquals(1, origin.seen().size(), origin.seen().toString());
            assertFalse(origin.seen().get(0).hasHeader("Proxy-Authorization"), "the origin never sees it");
        }
    }

    /** On main, the origin's 407 inside the tunnel was answered with the proxy password. */
    @Test
    void anOriginsProxyChallengeInsideTheTunnelReceivesNoPassword() throws Exception {
        origin.seen().clear();
        origin.handler(ex -> {
            ex.getResponseHeaders().add("Proxy-Authenticate", "Basic realm=\"phish\"");
            TlsOrigin.send(ex, 407, "");
        });
        try (TunnelProxy proxy = new TunnelProxy(origin.port(), AUTH)) {
            assertEquals(407, get(settings(proxy).build(), originUrl()));
            assertFalse(origin.seen().isEmpty());
            assertTrue(
                    origin.seen().stream().noneMatch(s -> s.hasHeader("Proxy-Authorization")),
                    "the origin received the proxy password: " + origin.seen());
        } finally {
            origin.handler(ex -> TlsOrigin.send(ex, 200, "[]"));
        }
    }

    /** On main, a loopback target (a simulator, a local relay) went through the proxy too. */
    @Test
    void aLoopbackTargetIsReachedDirectly() throws Exception {
        origin.seen().clear();
        try (TunnelProxy proxy = new TunnelProxy(origin.port(), AUTH)) {
            ClientSettings s =
                    settings(proxy).allowList(EndpointAllowList.of("127.0.0.1")).build();
            assertEquals(200, get(s, "https://127.0.0.1:" + origin.port() + "/x"));
            assertEquals(List.of(), proxy.seen(), "nothing through the proxy");
            assertEquals(1, origin.seen().size());
        }
    }

    /** On main, an http override was sent through the proxy in absolute form: the secret in clear. */
    @Test
    void aPlainHttpEndpointTogetherWithAProxyIsRefused() throws Exception {
        try (TunnelProxy proxy = new TunnelProxy(origin.port(), null)) {
            EndpointAllowList loopback = EndpointAllowList.of("127.0.0.1,localhost");
            IllegalArgumentException api = assertThrows(
                    IllegalArgumentException.class,
                    () -> settings(proxy)
                            .allowList(loopback)
                            .apiBaseUrl("http://127.0.0.1:8365")
                            .build());
            assertTrue(api.getMessage().contains("in clear"), api.getMessage());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> settings(proxy)
                            .allowList(loopback)
                            .loginBaseUrl("http://localhost:8365")
                            .build());
            settings(proxy)
                    .allowList(loopback)
                    .apiBaseUrl("https://127.0.0.1:8365")
                    .build();
        }
    }

    /** On main, a proxy without credentials was never checked against the allow-list. */
    @Test
    void aProxyOffTheAllowListIsRefusedWithOrWithoutCredentials() throws Exception {
        try (TunnelProxy proxy = new TunnelProxy(origin.port(), null)) {
            ClientSettings.Builder b = settings(proxy).allowList(EndpointAllowList.of(TlsOrigin.HOST));
            String m = assertThrows(IllegalArgumentException.class, b::build).getMessage();
            assertTrue(m.contains("O365_ENDPOINT_OVERRIDE_HOSTS=127.0.0.1:" + proxy.port()), m);
            assertThrows(
                    IllegalArgumentException.class,
                    () -> b.proxyCredentials(null, null).build());
        }
    }

    @Test
    void onlyLoopbackNamesAndAddressesBypassTheProxy() {
        for (String h : List.of("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST", "a.localhost")) {
            assertTrue(ManagementApis.isLoopback(h), h);
        }
        for (String h : List.of(
                "login.microsoftonline.com", "127.0.0.1.example", "10.0.0.1", "128.0.0.1", "localhost.example", "")) {
            assertFalse(ManagementApis.isLoopback(h), h);
        }
    }
}
