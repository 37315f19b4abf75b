package io.github.auditlake.o365.client;

import io.github.auditlake.o365.api.Endpoints;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.OkHttpManagementApi;
import io.github.auditlake.o365.api.RequestLimiter;
import io.github.auditlake.o365.api.TlsTrust;
import io.github.auditlake.o365.api.TokenProvider;
import io.github.auditlake.o365.auth.ClientCredential;
import io.github.auditlake.o365.auth.ManagedIdentityTokenProvider;
import io.github.auditlake.o365.auth.MsalTokenProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import okhttp3.Credentials;
import okhttp3.OkHttpClient;

/** The connector's entry point: builds a {@link ManagementApi} from {@link ClientSettings}. */
public final class ManagementApis {
    private ManagementApis() {}

    /**
     * Builds the client: one OkHttpClient (timeouts, proxy) shared by sign-in and API calls, an
     * {@link MsalTokenProvider}, and the request limiter. The returned API owns both and closes them.
     */
    public static ManagementApi create(ClientSettings s) {
        OkHttpClient http = httpClient(s);
        TokenProvider tokens = tokenProvider(s, http);
        OkHttpManagementApi api = new OkHttpManagementApi(
                http,
                tokens,
                s.tenantId(),
                s.effectiveApiBaseUrl(),
                s.publisherId(),
                limiter(s),
                s.retryPolicy(),
                s.clock(),
                s.sleeper(),
                s.random(),
                s.userAgent(),
                true);
        api.observingServiceTime(s.serviceClock()).limitingRecordsTo(s.recordMaxBytes());
        return s.apiBaseUrlOverride().isPresent() ? api.rewritingCloudUrls() : api;
    }

    /**
     * The sign-in provider for the settings, carried by {@code http}: a managed identity's, or the app registration's
     * client-credentials sign-in.
     */
    public static TokenProvider tokenProvider(ClientSettings s, OkHttpClient http) {
        return tokenProvider(s, http, s.tokenCloud().resource(), s.scope());
    }

    /**
     * The sign-in provider of the settings' credential for another resource (Microsoft Graph): a managed identity
     * asks for {@code resource}, an app registration for {@code scope}; each provider caches its own tokens.
     */
    public static TokenProvider tokenProvider(ClientSettings s, OkHttpClient http, String resource, String scope) {
        if (s.credential() instanceof ClientCredential.ManagedIdentity mi) {
            return new ManagedIdentityTokenProvider(
                    s.tenantId(), mi, resource, s.identityEndpointOverride().orElse(null), http, s.clock());
        }
        return new MsalTokenProvider(
                s.tenantId(),
                s.clientId(),
                s.credential(),
                s.loginAuthorityBaseUrl(),
                s.loginBaseUrlOverride().orElse(null),
                scope,
                http,
                s.clock(),
                s.allowedPaths());
    }

    /**
     * The limiter: the one given in the settings, else a private one with the settings' budget. The connector gives
     * each task its share of the connector's budget, so tasks in one worker must not share a limiter (a shared one
     * would hold every task of the worker to a single task's share).
     */
    public static RequestLimiter limiter(ClientSettings s) {
        if (s.requestLimiter().isPresent()) {
            return s.requestLimiter().get();
        }
        return new RequestLimiter(s.requestsPerMinute(), s.clock(), s.sleeper(), s.burstAtStart());
    }

    /** The OkHttpClient for the settings: timeouts, user agent, optional HTTP proxy with basic credentials. */
    public static OkHttpClient httpClient(ClientSettings s) {
        OkHttpClient.Builder b = new OkHttpClient.Builder()
                .connectTimeout(s.connectTimeout())
                .readTimeout(s.readTimeout())
                .writeTimeout(s.readTimeout())
                .callTimeout(s.callTimeout())
                .retryOnConnectionFailure(true)
                .followRedirects(false)
                .followSslRedirects(false);
        if (!s.tlsTrust().isDefault()) {
            javax.net.ssl.X509TrustManager tm = s.tlsTrust().trustManager(s.allowedPaths());
            b.sslSocketFactory(TlsTrust.socketFactory(tm), tm);
        }
        if (s.proxyHost().isPresent()) {
            Proxy proxy = new Proxy(
                    Proxy.Type.HTTP,
                    InetSocketAddress.createUnresolved(s.proxyHost().get(), s.proxyPort()));
            b.proxySelector(proxySelector(proxy));
            if (s.proxyUser().isPresent()) {
                String credential =
                        Credentials.basic(s.proxyUser().get(), s.proxyPassword().orElse(""));
                b.proxyAuthenticator((route, response) -> {
                    // Only the proxy's own challenge to a tunnel request (CONNECT): a 407 from the origin, inside
                    // the TLS tunnel, must not receive the proxy password. (Plain http never goes through a proxy:
                    // ClientSettings refuses an http endpoint with a proxy.)
                    if (!"CONNECT".equals(response.request().method())) {
                        return null;
                    }
                    if (response.request().header("Proxy-Authorization") != null) {
                        return null; // already tried: give up (407 surfaces as an error)
                    }
                    return response.request()
                            .newBuilder()
                            .header("Proxy-Authorization", credential)
                            .build();
                });
            }
        }
        return b.build();
    }

    /** {@code proxy} for every target but a loopback one, which is always reached directly. */
    static ProxySelector proxySelector(Proxy proxy) {
        return new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                return List.of(isLoopback(uri.getHost()) ? Proxy.NO_PROXY : proxy);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {}
        };
    }

    /** A loopback address ({@code 127.x.x.x}, {@code ::1}) or {@code localhost}, as written (never resolved). */
    static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(java.util.Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (Endpoints.isLoopback(h) || h.equals("0:0:0:0:0:0:0:1") || h.endsWith(".localhost")) {
            return true;
        }
        String[] p = h.split("\\.", -1);
        if (p.length != 4 || !p[0].equals("127")) {
            return false;
        }
        for (String x : p) {
            if (!x.matches("\\d{1,3}") || Integer.parseInt(x) > 255) {
                return false;
            }
        }
        return true;
    }
}
