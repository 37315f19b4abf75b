package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.cursor.WindowPlanner;
import java.time.Duration;

/**
 * Tunables of the collection engine.
 *
 * @param planner             window planning (window size, late window, retention margin)
 * @param initialLookback     where a stream without a stored position starts: now minus this
 * @param pollInterval        wait between listings once a stream is caught up
 * @param fetchConcurrency    blobs fetched at once (per task)
 * @param bufferMaxBytes      approximate heap bytes of fetched-but-not-emitted records (per task)
 * @param outputCapacity      events queued for {@code poll()}
 * @param heartbeatInterval   minimum time between heartbeats of a stream; zero disables them
 * @param manageSubscriptions start missing or disabled subscriptions
 * @param maxBlobAttempts     consecutive failed fetches of one blob before it is abandoned (logged, counted)
 * @param backoffInitial      first retry delay after a failed listing or fetch
 * @param backoffMax          cap on retry delays
 */
public record EngineSettings(WindowPlanner planner, Duration initialLookback, Duration pollInterval,
                             int fetchConcurrency, long bufferMaxBytes, int outputCapacity,
                             Duration heartbeatInterval, boolean manageSubscriptions, int maxBlobAttempts,
                             Duration backoffInitial, Duration backoffMax) {
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
    }
}
