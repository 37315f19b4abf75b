package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.RetryPolicy;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;

/**
 * The engine's backoff between failed listings or fetches: the client's exponential backoff with full jitter
 * ({@link RetryPolicy}), without an attempt limit (a stream never gives up its position), honouring Retry-After.
 */
final class Backoff {
    private static final Duration NO_LIMIT = Duration.ofDays(36_500);

    private Backoff() {}

    static Duration delay(int attempt, Duration initial, Duration max, Optional<Duration> retryAfter, Random random) {
        return new RetryPolicy(Integer.MAX_VALUE, initial, max, NO_LIMIT)
                .nextDelay(attempt, Duration.ZERO, retryAfter.orElse(null), random)
                .orElseThrow();
    }
}
