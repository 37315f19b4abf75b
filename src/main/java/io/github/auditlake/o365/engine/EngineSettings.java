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
 * @param ledger              keep each blob's completeness-ledger chain (stored in the position) and emit a
 *                            {@link Emission.Ledger} after each blob's last record or skip
 * @param recordMaxBytes      records larger than this (UTF-8 bytes) go to the skips topic, not the audit topic: the
 *                            ledger's chain leaves them out (the same test as the task's, {@code AuditRecord.exceeds})
 * @param streamThreads       threads that run the streams' collection rounds (per task), whatever the number of
 *                            streams: a caught-up stream holds none while it waits for its next listing
 * @param idlePollMax         longest wait between listings of a caught-up stream whose listings find nothing: the
 *                            wait doubles from {@code pollInterval} after the second empty listing in a row, up to
 *                            this, never past
 *                            the stream's next day sweep, and is back at {@code pollInterval} after a listing that
 *                            finds a blob; at or below {@code pollInterval} it turns the backoff off
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
        boolean isolateFailures,
        boolean ledger,
        int recordMaxBytes,
        int streamThreads,
        Duration idlePollMax) {
    /** Backoff cap for a stream whose tenant fails permanently (isolated failures). */
    public static final Duration ISOLATED_BACKOFF_MAX = Duration.ofMinutes(5);

    /** Wait between frontier listings of a caught-up stream, by default. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMinutes(1);
    /**
     * Longest wait between listings of an idle stream, by default: zero, no backoff (an idle stream lists every poll
     * interval, so new content is listed within a minute; {@link #RECOMMENDED_IDLE_POLL_MAX} trades that for a third
     * of the requests).
     */
    public static final Duration DEFAULT_IDLE_POLL_MAX = Duration.ZERO;
    /**
     * The idle backoff the docs recommend for many quiet tenants: the day sweep's default interval, so an idle stream
     * lists once per day sweep (the sweep rides on that listing) and stragglers are found as soon as before.
     */
    public static final Duration RECOMMENDED_IDLE_POLL_MAX = WindowPlanner.DEFAULT_SWEEP_INTERVAL;
    /** Blobs fetched ahead at once, by default. */
    public static final int DEFAULT_FETCH_CONCURRENCY = 4;
    /**
     * Threads running the streams' rounds (per task), by default: enough for one tenant's five content types to
     * collect at once, and a bound for hundreds of tenants.
     */
    public static final int DEFAULT_STREAM_THREADS = 8;
    /** Heap bytes of records held, by default: 32 MiB. */
    public static final long DEFAULT_BUFFER_MAX_BYTES = 32L * 1024 * 1024;
    /** Minimum time between heartbeats of a stream, by default. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofMinutes(5);
    /** First retry delay after a failed listing or fetch, by default. */
    public static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofSeconds(1);
    /** Cap on retry delays, by default. */
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMinutes(5);
    /**
     * The output queue holds this many {@code poll()} batches, so the next batch is ready while Connect sends the
     * last one.
     */
    public static final int OUTPUT_BATCHES = 2;
    /** The output queue holds at least this many events, so small batches still keep the fetchers busy. */
    public static final int MIN_OUTPUT_CAPACITY = 1024;

    /** The output capacity for {@code poll()} batches of up to {@code batchMaxRecords}. */
    public static int outputCapacityFor(int batchMaxRecords) {
        return Math.max(batchMaxRecords * OUTPUT_BATCHES, MIN_OUTPUT_CAPACITY);
    }

    /**
     * Settings with the listing plan and the start of a new stream given, everything else at its named default
     * ({@code DEFAULT_*}; output capacity {@link #MIN_OUTPUT_CAPACITY}; no heartbeats' stall commit, no end, failures
     * not isolated).
     */
    public static Builder builder(WindowPlanner planner, Duration initialLookback) {
        return new Builder(planner, initialLookback);
    }

    /** A builder holding these settings, to change a few. */
    public Builder toBuilder() {
        return builder(planner, initialLookback)
                .pollInterval(pollInterval)
                .fetchConcurrency(fetchConcurrency)
                .bufferMaxBytes(bufferMaxBytes)
                .outputCapacity(outputCapacity)
                .heartbeatInterval(heartbeatInterval)
                .manageSubscriptions(manageSubscriptions)
                .backoff(backoffInitial, backoffMax)
                .stallCommitAfter(stallCommitAfter)
                .endAt(endAt)
                .isolateFailures(isolateFailures)
                .ledger(ledger)
                .recordMaxBytes(recordMaxBytes)
                .streamThreads(streamThreads)
                .idlePollMax(idlePollMax);
    }

    /** Builds {@link EngineSettings} by name; every field not set keeps its named default. */
    public static final class Builder {
        private final WindowPlanner planner;
        private final Duration initialLookback;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private int fetchConcurrency = DEFAULT_FETCH_CONCURRENCY;
        private long bufferMaxBytes = DEFAULT_BUFFER_MAX_BYTES;
        private int outputCapacity = MIN_OUTPUT_CAPACITY;
        private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
        private boolean manageSubscriptions = true;
        private Duration backoffInitial = DEFAULT_BACKOFF_INITIAL;
        private Duration backoffMax = DEFAULT_BACKOFF_MAX;
        private Duration stallCommitAfter = Duration.ZERO;
        private Instant endAt;
        private boolean isolateFailures;
        private boolean ledger;
        private int recordMaxBytes = Integer.MAX_VALUE;
        private int streamThreads = DEFAULT_STREAM_THREADS;
        private Duration idlePollMax = DEFAULT_IDLE_POLL_MAX;

        private Builder(WindowPlanner planner, Duration initialLookback) {
            this.planner = planner;
            this.initialLookback = initialLookback;
        }

        public Builder pollInterval(Duration v) {
            pollInterval = v;
            return this;
        }

        public Builder fetchConcurrency(int v) {
            fetchConcurrency = v;
            return this;
        }

        public Builder bufferMaxBytes(long v) {
            bufferMaxBytes = v;
            return this;
        }

        public Builder outputCapacity(int v) {
            outputCapacity = v;
            return this;
        }

        public Builder heartbeatInterval(Duration v) {
            heartbeatInterval = v;
            return this;
        }

        public Builder manageSubscriptions(boolean v) {
            manageSubscriptions = v;
            return this;
        }

        /** The first retry delay and the cap of the delays after a failed listing or fetch. */
        public Builder backoff(Duration initial, Duration max) {
            backoffInitial = initial;
            backoffMax = max;
            return this;
        }

        public Builder stallCommitAfter(Duration v) {
            stallCommitAfter = v;
            return this;
        }

        /** A bounded run: collect up to {@code v} (service time), then report the streams drained. */
        public Builder endAt(Instant v) {
            endAt = v;
            return this;
        }

        public Builder isolateFailures(boolean v) {
            isolateFailures = v;
            return this;
        }

        /** Keep the completeness ledger: each blob's chain, and an {@link Emission.Ledger} when it ends. */
        public Builder ledger(boolean v) {
            ledger = v;
            return this;
        }

        /** Records larger than this go to the skips topic (left out of the ledger's chain). */
        public Builder recordMaxBytes(int v) {
            recordMaxBytes = v;
            return this;
        }

        /** Threads running the streams' rounds (per task), whatever the number of streams. */
        public Builder streamThreads(int v) {
            streamThreads = v;
            return this;
        }

        /**
         * The longest wait between listings of a caught-up stream that finds nothing (at or below the poll interval:
         * no backoff).
         */
        public Builder idlePollMax(Duration v) {
            idlePollMax = v;
            return this;
        }

        public EngineSettings build() {
            return new EngineSettings(
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
                    isolateFailures,
                    ledger,
                    recordMaxBytes,
                    streamThreads,
                    idlePollMax);
        }
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
        if (streamThreads < 1) {
            throw new IllegalArgumentException("streamThreads must be >= 1");
        }
        if (recordMaxBytes < 1) {
            throw new IllegalArgumentException("recordMaxBytes must be >= 1");
        }
        if (stallCommitAfter == null) {
            stallCommitAfter = Duration.ZERO;
        }
        if (idlePollMax == null) {
            idlePollMax = Duration.ZERO;
        }
    }

    /** Doublings of the poll interval at most (a bound for the shift; the cap is {@link #idlePollMax}). */
    private static final int IDLE_DOUBLINGS_MAX = 16;

    /**
     * The wait before the next listing of a caught-up stream after {@code emptyListings} consecutive listings that
     * found nothing: the poll interval after one, then doubled for each further one, up to {@link #idlePollMax} (never
     * below the poll interval).
     */
    public Duration idleWait(int emptyListings) {
        if (emptyListings <= 1 || idlePollMax.compareTo(pollInterval) <= 0) {
            return pollInterval;
        }
        Duration d = pollInterval.multipliedBy(1L << Math.min(emptyListings - 1, IDLE_DOUBLINGS_MAX));
        return d.compareTo(idlePollMax) > 0 ? idlePollMax : d;
    }
}
