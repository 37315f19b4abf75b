package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.RetryPolicy;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;

/**
 * The backoff between failed listings or fetches, the engine's and the CLI's: the client's exponential backoff with
 * full jitter ({@link RetryPolicy}), without an attempt limit (a stream never gives up its position; the caller
 * bounds retries by what the data allows, such as a blob's expiration), honouring Retry-After.
 */
public final class Backoff {
    private static final Duration NO_LIMIT = Duration.ofDays(36_500);

    private Backoff() {}

    /**
     * The wait before retry {@code attempt} (1 for the first): full jitter up to {@code initial} doubled per attempt
     * and capped at {@code max}, or the service's {@code Retry-After} instead (up to
     * {@link RetryPolicy#RETRY_AFTER_CAP}).
     */
    public static Duration delay(
            int attempt, Duration initial, Duration max, Optional<Duration> retryAfter, Random random) {
        return new RetryPolicy(Integer.MAX_VALUE, initial, max, NO_LIMIT)
                .nextDelay(attempt, Duration.ZERO, retryAfter.orElse(null), random)
                .orElseThrow();
    }
}
