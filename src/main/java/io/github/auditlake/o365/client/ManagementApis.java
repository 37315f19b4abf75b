package io.github.auditlake.o365.client;

import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.OkHttpManagementApi;
import io.github.auditlake.o365.api.RequestLimiter;
import io.github.auditlake.o365.api.TlsTrust;
import io.github.auditlake.o365.api.TokenProvider;
import io.github.auditlake.o365.auth.ClientCredential;
import io.github.auditlake.o365.auth.ManagedIdentityTokenProvider;
import io.github.auditlake.o365.auth.MsalTokenProvider;
import java.net.InetSocketAddress;
import java.net.Proxy;
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
        if (s.credential() instanceof ClientCredential.ManagedIdentity mi) {
            return new ManagedIdentityTokenProvider(
                    s.tenantId(),
                    mi,
                    s.tokenCloud().resource(),
                    s.identityEndpointOverride().orElse(null),
                    http,
                    s.clock());
        }
        return new MsalTokenProvider(
                s.tenantId(),
                s.clientId(),
                s.credential(),
                s.loginAuthorityBaseUrl(),
                s.loginBaseUrlOverride().orElse(null),
                s.scope(),
                http,
                s.clock());
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
            javax.net.ssl.X509TrustManager tm = s.tlsTrust().trustManager();
            b.sslSocketFactory(TlsTrust.socketFactory(tm), tm);
        }
        if (s.proxyHost().isPresent()) {
            b.proxy(new Proxy(
                    Proxy.Type.HTTP,
                    InetSocketAddress.createUnresolved(s.proxyHost().get(), s.proxyPort())));
            if (s.proxyUser().isPresent()) {
                String credential =
                        Credentials.basic(s.proxyUser().get(), s.proxyPassword().orElse(""));
                b.proxyAuthenticator((route, response) -> {
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
}
