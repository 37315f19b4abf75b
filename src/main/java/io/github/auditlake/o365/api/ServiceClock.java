package io.github.auditlake.o365.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * The service's time, learned from the HTTP {@code Date} header of its responses and carried forward with a
 * monotonic clock, so that a worker clock that runs ahead, falls behind or jumps changes nothing: listing windows
 * end at the service's time, and blob expiry is judged by it.
 *
 * <p>The estimate never runs ahead of the service: a {@code Date} is truncated to the second, so each sample is a
 * lower bound of the service's time, and the best of the samples of the last {@link #SAMPLE_WINDOW} is used. Before
 * the first response the local clock is used. Thread-safe.
 */
public final class ServiceClock {
    /** Samples older than this are forgotten (so a correction of the service's own clock is followed). */
    public static final Duration SAMPLE_WINDOW = Duration.ofMinutes(10);

    private final Clock local;
    private final LongSupplier monotonicNanos;
    private final boolean learns;
    private final ArrayDeque<long[]> samples = new ArrayDeque<>(); // {offsetMillis, atNanos}

    /** @param monotonicNanos a monotonic time source ({@link System#nanoTime()} in production) */
    public ServiceClock(Clock local, LongSupplier monotonicNanos) {
        this(local, monotonicNanos, true);
    }

    private ServiceClock(Clock local, LongSupplier monotonicNanos, boolean learns) {
        this.local = local;
        this.monotonicNanos = monotonicNanos;
        this.learns = learns;
    }

    /**
     * Always {@code clock}, ignoring {@code Date} headers: for simulated time against a server whose {@code Date} is
     * the real time (the JDK's HTTP server always writes the real time).
     */
    public static ServiceClock fixedTo(Clock clock) {
        return new ServiceClock(clock, () -> clock.millis() * 1_000_000L, false);
    }

    /** Production: the system clock, carried by {@link System#nanoTime()}. */
    public static ServiceClock system() {
        return new ServiceClock(Clock.systemUTC(), System::nanoTime);
    }

    /** For simulated time: elapsed time measured by the same clock (no independent monotonic source). */
    public static ServiceClock following(Clock clock) {
        return new ServiceClock(clock, () -> clock.millis() * 1_000_000L);
    }

    /** Records a response's {@code Date}. */
    public void observe(Instant serviceDate) {
        if (serviceDate == null || !learns) {
            return;
        }
        long now = monotonicNanos.getAsLong();
        long offset = serviceDate.toEpochMilli() - now / 1_000_000L;
        synchronized (samples) {
            samples.addLast(new long[] {offset, now});
            long oldest = now - SAMPLE_WINDOW.toNanos();
            while (samples.size() > 1 && samples.peekFirst()[1] < oldest) {
                samples.pollFirst();
            }
            while (samples.size() > 64) {
                samples.pollFirst();
            }
        }
    }

    /** True once a response's {@code Date} was seen. */
    public boolean synced() {
        synchronized (samples) {
            return !samples.isEmpty();
        }
    }

    /** The service's current time (the local clock until the first response). */
    public Instant now() {
        long nowNanos = monotonicNanos.getAsLong();
        long best = Long.MIN_VALUE;
        synchronized (samples) {
            for (long[] s : samples) {
                best = Math.max(best, s[0]);
            }
        }
        if (best == Long.MIN_VALUE) {
            return local.instant();
        }
        return Instant.ofEpochMilli(nowNanos / 1_000_000L + best);
    }

    /** How far the local clock is ahead of the service (negative: behind); zero before the first response. */
    public Duration localSkew() {
        if (!synced()) {
            return Duration.ZERO;
        }
        return Duration.between(now(), local.instant());
    }
}
