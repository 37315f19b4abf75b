package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.cursor.WindowPlanner;
import io.github.auditlake.o365.cursor.WindowPlanner.Window;
import io.github.auditlake.o365.engine.BlobDelivery.Work;
import io.github.auditlake.o365.metrics.EngineMetrics;
import io.github.auditlake.o365.metrics.LatenessHistogram;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists a stream's windows, the frontier and the sweeps the planner schedules, and hands the blobs not delivered yet
 * to delivery, in order: the one in progress first, then the new ones by {@code contentCreated}.
 */
final class WindowLister {
    private static final Logger log = LoggerFactory.getLogger(WindowLister.class);
    private static final int MAX_CONSECUTIVE_WINDOW_ERRORS = 5;
    private static final Comparator<ContentBlob> ORDER =
            Comparator.comparing(ContentBlob::contentCreated).thenComparing(ContentBlob::contentId);

    private final StreamId stream;
    private final WorkerContext ctx;
    private final WindowPlanner planner;
    private final EngineMetrics metrics;
    private final StreamCalls calls;
    private final StreamPosition position;
    private final BlobDelivery delivery;
    private final LatenessHistogram lateness;
    private int windowErrors;
    /** True once a frontier listing reached now: later listings measure lateness (see {@link #measureLateness}). */
    private boolean caughtUp;
    /** Whether a listing found a blob to deliver since {@link #foundSinceAsked()} was last asked. */
    private boolean found;

    WindowLister(
            StreamId stream, WorkerContext ctx, StreamCalls calls, StreamPosition position, BlobDelivery delivery) {
        this.stream = stream;
        this.ctx = ctx;
        this.planner = ctx.settings().planner();
        this.metrics = ctx.metrics();
        this.calls = calls;
        this.position = position;
        this.delivery = delivery;
        this.lateness = metrics.lateness(stream.contentType().wireName());
    }

    /** Lists and delivers one frontier window. Returns true when the stream is caught up (the window reached now). */
    boolean frontier(Window w) throws InterruptedException {
        return frontier(w, null, null);
    }

    /**
     * Lists and delivers one frontier window that is also the day sweep: {@code wide}, the frontier window
     * {@code frontier} widened back over the day ({@link WindowPlanner#widened}). The blobs it finds before the
     * frontier's start are stragglers; once they are delivered, the day sweep is recorded as done at
     * {@code startedAt}. Returns true when the stream is caught up.
     */
    boolean frontierWithDaySweep(Window wide, Window frontier, Instant startedAt) throws InterruptedException {
        return frontier(wide, frontier.start(), startedAt);
    }

    private boolean frontier(Window w, Instant stragglersBefore, Instant sweptAt) throws InterruptedException {
        boolean measure = caughtUp && w.reachesNow();
        List<ContentBlob> listed;
        Instant listedAt;
        try {
            listed = calls.list(w);
            listedAt = calls.serviceNow();
            windowErrors = 0;
            metrics.failingSince(stream.encode()).set(0);
        } catch (ApiException e) {
            if (e.kind() != ErrorKind.WINDOW) {
                throw e;
            }
            // while the service's time is not confirmed yet, a rejection is expected and not counted
            if (!calls.serviceTimeProvisional() && ++windowErrors > MAX_CONSECUTIVE_WINDOW_ERRORS) {
                throw e;
            }
            // the rejection's Date is not learned (an error may carry any Date): wait, learn the service's time
            // from a successful answer, and plan again with it
            log.warn(
                    "Stream {}: the API rejected the window [{}, {}) ({}); planning again with the service's time",
                    stream,
                    w.start(),
                    w.end(),
                    e.getMessage());
            ctx.sleeper().sleep(ctx.settings().pollInterval());
            calls.learnServiceTime();
            return false;
        }
        metrics.windowsListed.increment();
        List<Work> work = plan(listed, true, listedAt);
        found |= !work.isEmpty();
        if (measure) {
            measureLateness(work, listedAt);
        }
        if (stragglersBefore != null) {
            long late = work.stream()
                    .filter(x -> x.skip() == 0
                            && x.lastId() == null
                            && x.blob().contentCreated().isBefore(stragglersBefore))
                    .count();
            countStragglers(late, "24-hour");
        }
        log.debug(
                "Stream {}: window [{}, {}) lists {} blobs, {} to deliver",
                stream,
                w.start(),
                w.end(),
                listed.size(),
                work.size());
        ctx.health().listed(stream, work.stream().map(Work::blob).toList());
        if (w.nearEdge() && !work.isEmpty()) {
            // these blobs may become unlistable before they are delivered: remember them
            position.moveTo(
                    position.cursor().withPending(work.stream().map(Work::blob).toList()));
        }
        delivery.deliver(work, c -> c.withWindowDone(w.end()));
        ctx.health()
                .progressed(
                        stream,
                        w.reachesNow(),
                        java.time.Duration.between(position.cursor().highWatermark(), calls.serviceNow()),
                        listed.size());
        if (sweptAt != null) {
            metrics.sweeps.increment();
            position.moveTo(position.cursor().withSwept(true, sweptAt));
        }
        caughtUp = caughtUp || w.reachesNow();
        return w.reachesNow();
    }

