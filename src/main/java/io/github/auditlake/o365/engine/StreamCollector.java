package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.ServiceClock;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.cursor.WindowPlanner;
import io.github.auditlake.o365.cursor.WindowPlanner.BoundedStep;
import io.github.auditlake.o365.cursor.WindowPlanner.Window;
import io.github.auditlake.o365.metrics.EngineMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream's collection loop: place a new stream's start, then, round after round, take the next step the planner
 * gives (a frontier window and the sweeps once caught up, or the next step of a bounded run), keep the position
 * inside the API's retention, and wait a poll interval once caught up.
 */
final class StreamCollector {
    private static final Logger log = LoggerFactory.getLogger(StreamCollector.class);

    private final StreamId stream;
    private final WorkerContext ctx;
    private final EngineSettings settings;
    private final WindowPlanner planner;
    private final EngineMetrics metrics;
    private final StreamCalls calls;
    private final StreamPosition position;
    private final WindowLister lister;
    private final HistoryDelivery history;
    private boolean positionAheadLogged;
    /** Consecutive caught-up rounds whose listings found nothing: the wait before the next grows with them. */
    private int emptyListings;

    StreamCollector(
            StreamId stream,
            WorkerContext ctx,
            StreamCalls calls,
            StreamPosition position,
            WindowLister lister,
            HistoryDelivery history) {
        this.history = history;
        this.stream = stream;
        this.ctx = ctx;
        this.settings = ctx.settings();
        this.planner = settings.planner();
        this.metrics = ctx.metrics();
        this.calls = calls;
        this.position = position;
        this.lister = lister;
    }

    /**
     * What a stream does after a round: go on at once ({@link #AGAIN}), wait {@code delay} before the next round, or stop
     * ({@link #DONE}: it reached its end bound).
     *
     * @param why what a wait is for, or null (see {@link io.github.auditlake.o365.api.Sleeper#sleep(Duration, String)})
     */
    record Next(Duration delay, String why, boolean done) {
        static final Next AGAIN = new Next(null, null, false);
        static final Next DONE = new Next(null, null, true);
    }

    /** Makes sure the subscription is on and places a new stream's start. Before the first round, and after a failure. */
    void begin() throws InterruptedException {
        calls.ensureSubscription();
        if (position.cursor() == null) {
            // placed after the first response, so "now" is the service's time, whatever the worker's clock says
            Duration asked = calls.confirmServiceTime();
            Instant now = calls.serviceNow();
            Instant from = now.minus(asked).minus(settings.initialLookback());
            Instant historyFrom =
                    ctx.history() == null ? null : ctx.history().startAt().apply(now.minus(asked));
            if (historyFrom != null && historyFrom.isBefore(history.seamAt(now.minus(asked)))) {
                position.placeStart(history.newStream(historyFrom, now.minus(asked)));
                log.info(
                        "Stream {} has no stored position; reading history from {} through audit search, then the "
                                + "Management API from {}",
                        stream,
                        historyFrom,
                        position.cursor().origin());
            } else {
                position.placeStart(StreamCursor.startingAt(planner.initialHighWatermark(from, now), from));
                log.info(
                        "Stream {} has no stored position; starting at {} (now minus the initial lookback)",
                        stream,
                        from);
            }
        }
        // a new stream with history on reads it first, through audit search, up to the seam (it holds this stream's
        // thread meanwhile: one of o365.stream.threads)
        history.run(calls::serviceNow);
    }

    /**
     * One round: the next step the planner gives, then what to do next. A caught-up stream waits a poll interval;
     * its thread is not held meanwhile (the engine runs the next round when the wait is over).
     */
    Next round() throws InterruptedException {
        Instant endAt = settings.endAt() == null ? null : WindowPlanner.boundInMillis(settings.endAt());
        Instant now = calls.serviceNow();
        if (position.cursor().highWatermark().isAfter(now.plus(ServiceClock.TOLERANCE))) {
            askServiceTime(now);
        }
        checkRetention(now);
        Duration wait = endAt == null ? nextFrontier(now) : nextBounded(endAt, now);
        StreamCursor c = position.cursor();
        c = c.forgettingBefore(planner.forgetBefore(c.highWatermark(), calls.serviceNow()));
        if (c.history() != null
                && c.history().idCount() > 0
                && c.highWatermark().toEpochMilli()
                        > c.history().seam().toEpochMilli()
                                + io.github.auditlake.o365.cursor.HistoryPhase.SEAM_IDS_KEPT_MS) {
            c = c.withHistory(c.history().withoutIds()); // blobs a day past the seam carry no record before it
        }
        position.moveTo(c);
        metrics.highWatermark(stream.encode())
                .set(position.cursor().highWatermark().toEpochMilli());
        position.heartbeatIfDue();
        if (endAt != null && !position.cursor().highWatermark().isBefore(endAt)) {
            ctx.engine().drained(stream);
            return Next.DONE;
        }
        if (wait == null) {
            return Next.AGAIN;
        }
        return new Next(
                wait,
                endAt == null ? null : "the service's clock to pass the end of the range (" + endAt + ") by its margin",
                false);
    }

