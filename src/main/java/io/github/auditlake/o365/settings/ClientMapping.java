package io.github.auditlake.o365.settings;

import io.github.auditlake.o365.client.ClientSettings;
import java.net.URI;
import java.time.Duration;

/**
 * The one mapping from resolved settings to the HTTP part of {@link ClientSettings} (retries and timeouts), and the
 * proxy port both front ends assume when a proxy URL names none.
 */
public final class ClientMapping {
    /**
     * One call retries for at most this many of its longest delays ({@code o365.retry.backoff.max.ms}) in all; then
     * the engine's own, wider backoff takes over.
     */
    public static final int RETRY_ELAPSED_PER_BACKOFF_MAX = 4;

    /** A call may last this many read timeouts: connecting, waiting for the headers, reading the body. */
    public static final int CALL_TIMEOUT_PER_READ_TIMEOUT = 3;

    /**
     * The port of a proxy URL that names none: 3128, the common proxy port (Squid's) that every example in the docs
     * uses, in the connector and the CLI alike (an http URL's own default, 80, is rarely a proxy's).
     */
    public static final int DEFAULT_PROXY_PORT = 3128;

    private ClientMapping() {}

    /** The proxy's port: the URL's, else {@link #DEFAULT_PROXY_PORT}. */
    public static int proxyPort(URI proxy) {
        return proxy.getPort() > 0 ? proxy.getPort() : DEFAULT_PROXY_PORT;
    }

    /** Sets the retry policy and the connect, read and call timeouts of {@code b} from the settings. */
    public static ClientSettings.Builder http(Resolved r, ClientSettings.Builder b) {
        Duration backoffMax = EngineMapping.millis(r, HttpSettings.RETRY_BACKOFF_MAX_MS);
        Duration timeout = EngineMapping.millis(r, HttpSettings.HTTP_TIMEOUT_MS);
        return b.retry(
                        r.value(HttpSettings.RETRY_MAX_ATTEMPTS),
                        EngineMapping.millis(r, HttpSettings.RETRY_BACKOFF_MS),
                        backoffMax,
                        backoffMax.multipliedBy(RETRY_ELAPSED_PER_BACKOFF_MAX))
                .connectTimeout(timeout)
                .readTimeout(timeout)
                .callTimeout(callTimeout(timeout));
    }

    /**
     * The whole-call timeout of every call but a blob's: the default, or more with a long read timeout (a call then
     * has room for a slow connect, a slow first byte and its body).
     */
    public static Duration callTimeout(Duration readTimeout) {
        Duration scaled = readTimeout.multipliedBy(CALL_TIMEOUT_PER_READ_TIMEOUT);
        return scaled.compareTo(ClientSettings.DEFAULT_CALL_TIMEOUT) > 0 ? scaled : ClientSettings.DEFAULT_CALL_TIMEOUT;
    }
}
