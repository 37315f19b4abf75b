package io.github.auditlake.o365.settings;

import io.github.auditlake.o365.cursor.WindowPlanner;
import io.github.auditlake.o365.engine.EngineSettings;
import io.github.auditlake.o365.engine.health.HealthSettings;
import java.time.Duration;

/** The one mapping from resolved settings to the engine's {@link EngineSettings} and {@link WindowPlanner}. */
public final class EngineMapping {
    /**
     * The engine's backoff between failed listings or blob fetches is capped at this many times the HTTP client's
     * retry cap ({@code o365.retry.backoff.max.ms}): the engine retries only after a call spent all its own retries,
     * so its retries are spaced wider and an outage costs fewer requests.
     */
    public static final int ENGINE_BACKOFF_MAX_PER_RETRY_BACKOFF_MAX = 5;

    private EngineMapping() {}

    /** The listing plan: frontier step, straggler coverage, the retention margin, sweep interval. */
    public static WindowPlanner planner(Resolved r) {
        return new WindowPlanner(
                millis(r, CollectionSettings.WINDOW_MAX_MS),
                millis(r, CollectionSettings.COVERAGE_MS),
                CollectionSettings.RETENTION_MARGIN,
                millis(r, CollectionSettings.SWEEP_INTERVAL_MS));
    }

    /**
     * The engine's settings of an unbounded run; the caller adds what only it knows (stall commits, failure
     * isolation, the completeness ledger).
     */
    public static EngineSettings.Builder from(Resolved r) {
        Duration retryBackoffMax = millis(r, HttpSettings.RETRY_BACKOFF_MAX_MS);
        return EngineSettings.builder(planner(r), millis(r, CollectionSettings.INITIAL_LOOKBACK_MS))
                .pollInterval(millis(r, CollectionSettings.POLL_INTERVAL_MS))
                .idlePollMax(millis(r, CollectionSettings.POLL_IDLE_MAX_MS))
                .fetchConcurrency(r.value(CollectionSettings.FETCH_CONCURRENCY))
                .streamThreads(r.value(CollectionSettings.STREAM_THREADS))
                .bufferMaxBytes(r.value(CollectionSettings.BUFFER_MAX_BYTES))
                .outputCapacity(EngineSettings.outputCapacityFor(r.value(CollectionSettings.BATCH_MAX_RECORDS)))
                .heartbeatInterval(millis(r, CollectionSettings.HEARTBEAT_INTERVAL_MS))
                .recordMaxBytes(r.value(CollectionSettings.RECORD_MAX_BYTES))
                .manageSubscriptions(r.value(CollectionSettings.MANAGE_SUBSCRIPTIONS))
                .backoff(
                        millis(r, HttpSettings.RETRY_BACKOFF_MS),
                        retryBackoffMax.multipliedBy(ENGINE_BACKOFF_MAX_PER_RETRY_BACKOFF_MAX));
    }

    /** The thresholds of the health states and warnings. */
    public static HealthSettings health(Resolved r) {
        return new HealthSettings(
                millis(r, DestinationSettings.HEALTH_SUMMARY_INTERVAL_MS),
                millis(r, DestinationSettings.HEALTH_STALLED_AFTER_MS),
                millis(r, DestinationSettings.HEALTH_LAGGING_AFTER_MS),
                millis(r, DestinationSettings.HEALTH_QUIET_AFTER_MS),
                millis(r, DestinationSettings.HEALTH_CREDENTIAL_WARNING_MS),
                millis(r, DestinationSettings.HEALTH_EXPIRY_MARGIN_MS));
    }

    static Duration millis(Resolved r, Setting<Long> s) {
        return Duration.ofMillis(r.value(s));
    }
}