    /** Lists the next frontier window, and the sweeps once caught up. Returns the wait before the next, or null. */
    private Duration nextFrontier(Instant now) throws InterruptedException {
        StreamCursor c = position.cursor();
        Optional<Window> w = planner.frontier(c.highWatermark(), c.origin(), now);
        // a caught-up stream whose day sweep is due lists the frontier and the day in one listing
        Optional<Window> wide = w.filter(f -> f.reachesNow() && planner.daySweepDue(c.sweptDay(), now))
                .flatMap(f -> planner.widened(f, c.origin(), now));
        boolean caughtUp;
        if (w.isEmpty()) {
            caughtUp = true; // nothing to list yet: the position is at the service's time
            ctx.health().progressed(stream, true, Duration.between(c.highWatermark(), now), 0);
        } else {
            caughtUp =
                    wide.isPresent() ? lister.frontierWithDaySweep(wide.get(), w.get(), now) : lister.frontier(w.get());
        }
        if (caughtUp) {
            lister.sweepIfDue();
        }
        boolean found = lister.foundSinceAsked();
        if (!caughtUp) {
            emptyListings = 0;
            return null;
        }
        emptyListings = found ? 0 : emptyListings + 1;
        return idleWait();
    }

    /**
     * The wait of a caught-up stream: the poll interval, or, after listings that found nothing, longer
     * ({@link EngineSettings#idleWait}), but never past the stream's next day sweep, so a straggler is listed as soon
     * as with a listing every poll interval (the sweep rides on the listing when it is due).
     */
    private Duration idleWait() {
        Duration wait = settings.idleWait(emptyListings);
        if (wait.compareTo(settings.pollInterval()) <= 0) {
            return wait;
        }
        Duration untilSweep = planner.untilDaySweep(position.cursor().sweptDay(), calls.serviceNow());
        Duration bound = untilSweep.compareTo(settings.pollInterval()) > 0 ? untilSweep : settings.pollInterval();
        return wait.compareTo(bound) > 0 ? bound : wait;
    }

    /** The next step of a bounded run ({@link WindowPlanner#bounded}). Returns the wait before the next, or null. */
    private Duration nextBounded(Instant endAt, Instant now) throws InterruptedException {
        StreamCursor c = position.cursor();
        BoundedStep step = planner.bounded(c.highWatermark(), endAt, now, settings.pollInterval());
        if (step instanceof BoundedStep.Next next) {
            return lister.frontier(next.window()) ? settings.pollInterval() : null;
        }
        if (step instanceof BoundedStep.Wait w) {
            return w.duration();
        }
        if (step instanceof BoundedStep.Unlistable u) {
            metrics.retentionGaps.increment();
            log.warn(
                    "Stream {}: the rest of its range, [{}, {}), is older than the oldest time the API still lists; it "
                            + "can no longer be collected",
                    stream,
                    u.from(),
                    u.to());
            position.moveTo(c.withHighWatermarkAtLeast(u.to()));
        }
        return null;
    }

    /**
     * The stream's position is ahead of the service's time (an answer with a past {@code Date}, a correction of the
     * service's clock, or the worker's clock a day behind): nothing can be listed, so no answer would bring the time.
     * Ask for it (one call per poll interval) instead of waiting silently.
     */
    private void askServiceTime(Instant now) throws InterruptedException {
        if (!positionAheadLogged) {
            positionAheadLogged = true;
            log.warn(
                    "Stream {}: its position {} is ahead of the service's time {}; waiting for the service's time to "
                            + "reach it (asking the service for its time every poll interval)",
                    stream,
                    position.cursor().highWatermark(),
                    now);
        }
        calls.learnServiceTime();
    }

    private void checkRetention(Instant now) {
        Instant floor = planner.retentionFloor(now);
        Instant hw = position.cursor().highWatermark();
        if (Duration.between(hw, floor).compareTo(Duration.ofMinutes(1)) > 0) {
            metrics.retentionGaps.increment();
            log.warn(
                    "Stream {}: its position {} is older than the oldest time the API still lists ({}; the API keeps "
                            + "7 days). Content that became available between them was never listed and can no longer be: "
                            + "audit data may have been lost during a long outage. Continuing from {}.",
                    stream,
                    hw,
                    floor,
                    floor);
            // the blobs already listed (pending, in progress) are kept: they can still be fetched
            position.moveTo(position.cursor().withHighWatermarkAtLeast(floor));
        }
    }
}
