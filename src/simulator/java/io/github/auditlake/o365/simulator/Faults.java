package io.github.auditlake.o365.simulator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * Fault injection, throttling and latency of a running simulator. Thread-safe; changes apply to the next request.
 *
 * <pre>{@code
 * sim.faults().rate(Faults.Kind.HTTP_500, 0.05);                        // 5 % AF50000, seeded
 * sim.faults().failNext(2, ".*\/activity/feed/audit/.*", Faults.Kind.RESET_MID_BODY);
 * sim.faults().throttle(2000);                                           // requests/minute per (tenant, publisher)
 * sim.faults().latency(Duration.ofMillis(5), Duration.ofMillis(50));
 * }</pre>
 *
 * <p>Rates apply to API paths ({@code /api/...}) only; fail-next rules apply to any path matching the regular
 * expression (login paths included), first matching rule first.
 */
public final class Faults {

    /** What to do to a request. */
    public enum Kind {
        /** HTTP 500 {@code AF50000} "An internal error occurred.  Retry the request.". */
        HTTP_500,
        /** HTTP 503 Service Unavailable (HTML-less empty body). */
        HTTP_503,
        /** HTTP 408 Request Timeout. */
        HTTP_408,
        /** AF429 throttling answer (HTTP 403, or 429 + Retry-After when so configured). */
        THROTTLE,
        /** Sends the status line and part of the body, then drops the connection. */
        RESET_MID_BODY,
        /** A complete HTTP 200 response whose JSON body is cut in the middle. */
        TRUNCATED_BODY,
        /** Sends half the body, stalls for {@link #stall(Duration)}, then drops the connection (a hung backend). */
        STALL_MID_BODY
    }

    private record Rule(Pattern path, Kind kind, int[] remaining) {}

    private final Map<Kind, Double> rates = new EnumMap<>(Kind.class);
    private final List<Rule> rules = new ArrayList<>();
    private final SplittableRandom random;
    private int throttlePerMinute;
    private boolean throttleAs429;
    private Duration retryAfter = Duration.ofSeconds(30);
    private Duration latencyMin = Duration.ZERO;
    private Duration latencyMax = Duration.ZERO;
    private Duration stall = Duration.ofSeconds(30);
    private final Map<String, Deque<Long>> windows = new HashMap<>();

    Faults(long seed) {
        this.random = new SplittableRandom(seed ^ 0xFA017L);
    }

    /** Probability in [0, 1] that an API request fails with {@code kind}. */
    public synchronized Faults rate(Kind kind, double probability) {
        rates.put(kind, probability);
        return this;
    }

    /** The next {@code n} requests whose path matches {@code pathRegex} fail with {@code kind}. */
    public synchronized Faults failNext(int n, String pathRegex, Kind kind) {
        rules.add(new Rule(Pattern.compile(pathRegex), kind, new int[] {n}));
        return this;
    }

    /** Requests per minute allowed per (tenant, PublisherIdentifier), sliding 60 s window on the SimClock; 0 = off. */
    public synchronized Faults throttle(int requestsPerMinute) {
        this.throttlePerMinute = requestsPerMinute;
        return this;
    }

    /** Answer throttling with HTTP 429 and {@code Retry-After} instead of the documented HTTP 403. */
    public synchronized Faults throttleAs429(boolean as429, Duration retryAfter) {
        this.throttleAs429 = as429;
        this.retryAfter = retryAfter;
        return this;
    }

    /** Fixed latency added before every response. */
    public Faults latency(Duration fixed) {
        return latency(fixed, fixed);
    }

    /** Latency uniform in [min, max] added before every response (real time: it really sleeps). */
    public synchronized Faults latency(Duration min, Duration max) {
        this.latencyMin = min;
        this.latencyMax = max;
        return this;
    }

    /** How long a {@link Kind#STALL_MID_BODY} answer stalls (real time). */
    public synchronized Faults stall(Duration d) {
        this.stall = d;
        return this;
    }

    synchronized Duration stall() {
        return stall;
    }

    /** Removes all rates, rules, throttling and latency. */
    public synchronized Faults clear() {
        rates.clear();
        rules.clear();
        throttlePerMinute = 0;
        throttleAs429 = false;
        latencyMin = Duration.ZERO;
        latencyMax = Duration.ZERO;
        windows.clear();
        peaks.clear();
        overBudget = 0;
        return this;
    }

    synchronized boolean throttleAs429() {
        return throttleAs429;
    }

    synchronized Duration retryAfter() {
        return retryAfter;
    }

    synchronized long latencyMillis() {
        long min = latencyMin.toMillis();
        long max = latencyMax.toMillis();
        if (max <= 0) {
            return 0;
        }
        long ms = max <= min ? min : min + random.nextLong(max - min + 1);
        delayedRequests++;
        delayedMillis += ms;
        return ms;
    }

    private long delayedRequests;
    private long delayedMillis;

    /** How many requests were given an injected latency (a test observes the fault without timing anything). */
    public synchronized long delayedRequests() {
        return delayedRequests;
    }

    /** The latency injected so far, over all requests. */
    public synchronized Duration injectedLatency() {
        return Duration.ofMillis(delayedMillis);
    }

    /** The injected fault for this request, or null. Consumes a fail-next rule when one matches. */
    synchronized Kind pick(String path) {
        for (Iterator<Rule> it = rules.iterator(); it.hasNext(); ) {
            Rule r = it.next();
            if (r.path.matcher(path).matches()) {
                if (--r.remaining[0] <= 0) {
                    it.remove();
                }
                return r.kind;
            }
        }
        if (!path.startsWith("/api/")) {
            return null;
        }
        for (Map.Entry<Kind, Double> e : rates.entrySet()) {
            if (e.getValue() > 0 && random.nextDouble() < e.getValue()) {
                return e.getKey();
            }
        }
        return null;
    }

    /** Counts a request against the (tenant, publisher) budget; true when it is over budget. */
    synchronized boolean overBudget(String key, long nowMillis) {
        if (throttlePerMinute <= 0) {
            return false;
        }
        Deque<Long> w = windows.computeIfAbsent(key, k -> new ArrayDeque<>());
        while (!w.isEmpty() && w.peekFirst() <= nowMillis - 60_000) {
            w.pollFirst();
        }
        // the requests of the last minute with this one, refused or not: above the budget when it is refused
        peaks.merge(key, w.size() + 1, Math::max);
        if (w.size() >= throttlePerMinute) {
            overBudget++;
            return true;
        }
        w.addLast(nowMillis);
        return false;
    }

    private final Map<String, Integer> peaks = new HashMap<>();
    private long overBudget;

    /**
     * With {@link #throttle(int)} on: the most requests any (tenant, PublisherIdentifier) sent in a sliding 60 s window
     * (SimClock), the refused one included, keyed {@code tenant|publisher} in lower case. A key above the budget was
     * throttled; a client that keeps to its budget keeps every key at or below it.
     */
    public synchronized Map<String, Integer> peakRequestsPerMinute() {
        return Map.copyOf(peaks);
    }

    /** How many requests {@link #throttle(int)} refused (answered AF429) since the start or {@link #clear()}. */
    public synchronized long refusedOverBudget() {
        return overBudget;
    }
}
