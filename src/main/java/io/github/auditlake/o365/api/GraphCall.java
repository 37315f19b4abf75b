package io.github.auditlake.o365.api;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * One authorised Microsoft Graph request as the Graph clients (audit search, directory lookups) make it: the bearer
 * token of their {@link TokenProvider}, {@code Accept: application/json} and the {@code User-Agent}; a 401 retried
 * once with a fresh token; a 2xx body read whole within its cap ({@link BodyLimits}); another status read as its
 * first bytes ({@link BodyLimits#ERROR_MAX_BYTES}) with its {@code Retry-After} in seconds. What a status means is the
 * caller's to say (each client classifies it for its own callers); this is the one place the exchange itself lives.
 * Never logs the token.
 */
public final class GraphCall {
    private GraphCall() {}

    /**
     * Graph's answer.
     *
     * @param status     the HTTP status
     * @param body       a 2xx body (empty when it has none); null otherwise
     * @param errorBody  another status's first bytes as text; null for a 2xx
     * @param retryAfter its {@code Retry-After} in seconds, or null (absent, not a number of seconds, negative)
     */
    public record Answer(int status, byte[] body, String errorBody, Duration retryAfter) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /**
     * Sends {@code request} (built anew for the retry after a 401) and reads the answer.
     *
     * @param maxBytes the cap on a 2xx body; beyond it {@link BodyLimits.BodyTooLargeException}
     * @param what     what the body is, for that exception's message
     */
    public static Answer execute(
            OkHttpClient http,
            TokenProvider tokens,
            String userAgent,
            Supplier<Request.Builder> request,
            long maxBytes,
            String what)
            throws IOException {
        boolean refreshed = false;
        while (true) {
            AccessToken token = tokens.token();
            Request req = request.get()
                    .header("Authorization", "Bearer " + token.value())
                    .header("Accept", "application/json")
                    .header("User-Agent", userAgent)
                    .build();
            try (Response resp = http.newCall(req).execute()) {
                int status = resp.code();
                if (status >= 200 && status < 300) {
                    if (resp.body() == null) {
                        return new Answer(status, new byte[0], null, null);
                    }
                    okio.BufferedSource src = resp.body().source();
                    if (src.request(maxBytes + 1)) {
                        throw new BodyLimits.BodyTooLargeException(what, maxBytes);
                    }
                    return new Answer(status, src.getBuffer().readByteArray(), null, null);
                }
                String error =
                        resp.body() == null ? "" : BodyLimits.readPrefix(resp.body(), BodyLimits.ERROR_MAX_BYTES);
                if (status == 401 && !refreshed) {
                    refreshed = true;
                    tokens.invalidate(token);
                    continue;
                }
                return new Answer(
                        status, null, error, RetryAfter.parse(resp.header("Retry-After"), resp.header("Date"), null));
            }
        }
    }
}
