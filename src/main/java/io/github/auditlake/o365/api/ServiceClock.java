package io.github.auditlake.o365.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's time, learned from the HTTP {@code Date} header of its successful responses and carried forward with
 * a monotonic clock, so that a worker clock that runs ahead, falls behind or jumps changes nothing: listing windows
 * end at the service's time, and blob expiry is judged by it.
 *
 * <p>The estimate never runs ahead of the service: a {@code Date} is truncated to the second, so each sample is a
 * lower bound of the service's time, and the best of the agreeing samples of the last {@link #SAMPLE_WINDOW} is used.
 * Before the first response the local clock is used. Thread-safe.
 *
 * <p>A {@code Date} is not trusted blindly (a response can be hostile, or a proxy can rewrite it):
 * <ul>
 *   <li>a {@code Date} more than {@link #MAX_SKEW} from the local clock is ignored and counted
 *       ({@link #datesRejected()});</li>
 *   <li>once synced, a sample that disagrees with the estimate by more than {@link #TOLERANCE} is held as a suspect:
 *       it is adopted only when {@link #CONFIRMATIONS} suspects agreeing with each other span at least
 *       {@link #CONFIRM_SPAN} with no agreeing sample in between (a real correction of the service's clock persists;
 *       one hostile header does not);</li>
 *   <li>{@link #now()} runs ahead of the local clock only once confirmed ({@link #provisional()}), and never more
 *       than {@link #MAX_SKEW}, so the service's time alone cannot move a stream's position further than that beyond
 *       the worker's own clock, and one answer (the first included) cannot move it forward at all.</li>
 * </ul>
 */
public final class ServiceClock {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceClock.class);

    /** Samples older than this are forgotten (so a correction of the service's own clock is followed). */
    public static final Duration SAMPLE_WINDOW = Duration.ofMinutes(10);
    /**
     * The largest plausible distance between the service's {@code Date} and the worker's clock: a {@code Date} further
     * away is ignored and counted, and the service's time is never taken further than this ahead of the local clock.
     * A worker clock hours off is still handled; one a day off must be fixed (NTP).
     */
    public static final Duration MAX_SKEW = Duration.ofHours(24);
    /**
     * How far a sample may disagree with the estimate and still count as agreeing: far above the second of truncation
     * and the network delay of a {@code Date}, far below the hour that every frontier listing re-lists (so a shift
     * inside it cannot lose a blob).
     */
    public static final Duration TOLERANCE = Duration.ofSeconds(30);
    /** Disagreeing samples needed, agreeing with each other, before the estimate moves to them. */
    public static final int CONFIRMATIONS = 3;
    /** The least time the confirming samples must span (one burst of answers cannot confirm itself). */
    public static final Duration CONFIRM_SPAN = Duration.ofMinutes(1);

    private static final int MAX_SAMPLES = 64;

    private final Clock local;
    private final LongSupplier monotonicNanos;
    private final boolean learns;
    private final ArrayDeque<long[]> samples = new ArrayDeque<>(); // {offsetMillis, atNanos}, agreeing
    private final ArrayDeque<long[]> suspects = new ArrayDeque<>(); // {offsetMillis, atNanos}, disagreeing
    private final LongAdder rejected = new LongAdder();
    private LongAdder rejectedSink; // guarded by samples
    private long lastRejectionLogNanos;
    /** True once the estimate was confirmed by agreeing answers over time (guarded by samples). */
    private boolean confirmed;

    private boolean rejectionLogged;

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

    /**
     * Also counts every ignored {@code Date} in {@code sink} (a metric), those ignored so far included. Calling it
     * again with the same sink changes nothing.
     */
    public void countRejectedDatesIn(LongAdder sink) {
        synchronized (samples) {
            if (sink == null || sink == rejectedSink) {
                return;
            }
            rejectedSink = sink;
            sink.add(rejected.sum());
        }
    }

    /** The {@code Date} headers ignored because they were more than {@link #MAX_SKEW} from the local clock. */
    public long datesRejected() {
        return rejected.sum();
    }

    /** Records the {@code Date} of a successful response (an error's {@code Date} is never passed here). */
    public void observe(Instant serviceDate) {
        if (serviceDate == null || !learns) {
            return;
        }
        long now = monotonicNanos.getAsLong();
        Instant localNow = local.instant();
        if (Duration.between(localNow, serviceDate).abs().compareTo(MAX_SKEW) > 0) {
            reject(serviceDate, localNow, now);
            return;
        }
        long offset = serviceDate.toEpochMilli() - now / 1_000_000L;
        long[] sample = {offset, now};
        synchronized (samples) {
            expire(now);
            if (samples.isEmpty()) {
                samples.addLast(sample);
                return;
            }
            long estimate = best();
            if (Math.abs(offset - estimate) <= TOLERANCE.toMillis()) {
                samples.addLast(sample);
                trim(samples);
                suspects.clear(); // the estimate is confirmed again: disagreeing samples were outliers
                if (!confirmed
                        && samples.size() >= CONFIRMATIONS
                        && now - samples.peekFirst()[1] >= CONFIRM_SPAN.toNanos()) {
                    confirmed = true;
                }
                return;
            }
            suspects.addLast(sample);
            trim(suspects);
            List<long[]> agreeing = new ArrayList<>();
            for (long[] s : suspects) {
                if (Math.abs(s[0] - offset) <= TOLERANCE.toMillis()) {
                    agreeing.add(s);
                }
            }
            if (agreeing.size() >= CONFIRMATIONS && now - agreeing.get(0)[1] >= CONFIRM_SPAN.toNanos()) {
                samples.clear();
                samples.addAll(agreeing);
                suspects.clear();
                confirmed = true;
                LOG.info(
                        "The service's clock moved by {} ms (confirmed by {} answers over {} s); following it",
                        best() - estimate,
                        agreeing.size(),
                        Duration.ofNanos(now - agreeing.get(0)[1]).toSeconds());
            }
        }
    }

    private void reject(Instant serviceDate, Instant localNow, long nowNanos) {
        boolean log;
        synchronized (samples) { // with countRejectedDatesIn: each rejection reaches the sink exactly once
            rejected.increment();
            if (rejectedSink != null) {
                rejectedSink.increment();
            }
            log = !rejectionLogged || nowNanos - lastRejectionLogNanos >= SAMPLE_WINDOW.toNanos();
            if (log) {
                rejectionLogged = true;
                lastRejectionLogNanos = nowNanos;
            }
        }
        if (log) {
            LOG.warn(
                    "Ignored the service's Date {}: it is more than {} h from this worker's clock ({}). The worker's "
                            + "clock is wrong (check NTP), or something between the worker and the service rewrites "
                            + "its answers. {} Date header(s) ignored so far (metric service-dates-rejected-total)",
                    serviceDate,
                    MAX_SKEW.toHours(),
                    localNow,
                    rejected.sum());
        }
    }

    /** Forgets samples older than the window, keeping the newest agreeing one. Holds the lock. */
    private void expire(long now) {
        long oldest = now - SAMPLE_WINDOW.toNanos();
        while (samples.size() > 1 && samples.peekFirst()[1] < oldest) {
            samples.pollFirst();
        }
        while (!suspects.isEmpty() && suspects.peekFirst()[1] < oldest) {
            suspects.pollFirst();
        }
    }

    private static void trim(ArrayDeque<long[]> q) {
        while (q.size() > MAX_SAMPLES) {
            q.pollFirst();
        }
    }

    /** The best agreeing sample (the largest lower bound). Holds the lock; samples is not empty. */
    private long best() {
        long best = Long.MIN_VALUE;
        for (long[] s : samples) {
            best = Math.max(best, s[0]);
        }
        return best;
    }

    /** True once a response's {@code Date} was learned. */
    public boolean synced() {
        synchronized (samples) {
            return !samples.isEmpty();
        }
    }

    /**
     * The service's current time (the local clock until the first response). Never more than {@link #MAX_SKEW} ahead
     * of the local clock, and never more than {@link #TOLERANCE} ahead of it until confirmed ({@link #provisional()}):
     * a single answer can hold the service's time back, never push it forward.
     */
    public Instant now() {
        long nowNanos = monotonicNanos.getAsLong();
        Instant localNow = local.instant();
        long best;
        boolean sure;
        synchronized (samples) {
            if (samples.isEmpty()) {
                return localNow;
            }
            best = best();
            sure = confirmed;
        }
        Instant estimate = Instant.ofEpochMilli(nowNanos / 1_000_000L + best);
        Instant cap = localNow.plus(sure ? MAX_SKEW : TOLERANCE);
        return estimate.isAfter(cap) ? cap : estimate;
    }

    /**
     * True while the answers say the service is ahead of the local clock (by more than {@link #TOLERANCE}) but have
     * not confirmed it yet ({@link #CONFIRMATIONS} agreeing answers over {@link #CONFIRM_SPAN}): {@link #now()} then
     * holds back at the local clock. More answers settle it.
     */
    public boolean provisional() {
        long nowNanos = monotonicNanos.getAsLong();
        Instant localNow = local.instant();
        long best;
        synchronized (samples) {
            if (samples.isEmpty() || confirmed) {
                return false;
            }
            best = best();
        }
        return Instant.ofEpochMilli(nowNanos / 1_000_000L + best).isAfter(localNow.plus(TOLERANCE));
    }

    /** How far the local clock is ahead of the service (negative: behind); zero before the first response. */
    public Duration localSkew() {
        if (!synced()) {
            return Duration.ZERO;
        }
        return Duration.between(now(), local.instant());
    }
}
