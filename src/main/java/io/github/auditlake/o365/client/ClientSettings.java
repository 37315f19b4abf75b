package io.github.auditlake.o365.client;

import io.github.auditlake.o365.api.AllowedPaths;
import io.github.auditlake.o365.api.Cloud;
import io.github.auditlake.o365.api.EndpointAllowList;
import io.github.auditlake.o365.api.Endpoints;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.RequestLimiter;
import io.github.auditlake.o365.api.RetryPolicy;
import io.github.auditlake.o365.api.ServiceClock;
import io.github.auditlake.o365.api.Sleeper;
import io.github.auditlake.o365.api.TlsTrust;
import io.github.auditlake.o365.auth.ClientCredential;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;

/**
 * Everything needed to build a {@link ManagementApi} (see {@link ManagementApis#create}). Immutable; build with
 * {@link #builder()}. {@link #toString()} never shows secrets.
 */
public final class ClientSettings {
    public static final int DEFAULT_REQUESTS_PER_MINUTE = 1800;
    public static final String DEFAULT_USER_AGENT = io.github.auditlake.o365.api.Version.userAgent();
    /**
     * Whole-call timeout of every request but a blob's (sign-in, listings, subscriptions): connecting, sending, the
     * response headers and the body read whole. A blob's body streams for as long as bytes keep coming; the read
     * timeout bounds each wait for them.
     */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofMinutes(2);

    private final String tenantId;
    private final String clientId;
    private final ClientCredential credential;
    private final Cloud cloud;
    private final String apiBaseUrl;
    private final String loginBaseUrl;
    private final String graphBaseUrl;
    private final String identityEndpoint;
    private final String publisherId;
    private final int requestsPerMinute;
    private final RequestLimiter requestLimiter;
    private final RetryPolicy retryPolicy;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration callTimeout;
    private final String proxyHost;
    private final int proxyPort;
    private final String proxyUser;
    private final String proxyPassword;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Random random;
    private final String userAgent;
    private final EndpointAllowList allowList;
    private final AllowedPaths allowedPaths;
    private final TlsTrust tlsTrust;
    private final ServiceClock serviceClock;
    private final boolean burstAtStart;
    private final int recordMaxBytes;

