package io.github.auditlake.o365.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy p =
            new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(30));

    @Test
    void fullJitterStaysWithinExponentialCeiling() {
        Random r = new Random(42);
        long maxSeen = 0;
        for (int attempt = 1; attempt < 5; attempt++) {
            long ceiling = Math.min(100L << (attempt - 1), 1000);
            assertEquals(ceiling, p.ceiling(attempt).toMillis());
            for (int i = 0; i < 2000; i++) {
                long d = p.nextDelay(attempt, Duration.ZERO, null, r)
                        .orElseThrow()
                        .toMillis();
                assertTrue(d >= 0 && d <= ceiling, "delay " + d + " outside [0, " + ceiling + "]");
                maxSeen = Math.max(maxSeen, d);
            }
        }
        assertTrue(maxSeen > 700, "jitter should use the whole range, max seen " + maxSeen);
    }

    @Test
    void ceilingIsCappedByMaxDelay() {
        assertEquals(1000, p.ceiling(30).toMillis());
        assertEquals(1000, p.ceiling(200).toMillis());
    }

    @Test
    void retryAfterReplacesComputedDelay() {
        assertEquals(
                Optional.of(Duration.ofSeconds(7)), p.nextDelay(1, Duration.ZERO, Duration.ofSeconds(7), new Random()));
    }

    @Test
    void attemptsExhausted() {
        assertTrue(p.nextDelay(5, Duration.ZERO, null, new Random()).isEmpty());
        assertTrue(p.nextDelay(4, Duration.ZERO, null, new Random()).isPresent());
    }

    @Test
    void elapsedBudgetExhausted() {
        assertTrue(p.nextDelay(1, Duration.ofSeconds(29), Duration.ofSeconds(2), new Random())
                .isEmpty());
        assertTrue(p.nextDelay(1, Duration.ofSeconds(27), Duration.ofSeconds(2), new Random())
                .isPresent());
    }

    @Test
    void aHugeRetryAfterIsCappedInsteadOfCrashing() {
        RetryPolicy unbounded = new RetryPolicy(
                Integer.MAX_VALUE, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofDays(36_500));
        java.util.Optional<Duration> d =
                unbounded.nextDelay(1, Duration.ZERO, Duration.ofSeconds(Long.MAX_VALUE / 4), new java.util.Random(1));
        org.junit.jupiter.api.Assertions.assertEquals(java.util.Optional.of(RetryPolicy.RETRY_AFTER_CAP), d);
    }
}
