package io.github.auditlake.o365.api;

import java.time.Clock;
import java.time.Duration;

/**
 * Client-side request budget: a pacing limiter that grants at most {@code requestsPerMinute} permits in any 60-second
 * window, also as the service counts them (requests arrive up to a second after their grant), and also across a
 * restart of its owner.
 *
 * <p>Grants are paced at {@code requestsPerMinute / 62 s} with at most one second's worth of burst (a token
 * bucket). In any 61 seconds of grants there are at most {@code burst + 61 x rate = 62 x rate = budget}. A new
 * limiter (a restarted task) starts with no burst credit unless told otherwise, so it and its crashed predecessor
 * together still stay within the budget in every window: the predecessor may have spent at most
 * {@code burst + rate x t} in the {@code t} seconds before it stopped, the successor {@code rate x (61 - t)} after.
 *
 * <p>{@link #acquire()} waits through the injected {@link Sleeper} and is interruptible. Thread-safe. A worker clock
 * that jumps backwards adds no credit; one that jumps forwards adds at most the burst.
 */
public final class RequestLimiter {
    /** The service's throttling window. */
    public static final Duration WINDOW = Duration.ofSeconds(60);
    /** Grants are paced over the window plus this (a request reaches the service up to a second after its grant). */
    public static final Duration PACING_SPAN = Duration.ofSeconds(62);

    private final int permitsPerWindow;
    private final double perMilli;
    private final double burst;
    private final Clock clock;
    private final Sleeper sleeper;
    private double tokens;
    private long last;

    /** A limiter that starts with no burst credit (for tasks: safe right after a predecessor's crash). */
    public RequestLimiter(int requestsPerMinute, Clock clock, Sleeper sleeper) {
        this(requestsPerMinute, clock, sleeper, false);
    }

    /**
     * @param startFull start with a second's worth of burst (for one-off callers such as validation and the CLI, which
     *                  have no predecessor)
     */
    public RequestLimiter(int requestsPerMinute, Clock clock, Sleeper sleeper, boolean startFull) {
        if (requestsPerMinute < 1) {
            throw new IllegalArgumentException("requests per minute must be >= 1, got " + requestsPerMinute);
        }
        this.permitsPerWindow = requestsPerMinute;
        this.perMilli = requestsPerMinute / (double) PACING_SPAN.toMillis();
        this.burst = Math.max(1.0, Math.floor(requestsPerMinute / (double) PACING_SPAN.toSeconds()));
        this.clock = clock;
        this.sleeper = sleeper;
        this.tokens = startFull ? burst : 0;
        this.last = clock.millis();
    }

    public int requestsPerMinute() {
        return permitsPerWindow;
    }

    /** Takes one permit, waiting as long as needed. */
    public void acquire() throws InterruptedException {
        while (true) {
            long wait;
            synchronized (this) {
                long now = clock.millis();
                if (now > last) {
                    tokens = Math.min(burst, tokens + (now - last) * perMilli);
                }
                last = now;
                if (tokens >= 1.0) {
                    tokens -= 1.0;
                    return;
                }
                wait = Math.max(1, (long) Math.ceil((1.0 - tokens) / perMilli));
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for the request budget");
            }
            sleeper.sleep(
                    Duration.ofMillis(wait), "the request budget (" + Math.round(perMilli * 60_000) + " per minute)");
        }
    }
}