    private ClientSettings(Builder b) {
        tenantId = requireText(b.tenantId, "tenant id").trim();
        credential = Objects.requireNonNull(b.credential, "a client secret or a certificate is required");
        if (credential instanceof ClientCredential.ManagedIdentity mi) {
            // a managed identity is not an app registration: its client id, if any, is the user-assigned identity's
            clientId = mi.clientId();
        } else {
            clientId = requireText(b.clientId, "client id").trim();
        }
        cloud = b.cloud == null ? Cloud.COMMERCIAL : b.cloud;
        apiBaseUrl = b.apiBaseUrl == null ? null : Endpoints.validateBaseUrl(b.apiBaseUrl, "API base URL");
        loginBaseUrl = b.loginBaseUrl == null ? null : Endpoints.validateBaseUrl(b.loginBaseUrl, "login base URL");
        graphBaseUrl = b.graphBaseUrl == null ? null : Endpoints.validateBaseUrl(b.graphBaseUrl, "Graph base URL");
        identityEndpoint = b.identityEndpoint == null
                ? null
                : Endpoints.validateIdentityEndpoint(b.identityEndpoint, "identity endpoint");
        publisherId = b.publisherId == null || b.publisherId.isBlank() ? tenantId : b.publisherId.trim();
        if (b.requestsPerMinute < 1) {
            throw new IllegalArgumentException("requests per minute must be >= 1");
        }
        requestsPerMinute = b.requestsPerMinute;
        requestLimiter = b.requestLimiter;
        retryPolicy = Objects.requireNonNull(b.retryPolicy, "retryPolicy");
        connectTimeout = Objects.requireNonNull(b.connectTimeout, "connectTimeout");
        readTimeout = Objects.requireNonNull(b.readTimeout, "readTimeout");
        callTimeout = Objects.requireNonNull(b.callTimeout, "callTimeout");
        if (callTimeout.isZero() || callTimeout.isNegative()) {
            throw new IllegalArgumentException("the call timeout must be positive, got " + callTimeout);
        }
        proxyHost = b.proxyHost == null || b.proxyHost.isBlank() ? null : b.proxyHost.trim();
        proxyPort = b.proxyPort;
        if (proxyHost != null && (proxyPort < 1 || proxyPort > 65535)) {
            throw new IllegalArgumentException("proxy port must be 1..65535, got " + proxyPort);
        }
        proxyUser = b.proxyUser;
        proxyPassword = b.proxyPassword;
        clock = Objects.requireNonNull(b.clock, "clock");
        sleeper = Objects.requireNonNull(b.sleeper, "sleeper");
        random = b.random == null ? new Random() : b.random;
        userAgent = b.userAgent == null ? DEFAULT_USER_AGENT : b.userAgent;
        allowList = b.allowList == null ? EndpointAllowList.fromWorker() : b.allowList;
        allowedPaths = b.allowedPaths == null ? AllowedPaths.fromEnvironment() : b.allowedPaths;
        tlsTrust = b.tlsTrust == null ? TlsTrust.DEFAULT : b.tlsTrust;
        burstAtStart = b.burstAtStart;
        if (b.recordMaxBytes < 1) {
            throw new IllegalArgumentException("the record size limit must be >= 1, got " + b.recordMaxBytes);
        }
        recordMaxBytes = b.recordMaxBytes;
        serviceClock = b.serviceClock != null
                ? b.serviceClock
                : clock.equals(Clock.systemUTC()) ? ServiceClock.system() : ServiceClock.following(clock);
        // Credentials and tokens go only to Microsoft's hosts or to hosts the worker operator allowed.
        if (apiBaseUrl != null && !allowList.allows(apiBaseUrl)) {
            throw new IllegalArgumentException(allowList.refusal("the API URL override", apiBaseUrl));
        }
        if (loginBaseUrl != null && !allowList.allows(loginBaseUrl)) {
            throw new IllegalArgumentException(allowList.refusal("the login URL override", loginBaseUrl));
        }
        if (graphBaseUrl != null && !allowList.allows(graphBaseUrl)) {
            throw new IllegalArgumentException(allowList.refusal("the Graph URL override", graphBaseUrl));
        }
        if (identityEndpoint != null && !allowList.allows(identityEndpoint)) {
            throw new IllegalArgumentException(
                    allowList.refusal("the managed identity endpoint override", identityEndpoint));
        }
        // A proxy sees every request's host (and, as a TLS-inspecting proxy, everything): it is on the list too,
        // with or without credentials.
        if (proxyHost != null && !allowList.allowsHost(proxyHost, proxyPort, "http")) {
            throw new IllegalArgumentException(
                    allowList.refusal("the HTTP proxy", "http://" + hostForUrl(proxyHost) + ":" + proxyPort));
        }
        // Plain http through a proxy would hand the secret and the tokens to it in clear.
        if (proxyHost != null) {
            for (String url : new String[] {apiBaseUrl, loginBaseUrl, graphBaseUrl}) {
                if (url != null && url.regionMatches(true, 0, "http:", 0, 5)) {
                    throw new IllegalArgumentException(httpOverrideWithProxy(url));
                }
            }
        }
    }

    /** Why an http override and a proxy do not go together. */
    public static String httpOverrideWithProxy(String url) {
        return "The plain-http endpoint " + url + " cannot be used together with an HTTP proxy: the client secret and "
                + "the tokens would cross the proxy in clear. Use an https URL, or remove the proxy (a loopback "
                + "endpoint is always reached directly, never through the proxy).";
    }

