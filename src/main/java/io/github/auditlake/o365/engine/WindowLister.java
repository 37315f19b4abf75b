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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private int windowErrors;

    WindowLister(
            StreamId stream, WorkerContext ctx, StreamCalls calls, StreamPosition position, BlobDelivery delivery) {
        this.stream = stream;
        this.ctx = ctx;
        this.planner = ctx.settings().planner();
        this.metrics = ctx.metrics();
        this.calls = calls;
        this.position = position;
        this.delivery = delivery;
    }

    /** Lists and delivers one frontier window. Returns true when the stream is caught up (the window reached now). */
    boolean frontier(Window w) throws InterruptedException {
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
        return w.reachesNow();
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
        if (!work.isEmpty()) {
            metrics.stragglersFound.add(work.size());
            log.info(
                    "Stream {}: the {} sweep found {} blob(s) that became visible late; delivering them",
                    stream,
                    day ? "24-hour" : "older",
                    work.size());
        }
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
