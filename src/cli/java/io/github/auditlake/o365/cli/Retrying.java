package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.engine.Backoff;
import io.github.auditlake.o365.engine.EngineSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The CLI's backoff around the client, the connector's engine's own ({@link Backoff}): the client already retries
 * each HTTP call a bounded number of times; past that, transient failures are retried here with capped exponential
 * backoff (full jitter, {@code Retry-After} honoured) until a deadline the data sets (a window's listing limit, a
 * blob's expiration), never by a count.
 */
final class Retrying {
    static final Duration INITIAL = EngineSettings.DEFAULT_BACKOFF_INITIAL;
    static final Duration MAX = EngineSettings.DEFAULT_BACKOFF_MAX;

    private Retrying() {}

    /** The wait after {@code failures} consecutive failures. */
    static Duration delay(CliContext ctx, int failures, ApiException e) {
        return Backoff.delay(failures, INITIAL, MAX, e.retryAfter(), ctx.random());
    }

    /**
     * Calls {@code call}, retrying transient {@link ApiException}s until waiting would pass {@code deadline}; then,
     * and for any other failure, the exception is thrown.
     */
    static <T> T call(CliContext ctx, String what, Instant deadline, Supplier<T> call) {
        int failures = 0;
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                throw CliException.failure("interrupted", null);
            }
            try {
                return call.get();
            } catch (ApiException e) {
                if (!e.isTransient()) {
                    throw e;
                }
                failures++;
                Duration d = delay(ctx, failures, e);
                if (!ctx.clock().instant().plus(d).isBefore(deadline)) {
                    throw e;
                }
                // said on stderr by the context's sleeper (a wait of a second or more), also without --verbose
                sleep(ctx, d, what + ": " + e.getMessage() + " (failure " + failures + ")");
            }
        }
    }

    /** Sleeps {@code d}, saying why ({@code why}; null: a wait that needs no word). */
    static void sleep(CliContext ctx, Duration d, String why) {
        try {
            ctx.sleeper().sleep(d, why);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.failure("interrupted", e);
        }
    }
}
