package io.github.auditlake.o365.engine;

import java.time.Duration;
import java.util.Optional;
import java.util.Random;

/** Exponential backoff with full jitter, never shorter than a server's {@code Retry-After}. */
final class Backoff {
    private Backoff() {
    }

    static Duration delay(int attempt, Duration initial, Duration max, Optional<Duration> retryAfter, Random random) {
        long cap = initial.toMillis();
        for (int i = 1; i < attempt && cap < max.toMillis(); i++) {
            cap *= 2;
        }
        cap = Math.min(cap, max.toMillis());
        long jittered = cap <= 0 ? 0 : (long) (random.nextDouble() * cap);
        long floor = retryAfter.map(Duration::toMillis).orElse(0L);
        return Duration.ofMillis(Math.max(jittered, floor));
    }
}
