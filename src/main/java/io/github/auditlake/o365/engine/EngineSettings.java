package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.cursor.WindowPlanner;
import java.time.Duration;
import java.time.Instant;

/**
 * Tunables of the collection engine.
 *
 * @param planner             listing plan (frontier step, straggler coverage, sweeps, retention margin)
 * @param initialLookback     where a stream without a stored position starts: now minus this
 * @param pollInterval        wait between frontier listings once a stream is caught up
 * @param fetchConcurrency    blobs fetched ahead at once (per task), besides each stream's current blob
 * @param bufferMaxBytes      approximate heap bytes of fetched-but-not-emitted records (per task)
 * @param outputCapacity      events queued for {@code poll()}
 * @param heartbeatInterval   minimum time between heartbeats of a stream; zero disables them
 * @param manageSubscriptions start missing or disabled subscriptions
 * @param backoffInitial      first retry delay after a failed listing or fetch
 * @param backoffMax          cap on retry delays
 * @param stallCommitAfter    inside a blob that stalls this long, emit a heartbeat so an open transaction ends at
 *                            the last record (exactly-once with connector boundaries); zero disables it
 * @param endAt               collect up to this service time, then report the stream drained and stop; null: run
 *                            until closed. A bounded run makes one pass: each span is listed once (no re-listed
 *                            hour, no sweeps), in windows of up to 24 hours ending at the bound, the last one when
 *                            the service's time has passed it; the planner's coverage should span the run so that a
 *                            blob listed in two windows is delivered once
 * @param isolateFailures     a permanent failure of one stream (e.g. one tenant's revoked consent) is reported and
 *                            retried with backoff instead of failing the task (several tenants)
 */
public record EngineSettings(
        WindowPlanner planner,
        Duration initialLookback,
        Duration pollInterval,
        int fetchConcurrency,
        long bufferMaxBytes,
        int outputCapacity,
        Duration heartbeatInterval,
        boolean manageSubscriptions,
        Duration backoffInitial,
        Duration backoffMax,
        Duration stallCommitAfter,
        Instant endAt,
        boolean isolateFailures) {
    /** Backoff cap for a stream whose tenant fails permanently (isolated failures). */
    public static final Duration ISOLATED_BACKOFF_MAX = Duration.ofMinutes(5);

    public EngineSettings(
            WindowPlanner planner,
            Duration initialLookback,
            Duration pollInterval,
            int fetchConcurrency,
            long bufferMaxBytes,
            int outputCapacity,
            Duration heartbeatInterval,
            boolean manageSubscriptions,
            Duration backoffInitial,
            Duration backoffMax,
            Duration stallCommitAfter,
            Instant endAt) {
        this(
                planner,
                initialLookback,
                pollInterval,
                fetchConcurrency,
                bufferMaxBytes,
                outputCapacity,
                heartbeatInterval,
                manageSubscriptions,
                backoffInitial,
                backoffMax,
                stallCommitAfter,
                endAt,
                false);
    }

    public EngineSettings {
        if (fetchConcurrency < 1) {
            throw new IllegalArgumentException("fetchConcurrency must be >= 1");
        }
        if (bufferMaxBytes < 1) {
            throw new IllegalArgumentException("bufferMaxBytes must be >= 1");
        }
        if (outputCapacity < 1) {
            throw new IllegalArgumentException("outputCapacity must be >= 1");
        }
        if (stallCommitAfter == null) {
            stallCommitAfter = Duration.ZERO;
        }
    }
}