    private static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static String requireText(String s, String what) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException(what + " is required");
        }
        return s;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String tenantId() {
        return tenantId;
    }

    /** The app's client id; with a managed identity, the user-assigned identity's client id, or null. */
    public String clientId() {
        return clientId;
    }

    public ClientCredential credential() {
        return credential;
    }

    public Cloud cloud() {
        return cloud;
    }

    /** The API base actually used: the override, or the cloud's. */
    public String effectiveApiBaseUrl() {
        return apiBaseUrl != null ? apiBaseUrl : cloud.apiBaseUrl();
    }

    public Optional<String> apiBaseUrlOverride() {
        return Optional.ofNullable(apiBaseUrl);
    }

    /** The Graph base URL override ({@code o365.graph.url}), if set. */
    public Optional<String> graphBaseUrlOverride() {
        return Optional.ofNullable(graphBaseUrl);
    }

    public Optional<String> loginBaseUrlOverride() {
        return Optional.ofNullable(loginBaseUrl);
    }

    /** Where managed-identity token requests go instead of the IMDS endpoint, if overridden. */
    public Optional<String> identityEndpointOverride() {
        return Optional.ofNullable(identityEndpoint);
    }

    /**
     * The cloud whose token resource is requested: the cloud whose API host equals the API override's host, if
     * any (e.g. an override of {@code https://manage.office365.us/...}), else the configured cloud.
     */
    public Cloud tokenCloud() {
        if (apiBaseUrl != null) {
            String host = URI.create(apiBaseUrl).getHost();
            for (Cloud c : Cloud.values()) {
                if (URI.create(c.apiBaseUrl()).getHost().equalsIgnoreCase(host)) {
                    return c;
                }
            }
        }
        return cloud;
    }

    /** The token scope: {@code {resource}/.default}. */
    public String scope() {
        return tokenCloud().scope();
    }

    /** The real login host used in the authority (never the override). */
    public String loginAuthorityBaseUrl() {
        return cloud.loginBaseUrl();
    }

    public String publisherId() {
        return publisherId;
    }

    public int requestsPerMinute() {
        return requestsPerMinute;
    }

    /** An explicitly shared limiter, if one was given. */
    public Optional<RequestLimiter> requestLimiter() {
        return Optional.ofNullable(requestLimiter);
    }

    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration readTimeout() {
        return readTimeout;
    }

    public Duration callTimeout() {
        return callTimeout;
    }

    public Optional<String> proxyHost() {
        return Optional.ofNullable(proxyHost);
    }

    public int proxyPort() {
        return proxyPort;
    }

    public Optional<String> proxyUser() {
        return Optional.ofNullable(proxyUser);
    }

    public Optional<String> proxyPassword() {
        return Optional.ofNullable(proxyPassword);
    }

    public Clock clock() {
        return clock;
    }

    public Sleeper sleeper() {
        return sleeper;
    }

    public Random random() {
        return random;
    }

    public String userAgent() {
        return userAgent;
    }

    /** Hosts besides Microsoft's that may receive credentials (checked when these settings were built). */
    public EndpointAllowList allowList() {
        return allowList;
    }

    /** Where certificate, CA and assertion files may be read from (the worker's list; the CLI: any directory). */
    public AllowedPaths allowedPaths() {
        return allowedPaths;
    }

    /** Extra certificate authorities for TLS (sign-in and API alike). */
    public TlsTrust tlsTrust() {
        return tlsTrust;
    }

    /** True when the request limiter may burst at once (one-off callers without a predecessor). */
    public boolean burstAtStart() {
        return burstAtStart;
    }

    /** The service's time, learned from response {@code Date} headers. */
    public ServiceClock serviceClock() {
        return serviceClock;
    }

    /** A blob's record of more UTF-8 bytes is not read into memory (it is handed on as too large). */
    public int recordMaxBytes() {
        return recordMaxBytes;
    }

    @Override
    public String toString() {
        return "ClientSettings[tenantId=" + tenantId + ", clientId=" + clientId + ", credential=" + credential
                + ", cloud=" + cloud + ", apiBaseUrl=" + effectiveApiBaseUrl() + ", loginBaseUrl="
                + (loginBaseUrl == null ? cloud.loginBaseUrl() : loginBaseUrl)
                + (identityEndpoint == null ? "" : ", identityEndpoint=" + identityEndpoint) + ", publisherId="
                + publisherId
                + ", requestsPerMinute=" + requestsPerMinute + ", " + retryPolicy + ", proxy="
                + (proxyHost == null ? "none" : proxyHost + ":" + proxyPort) + ", proxyUser="
                + (proxyUser == null ? "none" : proxyUser) + ", proxyPassword="
                + (proxyPassword == null ? "none" : "[hidden]") + ", " + tlsTrust + "]";
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private String tenantId;
        private String clientId;
        private ClientCredential credential;
        private Cloud cloud = Cloud.COMMERCIAL;
        private String apiBaseUrl;
        private String loginBaseUrl;
        private String graphBaseUrl;
        private String identityEndpoint;
        private String publisherId;
        private int requestsPerMinute = DEFAULT_REQUESTS_PER_MINUTE;
        private RequestLimiter requestLimiter;
        private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(60);
        private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
        private String proxyHost;
        private int proxyPort;
        private String proxyUser;
        private String proxyPassword;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private Random random;
        private String userAgent;
        private EndpointAllowList allowList;
        private AllowedPaths allowedPaths;
        private TlsTrust tlsTrust;
        private ServiceClock serviceClock;
        private boolean burstAtStart;
        private int recordMaxBytes = io.github.auditlake.o365.api.JsonAuditRecordStream.UNLIMITED;

        private Builder() {}

        public Builder tenantId(String v) {
            tenantId = v;
            return this;
        }

        public Builder clientId(String v) {
            clientId = v;
            return this;
        }

        public Builder clientSecret(String secret) {
            credential = ClientCredential.secret(secret);
            return this;
        }

        /** PKCS12 ({@code .p12/.pfx}) with password, or PEM with private key + certificate (password optional). */
        public Builder certificate(Path path, String password) {
            credential = ClientCredential.certificate(path, password);
            return this;
        }

        /** A PEM private key and certificate given inline; the password decrypts an encrypted key. */
        public Builder certificatePem(String pem, String password) {
            credential = ClientCredential.certificatePem(pem, password);
            return this;
        }

        public Builder credential(ClientCredential v) {
            credential = v;
            return this;
        }

        public Builder cloud(Cloud v) {
            cloud = v;
            return this;
        }

        /** Overrides the API base URL (https, or http for loopback only), e.g. a simulator. */
        public Builder apiBaseUrl(String v) {
            apiBaseUrl = v;
            return this;
        }

        /** Overrides the Microsoft Graph base URL (https, or http for loopback only), e.g. a simulator. */
        public Builder graphBaseUrl(String v) {
            graphBaseUrl = v;
            return this;
        }

        /** Overrides where sign-in requests are sent (https, or http for loopback only). */
        public Builder loginBaseUrl(String v) {
            loginBaseUrl = v;
            return this;
        }

        /**
         * With a managed identity: the token endpoint to use in place of the IMDS one (https, or http for loopback
         * and link-local addresses only); subject to the endpoint allow-list.
         */
        public Builder identityEndpoint(String v) {
            identityEndpoint = v;
            return this;
        }

        /** PublisherIdentifier sent on every call; default: the tenant id. */
        public Builder publisherId(String v) {
            publisherId = v;
            return this;
        }

        public Builder requestsPerMinute(int v) {
            requestsPerMinute = v;
            return this;
        }

        /** Share one limiter between several clients (e.g. the tasks of one tenant). */
        public Builder requestLimiter(RequestLimiter v) {
            requestLimiter = v;
            return this;
        }

        public Builder retryPolicy(RetryPolicy v) {
            retryPolicy = v;
            return this;
        }

        public Builder retry(int maxAttempts, Duration baseDelay, Duration maxDelay, Duration maxElapsed) {
            retryPolicy = new RetryPolicy(maxAttempts, baseDelay, maxDelay, maxElapsed);
            return this;
        }

        public Builder connectTimeout(Duration v) {
            connectTimeout = v;
            return this;
        }

        public Builder readTimeout(Duration v) {
            readTimeout = v;
            return this;
        }

        /**
         * Whole-call timeout of every call except a blob's streamed body (positive; default
         * {@link #DEFAULT_CALL_TIMEOUT}).
         */
        public Builder callTimeout(Duration v) {
            callTimeout = v;
            return this;
        }

        public Builder proxy(String host, int port) {
            proxyHost = host;
            proxyPort = port;
            return this;
        }

        public Builder proxyCredentials(String user, String password) {
            proxyUser = user;
            proxyPassword = password;
            return this;
        }

        public Builder clock(Clock v) {
            clock = v;
            return this;
        }

        public Builder sleeper(Sleeper v) {
            sleeper = v;
            return this;
        }

        public Builder random(Random v) {
            random = v;
            return this;
        }

        public Builder userAgent(String v) {
            userAgent = v;
            return this;
        }

        /**
         * Which non-Microsoft hosts may receive credentials; default: the worker's list
         * ({@link EndpointAllowList#fromWorker()}).
         */
        public Builder allowList(EndpointAllowList v) {
            allowList = v;
            return this;
        }

        /**
         * The directories certificate, CA and assertion files may be read from; default: the worker's list
         * ({@link AllowedPaths#fromEnvironment()}).
         */
        public Builder allowedPaths(AllowedPaths v) {
            allowedPaths = v;
            return this;
        }

        /** Extra certificate authorities (TLS-inspecting proxies); default: the JVM's. */
        public Builder tlsTrust(TlsTrust v) {
            tlsTrust = v;
            return this;
        }

        /**
         * Lets the request limiter start with a second's worth of burst. Only for one-off callers (validation, the
         * CLI): a restarted task must not, so it and its crashed predecessor stay within the budget together.
         */
        public Builder burstAtStart(boolean v) {
            burstAtStart = v;
            return this;
        }

        /** Where the client records the service's time; default: one following {@link #clock(Clock)}. */
        public Builder serviceClock(ServiceClock v) {
            serviceClock = v;
            return this;
        }

        /**
         * A blob's record of more UTF-8 bytes is counted and skipped while it is read, never held in memory; it is
         * handed on as too large, with its {@code Id} and size. Default: no limit.
         */
        public Builder recordMaxBytes(int v) {
            recordMaxBytes = v;
            return this;
        }

        public ClientSettings build() {
            return new ClientSettings(this);
        }
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
