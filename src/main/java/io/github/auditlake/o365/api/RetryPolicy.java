package io.github.auditlake.o365.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;

/**
 * Bounded retry budget for transient failures: exponential backoff with full jitter
 * ({@code delay = random(0, min(maxDelay, baseDelay * 2^(attempt-1)))}), a {@code Retry-After} from the service
 * replaces the computed delay, and the whole call gives up after {@code maxAttempts} attempts or when the next wait
 * would end after {@code maxElapsed}.
 */
public final class RetryPolicy {
    public static final RetryPolicy DEFAULT =
            new RetryPolicy(6, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofMinutes(5));

    private final int maxAttempts;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final Duration maxElapsed;

    public RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, Duration maxElapsed) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1");
        }
        this.maxAttempts = maxAttempts;
        this.baseDelay = requirePositive(baseDelay, "baseDelay");
        this.maxDelay = requirePositive(maxDelay, "maxDelay");
        this.maxElapsed = requirePositive(maxElapsed, "maxElapsed");
    }

    private static Duration requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative");
        }
        return d;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration baseDelay() {
        return baseDelay;
    }

    public Duration maxDelay() {
        return maxDelay;
    }

    public Duration maxElapsed() {
        return maxElapsed;
    }

    /** The upper bound of the jitter range before attempt {@code attempt + 1} ({@code attempt} >= 1). */
    public Duration ceiling(int attempt) {
        int shift = Math.min(Math.max(attempt - 1, 0), 30);
        long ms;
        try {
            ms = Math.multiplyExact(baseDelay.toMillis(), 1L << shift);
        } catch (ArithmeticException e) {
            ms = Long.MAX_VALUE;
        }
        return Duration.ofMillis(Math.min(ms, maxDelay.toMillis()));
    }

    /**
     * The wait before the next attempt, or empty when the budget is spent.
     *
     * @param attempt    attempts made so far (>= 1)
     * @param elapsed    time spent on this call so far
     * @param retryAfter the service's {@code Retry-After}, if any
     */
    /** The longest {@code Retry-After} honoured. */
    public static final Duration RETRY_AFTER_CAP = Duration.ofMinutes(10);

    public Optional<Duration> nextDelay(int attempt, Duration elapsed, Duration retryAfter, Random random) {
        if (attempt >= maxAttempts) {
            return Optional.empty();
        }
        Duration delay;
        if (retryAfter != null && !retryAfter.isNegative()) {
            // honoured, but never beyond RETRY_AFTER_CAP (a huge or hostile value must not stall or crash a task)
            delay = retryAfter.compareTo(RETRY_AFTER_CAP) > 0 ? RETRY_AFTER_CAP : retryAfter;
        } else {
            long ceiling = ceiling(attempt).toMillis();
            delay = Duration.ofMillis(ceiling <= 0 ? 0 : (long) (random.nextDouble() * (ceiling + 1)));
        }
        if (elapsed.plus(delay).compareTo(maxElapsed) > 0) {
            return Optional.empty();
        }
        return Optional.of(delay);
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxAttempts=" + maxAttempts + ", baseDelay=" + baseDelay + ", maxDelay=" + maxDelay
                + ", maxElapsed=" + maxElapsed + "]";
    }
}
