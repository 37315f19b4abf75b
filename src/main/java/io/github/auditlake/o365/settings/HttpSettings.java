package io.github.auditlake.o365.settings;

import io.github.auditlake.o365.api.TlsTrust;
import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.settings.Setting.Importance;
import io.github.auditlake.o365.settings.Setting.Width;
import java.util.List;

/** The {@link Group#HTTP} settings: requests: budget, retries, timeouts, proxy and trust. One row per setting; its place here is its order. */
public final class HttpSettings {
    private static final Group G = Group.HTTP;

    public static final Setting<Integer> REQUESTS_PER_MINUTE = Setting.integer(
                    G, "o365.requests.per.minute", ClientSettings.DEFAULT_REQUESTS_PER_MINUTE)
            .range(1, 60_000)
            .importance(Importance.MEDIUM)
            .width(Width.SHORT)
            .display("Requests per minute")
            .doc("Client-side request budget per connector (shared evenly by its "
                    + "tasks), kept below Microsoft's per-tenant throttle (2,000 requests per minute baseline).");

    public static final Setting<Integer> RETRY_MAX_ATTEMPTS = Setting.integer(G, "o365.retry.max.attempts", 6)
            .range(1, 100)
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Retry attempts")
            .doc("Attempts of one HTTP call on transient errors (throttling AF429, "
                    + "5xx, 408, timeouts) before the task's own backoff takes over.");

    public static final Setting<Long> RETRY_BACKOFF_MS = Setting.longValue(G, "o365.retry.backoff.ms", 1000L)
            .range(1, 600_000)
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Retry backoff (ms)")
            .doc("First retry delay; it doubles per attempt (full jitter), and a "
                    + "Retry-After from the service is honoured.");

    public static final Setting<Long> RETRY_BACKOFF_MAX_MS = Setting.longValue(G, "o365.retry.backoff.max.ms", 60_000L)
            .range(1, 3_600_000)
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Retry backoff cap (ms)")
            .doc(
                    "Cap on the HTTP client's retry delays; the task's own backoff between failed listings or blob fetches is capped at five times this.");

    public static final Setting<Long> HTTP_TIMEOUT_MS = Setting.longValue(G, "o365.http.timeout.ms", 60_000L)
            .range(1000, 600_000)
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("HTTP timeout (ms)")
            .doc("Connect and read timeout of HTTP calls (a read timeout applies "
                    + "between bytes, so large blobs are not cut off). Every call but a blob's also has a whole-call timeout "
                    + "of three times this, at least 2 minutes.");

    public static final Setting<String> PROXY_URL = Setting.string(G, "o365.http.proxy.url", "")
            .valid(new Validity.ProxyUrl())
            .importance(Importance.LOW)
            .width(Width.LONG)
            .display("Proxy URL")
            .doc("HTTP proxy for sign-in and API calls, for example "
                    + "http://proxy.example:3128 (without a port: 3128, as in the CLI). Empty: no proxy. Credentials "
                    + "never go in this URL: use "
                    + "o365.http.proxy.user and o365.http.proxy.password. The proxy's host (host or host:port) must be on the "
                    + "worker's endpoint allow-list (O365_ENDPOINT_OVERRIDE_HOSTS or -Do365.endpoint.override.hosts), with or "
                    + "without credentials, because it sees every request. Loopback targets are always reached directly, and "
                    + "a plain-http o365.api.url or o365.login.url cannot be combined with a proxy. The password is sent only "
                    + "to the proxy's own challenge (CONNECT), never to a server inside the tunnel.");

    public static final Setting<String> PROXY_USER = Setting.string(G, "o365.http.proxy.user", "")
            .importance(Importance.LOW)
            .width(Width.MEDIUM)
            .display("Proxy user")
            .doc("Proxy user name, if the proxy requires authentication.");

    public static final Setting<String> PROXY_PASSWORD = Setting.password(G, "o365.http.proxy.password")
            .importance(Importance.LOW)
            .width(Width.MEDIUM)
            .display("Proxy password")
            .doc("Proxy password, used with o365.http.proxy.user (basic proxy authentication).");

    public static final Setting<String> TLS_TRUSTSTORE_PATH = Setting.string(G, TlsTrust.TRUSTSTORE_SETTING, "")
            .importance(Importance.LOW)
            .width(Width.LONG)
            .display("TLS trust store")
            .doc("A trust store file (PKCS12 or JKS), on every worker, with extra "
                    + "certificate authorities to trust for sign-in and API calls, for example a TLS-inspecting proxy's CA. "
                    + "They are added to the JVM's default authorities; certificate checks are never turned off. The file must "
                    + "lie in a directory the worker operator allows (O365_ALLOWED_PATHS or -Do365.allowed.paths), be a "
                    + "regular file and at most 1 MiB.");

    public static final Setting<String> TLS_TRUSTSTORE_PASSWORD = Setting.password(G, "o365.tls.truststore.password")
            .importance(Importance.LOW)
            .width(Width.MEDIUM)
            .display("TLS trust store password")
            .doc("Password of o365.tls.truststore.path, if it has one.");

    public static final Setting<String> TLS_TRUSTSTORE_TYPE = Setting.string(
                    G, "o365.tls.truststore.type", TrustStoreType.PKCS12.name())
            .valid(new Validity.OneOf(TrustStoreType.configNames(), true))
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("TLS trust store type")
            .doc("Type of o365.tls.truststore.path: PKCS12 or JKS.");

    public static final Setting<String> TLS_CA_PEM_PATH = Setting.string(G, TlsTrust.CA_PEM_PATH_SETTING, "")
            .importance(Importance.LOW)
            .width(Width.LONG)
            .display("TLS CA bundle (PEM file)")
            .doc("A PEM file, on every worker, of one or more extra CA certificates to "
                    + "trust for sign-in and API calls (an alternative or addition to o365.tls.truststore.path). The file must "
                    + "lie in a directory the worker operator allows (O365_ALLOWED_PATHS or -Do365.allowed.paths), be a "
                    + "regular file and at most 1 MiB. Set at most one of this and o365.tls.ca.pem.");

    public static final Setting<String> TLS_CA_PEM = Setting.password(G, TlsTrust.CA_PEM_SETTING)
            .importance(Importance.LOW)
            .width(Width.LONG)
            .display("TLS CA certificates (PEM)")
            .doc("One or more extra CA certificates to trust for sign-in and API calls, as PEM "
                    + "text in the configuration instead of a file (added to the JVM's default authorities). A password field, "
                    + "so a config provider can supply it; needs no allowed directory. Set at most one of this and "
                    + "o365.tls.ca.pem.path.");

    /** This group's settings, in their order in the group. */
    public static final List<Setting<?>> ALL = List.of(
            REQUESTS_PER_MINUTE,
            RETRY_MAX_ATTEMPTS,
            RETRY_BACKOFF_MS,
            RETRY_BACKOFF_MAX_MS,
            HTTP_TIMEOUT_MS,
            PROXY_URL,
            PROXY_USER,
            PROXY_PASSWORD,
            TLS_TRUSTSTORE_PATH,
            TLS_TRUSTSTORE_PASSWORD,
            TLS_TRUSTSTORE_TYPE,
            TLS_CA_PEM_PATH,
            TLS_CA_PEM);

    private HttpSettings() {}
}