    /**
     * Whether a listing (frontier or sweep) found a blob to deliver since the last call; resets. The collector backs
     * off the listings of a stream whose listings find nothing ({@link EngineSettings#idleWait}).
     */
    boolean foundSinceAsked() {
        boolean f = found;
        found = false;
        return f;
    }

    /**
     * Records the lateness of the blobs a caught-up stream lists for the first time (not delivered, not in progress):
     * the time of this listing minus their {@code contentCreated}. The span of a listing of a caught-up stream was
     * last listed at most one listing interval before, so a blob became visible at most that long before it was
     * first listed. Listings while catching up are not measured (their blobs were visible long before).
     */
    private void measureLateness(List<Work> work, Instant listedAt) {
        StreamCursor c = position.cursor();
        Set<String> listedBefore = new HashSet<>();
        if (c.inProgress() != null) {
            listedBefore.add(c.inProgress().contentId());
        }
        c.pending().forEach(b -> listedBefore.add(b.contentId()));
        for (Work x : work) {
            if (!listedBefore.contains(x.blob().contentId())) {
                lateness.record(Duration.between(x.blob().contentCreated(), listedAt));
            }
        }
    }

    private void countStragglers(long n, String which) {
        if (n > 0) {
            metrics.stragglersFound.add(n);
            log.info(
                    "Stream {}: the {} sweep found {} blob(s) that became visible late; delivering them",
                    stream,
                    which,
                    n);
        }
    }

    /** Runs the day and old sweeps when due: re-lists older spans and delivers the blobs not delivered yet. */
    void sweepIfDue() throws InterruptedException {
        StreamCursor c = position.cursor();
        Instant now = calls.serviceNow();
        if (planner.daySweepDue(c.sweptDay(), now)) {
            sweep(true, planner.daySweep(c.highWatermark(), c.origin(), now), now);
        }
        c = position.cursor();
        now = calls.serviceNow();
        if (planner.oldSweepDue(c.sweptOld(), now)) {
            sweep(false, planner.oldSweep(c.highWatermark(), c.origin(), now), now);
        }
    }

    private void sweep(boolean day, List<Window> windows, Instant startedAt) throws InterruptedException {
        Map<String, ContentBlob> found = new LinkedHashMap<>();
        for (Window w : windows) {
            try {
                for (ContentBlob b : calls.list(w)) {
                    found.putIfAbsent(b.contentId(), b);
                }
            } catch (ApiException e) {
                if (e.kind() != ErrorKind.WINDOW) {
                    throw e;
                }
                log.warn(
                        "Stream {}: the API rejected the sweep window [{}, {}) ({}); it is retried at the next sweep",
                        stream,
                        w.start(),
                        w.end(),
                        e.getMessage());
                return;
            }
        }
        metrics.sweeps.increment();
        List<Work> work = plan(new ArrayList<>(found.values()), false, calls.serviceNow());
        this.found |= !work.isEmpty();
        if (caughtUp) {
            measureLateness(work, calls.serviceNow());
        }
        countStragglers(work.size(), day ? "24-hour" : "older");
        ctx.health().listed(stream, work.stream().map(Work::blob).toList());
        delivery.deliver(work, UnaryOperator.identity());
        position.moveTo(position.cursor().withSwept(day, startedAt));
    }

    /**
     * The blobs to deliver, in order: the one in progress first, then the new ones by contentCreated; those not in
     * progress were listed at {@code listedAt} (service time).
     */
    private List<Work> plan(List<ContentBlob> listed, boolean frontier, Instant listedAt) {
        StreamCursor cursor = position.cursor();
        Map<String, ContentBlob> unique = new LinkedHashMap<>();
        for (ContentBlob b : listed) {
            if (unique.putIfAbsent(b.contentId(), b) != null) {
                metrics.blobsDuplicateListed.increment();
            }
        }
        StreamCursor.BlobPosition ip = cursor.inProgress();
        List<Work> work = new ArrayList<>();
        if (ip != null) {
            ContentBlob again = unique.remove(ip.contentId());
            work.add(new Work(
                    again != null ? again : ip.toBlob(stream.contentType().wireName()),
                    ip.recordsDone(),
                    ip.lastId(),
                    null, // listed before the restart: known only from the stored ledger state
                    ip.ledger()));
        }
        if (frontier) {
            for (ContentBlob p : cursor.pending()) {
                if (ip == null || !p.contentId().equals(ip.contentId())) {
                    unique.putIfAbsent(p.contentId(), p);
                }
            }
        }
        unique.values().stream()
                .filter(b -> !cursor.isDone(b))
                .sorted(ORDER)
                .forEach(b -> work.add(new Work(b, 0, null, listedAt, null)));
        return work;
    }
}
