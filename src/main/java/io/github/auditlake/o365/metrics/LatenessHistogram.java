package io.github.auditlake.o365.metrics;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How late content blobs became visible: for each blob, the time it was first listed minus its
 * {@code contentCreated}, in milliseconds. A fixed set of buckets growing by {@link #GROWTH} from one second to
 * {@link #LIMIT}, so a percentile is read to within 10 % (it reports its bucket's upper bound, never more than the
 * largest value recorded) and the histogram's size never grows. Thread-safe and lock-free; counts since it was created
 * (the task's start).
 */
public final class LatenessHistogram {
    /** Each bucket's upper bound is this factor times the previous one: a percentile is read to within 10 %. */
    static final double GROWTH = 1.1;
    /** The first bucket holds everything up to one second. */
    static final long FIRST_BOUND_MS = 1_000;
    /** The last bound: the API keeps content for 7 days, so nothing is listed later than this after it was created. */
    static final long LIMIT_MS = Duration.ofDays(8).toMillis();

    private static final long[] BOUNDS = bounds();

    private final AtomicLongArray counts = new AtomicLongArray(BOUNDS.length + 1);
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong max = new AtomicLong();

    private static long[] bounds() {
        int n = 1;
        for (double b = FIRST_BOUND_MS; b < LIMIT_MS; b *= GROWTH) {
            n++;
        }
        long[] out = new long[n];
        double b = FIRST_BOUND_MS;
        for (int i = 0; i < n; i++) {
            out[i] = (long) Math.ceil(b);
            b *= GROWTH;
        }
        return out;
    }

    /** Records one blob that was listed {@code lateness} after its {@code contentCreated} (negative counts as 0). */
    public void record(Duration lateness) {
        long ms = Math.max(0, lateness.toMillis());
        counts.incrementAndGet(bucket(ms));
        count.incrementAndGet();
        max.accumulateAndGet(ms, Math::max);
    }

    private static int bucket(long ms) {
        int lo = 0;
        int hi = BOUNDS.length; // the overflow bucket
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ms <= BOUNDS[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** The figures at this moment. */
    public Snapshot snapshot() {
        long[] c = new long[counts.length()];
        long n = 0;
        for (int i = 0; i < c.length; i++) {
            c[i] = counts.get(i);
            n += c[i];
        }
        long m = max.get();
        return new Snapshot(n, percentile(c, n, 0.50, m), percentile(c, n, 0.90, m), percentile(c, n, 0.99, m), m);
    }

    private static long percentile(long[] c, long n, double p, long max) {
        if (n == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(p * n);
        long seen = 0;
        for (int i = 0; i < c.length; i++) {
            seen += c[i];
            if (seen >= rank) {
                return i < BOUNDS.length ? Math.min(BOUNDS[i], max) : max;
            }
        }
        return max;
    }

    /**
     * The lateness of the blobs of one content type, in milliseconds: how many were measured, three percentiles (each
     * within 10 % above the true value, never above {@code maxMs}) and the largest.
     */
    public record Snapshot(long count, long p50Ms, long p90Ms, long p99Ms, long maxMs) {
        /** Nothing measured yet. */
        public static final Snapshot EMPTY = new Snapshot(0, 0, 0, 0, 0);

        @Override
        public String toString() {
            return "n=" + count + " p50=" + p50Ms + "ms p90=" + p90Ms + "ms p99=" + p99Ms + "ms max=" + maxMs + "ms";
        }
    }
}
