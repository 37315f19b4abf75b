package io.github.auditlake.o365.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * Client-side request budget: at most {@code requestsPerMinute} permits in any 60-second window (a sliding-window
 * log of grant times). {@link #acquire()} blocks through the injected {@link Sleeper} until a permit is free and is
 * interruptible. Thread-safe.
 */
public final class RequestLimiter {
    /** The service's throttling window. */
    public static final Duration WINDOW = Duration.ofSeconds(60);
    /**
     * Grants are spaced over the window plus this margin: the service counts a request when it arrives, a little
     * after its grant, so without it a window seen by the service could hold one request more than the budget
     * (measured: 605 in a 60 s window for a 600/min budget over five tasks).
     */
    public static final Duration ARRIVAL_MARGIN = Duration.ofSeconds(1);
    private static final Duration SPACING = WINDOW.plus(ARRIVAL_MARGIN);

    private final int permitsPerWindow;
    private final Clock clock;
    private final Sleeper sleeper;
    private final ArrayDeque<Instant> granted = new ArrayDeque<>();

    public RequestLimiter(int requestsPerMinute, Clock clock, Sleeper sleeper) {
        if (requestsPerMinute < 1) {
            throw new IllegalArgumentException("requests per minute must be >= 1, got " + requestsPerMinute);
        }
        this.permitsPerWindow = requestsPerMinute;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    public int requestsPerMinute() {
        return permitsPerWindow;
    }

    /** Takes one permit, waiting as long as needed. */
    public void acquire() throws InterruptedException {
        while (true) {
            Duration wait;
            synchronized (this) {
                Instant now = clock.instant();
                Instant windowStart = now.minus(SPACING);
                while (!granted.isEmpty() && !granted.peekFirst().isAfter(windowStart)) {
                    granted.pollFirst();
                }
                if (granted.size() < permitsPerWindow) {
                    granted.addLast(now);
                    return;
                }
                wait = Duration.between(now, granted.peekFirst().plus(SPACING));
                if (wait.isNegative() || wait.isZero()) {
                    wait = Duration.ofMillis(1);
                }
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for the request budget");
            }
            sleeper.sleep(wait);
        }
    }
}
