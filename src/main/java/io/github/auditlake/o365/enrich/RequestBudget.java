package io.github.auditlake.o365.enrich;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Enrichment's own Graph request budget, apart from the Management API's: a token bucket of {@code perMinute}
 * requests refilled evenly, never waited for (a request without a token is not sent; the records go on with
 * {@link Unenriched#BUDGET}). Also holds Graph's {@code Retry-After}: until it passes, no request is sent.
 */
public final class RequestBudget {
    private final int perMinute;
    private final Clock clock;
    private double tokens;
    private Instant refilled;
    private Instant blockedUntil = Instant.MIN;

    public RequestBudget(int perMinute, Clock clock) {
        if (perMinute < 1) {
            throw new IllegalArgumentException("perMinute must be >= 1");
        }
        this.perMinute = perMinute;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tokens = perMinute;
        this.refilled = clock.instant();
    }

    /** Why no request may be sent now, or null when one may (and its token is taken). */
    public synchronized Unenriched tryAcquire() {
        return tryAcquire(1);
    }

    /**
     * Why {@code n} requests (the queries of one JSON {@code $batch}, which Graph counts one by one) may not be sent
     * now, or null when they may (and their tokens are taken). All or nothing.
     */
    public synchronized Unenriched tryAcquire(int n) {
        if (n < 1 || n > perMinute) {
            throw new IllegalArgumentException("n must be within 1.." + perMinute);
        }
        Instant now = clock.instant();
        if (now.isBefore(blockedUntil)) {
            return Unenriched.THROTTLED;
        }
        long ms = Duration.between(refilled, now).toMillis();
        if (ms > 0) {
            tokens = Math.min(perMinute, tokens + perMinute * ms / 60_000.0);
            refilled = now;
        }
        if (tokens < n) {
            return Unenriched.BUDGET;
        }
        tokens -= n;
        return null;
    }

    /** Graph asked to wait {@code d}: no request before then. */
    public synchronized void retryAfter(Duration d) {
        Instant until = clock.instant().plus(d);
        if (until.isAfter(blockedUntil)) {
            blockedUntil = until;
        }
    }

    /** When requests may be sent again after a {@code Retry-After} (in the past when they may now). */
    public synchronized Instant blockedUntil() {
        return blockedUntil;
    }

    /** The most requests one {@link #tryAcquire(int)} may ask for. */
    public int perMinute() {
        return perMinute;
    }
}
