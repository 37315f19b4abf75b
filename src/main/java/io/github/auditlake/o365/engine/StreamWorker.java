package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.ServiceClock;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.cursor.WindowPlanner;
import io.github.auditlake.o365.cursor.WindowPlanner.Window;
import io.github.auditlake.o365.metrics.EngineMetrics;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects one stream: advance the frontier window by window, sweep older spans for stragglers on schedule, and
 * emit the records of new blobs in order, each carrying the stream's position after it.
 */
final class StreamWorker implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(StreamWorker.class);
    private static final int MAX_CONSECUTIVE_WINDOW_ERRORS = 5;
    /** A stream retrying this long counts as stalled in the metrics. */
    static final Duration STALLED_AFTER = Duration.ofMinutes(5);

    private final CollectionEngine engine;
    private final StreamId stream;
    private final ManagementApi api;
    private final SubscriptionKeeper keeper;
    private final EngineSettings settings;
    private final WindowPlanner planner;
    private final EngineMetrics metrics;
    private final Random random;
    private final ServiceClock serviceClock;
    private final ArrayDeque<BlobBuffer> inflight = new ArrayDeque<>();
    /** The head being drained (not in {@code inflight}), guarded by {@code inflight}. */
    private BlobBuffer current;

    private final Comparator<ContentBlob> order =
            Comparator.comparing(ContentBlob::contentCreated).thenComparing(ContentBlob::contentId);

    private StreamCursor cursor;
    private StreamCursor lastEmitted;
    private Instant lastHeartbeat = Instant.EPOCH;
    private int windowErrors;
    private boolean positionAheadLogged;
    private Instant retryingSince;

    /** @param start the stored position, or null for a new stream (it starts at now minus the initial lookback) */
    StreamWorker(
            CollectionEngine engine,
            StreamId stream,
            ManagementApi api,
            SubscriptionKeeper keeper,
            StreamCursor start,
            Random random) {
        this.engine = engine;
        this.stream = stream;
        this.api = api;
        this.keeper = keeper;
        this.settings = engine.settings();
        this.planner = settings.planner();
        this.metrics = engine.metrics();
        this.random = random;
        ServiceClock sc = api.serviceClock();
        this.serviceClock = sc != null ? sc : ServiceClock.following(engine.clock());
        this.serviceClock.countRejectedDatesIn(metrics.serviceDatesRejected);
        this.cursor = start;
        this.lastEmitted = start;
    }

    @Override
    public void run() {
        try {
            int failures = 0;
            while (!engine.closed()) {
                try {
                    collect();
                    return;
                } catch (ApiException e) {
                    if (!settings.isolateFailures() || e.kind() == ErrorKind.TRANSIENT) {
                        throw e;
                    }
                    failures++;
                    isolate(e, failures);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ApiException e) {
            engine.fail(stream, CollectionEngine.fatal(stream, e));
        } catch (RuntimeException e) {
            engine.fail(stream, e);
        } catch (Error e) {
            // an Error (e.g. OutOfMemoryError) fails the task instead of silently stalling the stream
            engine.fail(stream, new IllegalStateException("Stream " + stream + " stopped on a fatal error: " + e, e));
            throw e;
        } finally {
            metrics.stalledSince(stream.encode()).set(0);
            cancel();
        }
    }

    /**
     * With several tenants, one tenant's permanent failure (consent revoked, tenant deleted, permission missing) must
     * not stop the others: report it (WARN naming the tenant, metric, skips topic) and retry with backoff.
     */
    private void isolate(ApiException e, int failures) throws InterruptedException {
        cancel();
        RuntimeException described = CollectionEngine.fatal(stream, e);
        metrics.failingSince(stream.encode()).compareAndSet(0, engine.clock().millis());
        metrics.streamFailures.increment();
        Duration d = Backoff.delay(
                failures,
                settings.backoffInitial().multipliedBy(10),
                EngineSettings.ISOLATED_BACKOFF_MAX,
                java.util.Optional.empty(),
                random);
        log.warn(
                "Tenant {}: stream {} cannot collect ({}); the other tenants go on. Retrying in {} s",
                stream.tenantId(),
                stream,
                described.getMessage(),
                d.toSeconds());
        if (failures == 1 && cursor != null) {
            engine.emit(new Emission.StreamFailure(stream, described.getMessage(), cursor));
        }
        engine.sleeper().sleep(d);
    }

    private void collect() throws InterruptedException {
        retrying("start the subscription", () -> {
            keeper.ensure(stream.contentType());
            return null;
        });
        if (cursor == null) {
            // placed after the first response, so "now" is the service's time, whatever the worker's clock says
            Duration asked = confirmServiceTime();
            Instant now = serviceNow();
            Instant from = now.minus(asked).minus(settings.initialLookback());
            cursor = StreamCursor.startingAt(planner.initialHighWatermark(from, now), from);
            lastEmitted = null;
            log.info("Stream {} has no stored position; starting at {} (now minus the initial lookback)", stream, from);
        }
        Instant endAt = endBound();
        while (!engine.closed()) {
            Instant now = serviceNow();
            if (cursor.highWatermark().isAfter(now.plus(ServiceClock.TOLERANCE))) {
                askServiceTime(now);
            }
            checkRetention(now);
            boolean caughtUp;
            Duration wait = settings.pollInterval();
            if (endAt == null) {
                Optional<Window> w = planner.frontier(cursor.highWatermark(), cursor.origin(), now);
                caughtUp = w.isEmpty() || processFrontier(w.get());
                if (caughtUp) {
                    sweepIfDue();
                }
            } else {
                Optional<Window> w = boundedWindow(endAt, now);
                if (w.isEmpty() && cursor.highWatermark().isBefore(endAt)) {
                    metrics.retentionGaps.increment();
                    log.warn(
                            "Stream {}: the rest of its range, [{}, {}), is older than the oldest time the API still "
                                    + "lists; it can no longer be collected",
                            stream,
                            cursor.highWatermark(),
                            endAt);
                    cursor = cursor.withHighWatermarkAtLeast(endAt);
                }
                Instant cap = now.minus(WindowPlanner.END_MARGIN).truncatedTo(ChronoUnit.MILLIS);
                caughtUp = false;
                if (w.isPresent() && w.get().end().isAfter(cap)) {
                    Duration until = Duration.between(cap, w.get().end());
                    if (until.compareTo(wait) <= 0 || !cap.isAfter(w.get().start())) {
                        // the service reaches the window's end soon: wait, and list it whole
                        caughtUp = true;
                        wait = until.compareTo(wait) < 0 ? until : wait;
                    } else {
                        w = Optional.of(
                                new Window(w.get().start(), cap, true, w.get().nearEdge()));
                    }
                }
                if (w.isPresent() && !caughtUp) {
                    caughtUp = processFrontier(w.get());
                }
            }
            cursor = cursor.forgettingBefore(planner.forgetBefore(cursor.highWatermark(), serviceNow()));
            metrics.highWatermark(stream.encode()).set(cursor.highWatermark().toEpochMilli());
            maybeHeartbeat();
            if (endAt != null && !cursor.highWatermark().isBefore(endAt)) {
                engine.drained(stream);
                return;
            }
            if (caughtUp) {
                engine.sleeper().sleep(wait);
            }
        }
    }

    /**
     * The end bound in the API's resolution (milliseconds; positions are kept in it too), rounded up so that a blob
     * created in the bound's millisecond, before the bound, is inside; null without one.
     */
    private Instant endBound() {
        Instant e = settings.endAt();
        if (e == null) {
            return null;
        }
        Instant ms = e.truncatedTo(ChronoUnit.MILLIS);
        return ms.equals(e) ? e : ms.plusMillis(1);
    }

    /**
     * With an end bound, one pass: the next window {@code [H, min(H + 24 h, endAt))} (its start kept inside the
     * retention), or empty once H reached the bound. The caller lists it once the service's time (less the margin)
     * has passed its end; when that is more than a poll interval away, it lists up to the service's time first. Each span is listed once: no re-listed hour and no sweeps, so a
     * bounded run costs one listing per 24 hours and ends; a blob that only becomes visible after its span was
     * listed is not collected. A blob listed again in a later window (the service does that) is delivered once: the
     * delivered set, kept for the planner's coverage, filters it.
     */
    private Optional<Window> boundedWindow(Instant endAt, Instant now) {
        Instant floor = planner.retentionFloor(now);
        Instant hw = cursor.highWatermark();
        Instant start = hw.isBefore(floor) ? floor : hw;
        Instant end = start.plus(WindowPlanner.API_MAX_WINDOW);
        if (end.isAfter(endAt)) {
            end = endAt;
        }
        if (!end.isAfter(start)) {
            return Optional.empty();
        }
        return Optional.of(new Window(start, end, false, start.isBefore(floor.plus(WindowPlanner.EDGE))));
    }

    void cancel() {
        synchronized (inflight) {
            for (BlobBuffer b : inflight) {
                b.cancel();
                if (b.readAheadSlot) {
                    b.readAheadSlot = false;
                    engine.readAheadSlots().release();
                }
            }
            inflight.clear();
            if (current != null) {
                current.cancel();
                current = null;
            }
        }
    }

    private Instant serviceNow() {
        return serviceClock.now();
    }

    /**
     * When the service's answers say it is ahead of the worker's clock but have not confirmed it yet, a new stream
     * asks a few more times (about a minute) before it places its start, so that it starts at the service's time.
     * Returns how long it waited (the start is placed as if it had not).
     */
    private Duration confirmServiceTime() throws InterruptedException {
        Duration spacing = ServiceClock.CONFIRM_SPAN.dividedBy(ServiceClock.CONFIRMATIONS - 1);
        Duration waited = Duration.ZERO;
        for (int i = 0; i < 2 * ServiceClock.CONFIRMATIONS && serviceClock.provisional(); i++) {
            engine.sleeper().sleep(spacing);
            waited = waited.plus(spacing);
            retrying("learn the service's time", api::listSubscriptions);
        }
        return waited;
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
                    cursor.highWatermark(),
                    now);
        }
        retrying("learn the service's time", api::listSubscriptions);
    }

    private void checkRetention(Instant now) {
        Instant floor = planner.retentionFloor(now);
        Instant hw = cursor.highWatermark();
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
            cursor = cursor.withHighWatermarkAtLeast(floor);
        }
    }

    /** Lists and delivers one frontier window. Returns true when the stream is caught up (the window reached now). */
    private boolean processFrontier(Window w) throws InterruptedException {
        List<ContentBlob> listed;
        try {
            listed = list(w);
            windowErrors = 0;
            metrics.failingSince(stream.encode()).set(0);
        } catch (ApiException e) {
            if (e.kind() != ErrorKind.WINDOW) {
                throw e;
            }
            // while the service's time is not confirmed yet, a rejection is expected and not counted
            if (!serviceClock.provisional() && ++windowErrors > MAX_CONSECUTIVE_WINDOW_ERRORS) {
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
            engine.sleeper().sleep(settings.pollInterval());
            retrying("learn the service's time", api::listSubscriptions);
            return false;
        }
        metrics.windowsListed.increment();
        List<Work> work = plan(listed, true);
        log.debug(
                "Stream {}: window [{}, {}) lists {} blobs, {} to deliver",
                stream,
                w.start(),
                w.end(),
                listed.size(),
                work.size());
        if (w.nearEdge() && !work.isEmpty()) {
            // these blobs may become unlistable before they are delivered: remember them
            cursor = cursor.withPending(work.stream().map(Work::blob).toList());
        }
        deliver(work, c -> c.withWindowDone(w.end()));
        return w.reachesNow();
    }

    /** Runs the day and old sweeps when due: re-lists older spans and delivers the blobs not delivered yet. */
    private void sweepIfDue() throws InterruptedException {
        Instant now = serviceNow();
        if (planner.daySweepDue(cursor.sweptDay(), now)) {
            sweep(true, planner.daySweep(cursor.highWatermark(), cursor.origin(), now), now);
        }
        now = serviceNow();
        if (planner.oldSweepDue(cursor.sweptOld(), now)) {
            sweep(false, planner.oldSweep(cursor.highWatermark(), cursor.origin(), now), now);
        }
    }

    private void sweep(boolean day, List<Window> windows, Instant startedAt) throws InterruptedException {
        Map<String, ContentBlob> found = new LinkedHashMap<>();
        for (Window w : windows) {
            try {
                for (ContentBlob b : list(w)) {
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
        List<Work> work = plan(new ArrayList<>(found.values()), false);
        if (!work.isEmpty()) {
            metrics.stragglersFound.add(work.size());
            log.info(
                    "Stream {}: the {} sweep found {} blob(s) that became visible late; delivering them",
                    stream,
                    day ? "24-hour" : "older",
                    work.size());
        }
        deliver(work, UnaryOperator.identity());
        cursor = cursor.withSwept(day, startedAt);
    }

    private List<ContentBlob> list(Window w) throws InterruptedException {
        return retrying(
                "list " + stream.contentType() + " [" + w.start() + ", " + w.end() + ")",
                () -> api.listAllContent(stream.contentType(), w.start(), w.end()));
    }

    /** The blobs to deliver, in order: the one in progress first, then the new ones by contentCreated. */
    private List<Work> plan(List<ContentBlob> listed, boolean frontier) {
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
                    again != null ? again : ip.toBlob(stream.contentType().wireName()), ip.recordsDone(), ip.lastId()));
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
                .sorted(order)
                .forEach(b -> work.add(new Work(b, 0, null)));
        return work;
    }

    private void deliver(List<Work> work, UnaryOperator<StreamCursor> afterAll) throws InterruptedException {
        if (work.isEmpty()) {
            cursor = afterAll.apply(cursor);
            return;
        }
        for (int i = 0; i < work.size(); i++) {
            startFetchesUpTo(work, i);
            BlobBuffer head;
            synchronized (inflight) {
                head = inflight.pollFirst();
                current = head;
                if (head.readAheadSlot) {
                    head.readAheadSlot = false; // it is the current blob now: its slot goes to another read-ahead
                    engine.readAheadSlots().release();
                }
            }
            head.makeHead();
            drain(head, i == work.size() - 1 ? afterAll : UnaryOperator.identity());
            synchronized (inflight) {
                current = null;
            }
        }
    }

    private void startFetchesUpTo(List<Work> work, int headIndex) {
        synchronized (inflight) {
            int next = headIndex + inflight.size();
            while (inflight.size() < settings.fetchConcurrency() && next < work.size()) {
                // the current blob always starts; a blob ahead of it needs one of the engine's read-ahead slots
                boolean ahead = next != headIndex;
                if (ahead && !engine.readAheadSlots().tryAcquire()) {
                    break; // tried again at the next blob
                }
                Work item = work.get(next++);
                BlobBuffer buffer =
                        new BlobBuffer(item.blob(), item.skip(), item.lastId(), engine.budget(), engine.holdOf(stream));
                buffer.readAheadSlot = ahead;
                inflight.addLast(buffer);
                engine.fetchPool()
                        .execute(new BlobFetch(engine, api, buffer, new Random(random.nextLong()), this::serviceNow));
            }
        }
    }

    /**
     * Emits a blob's records; the last one carries the blob done (and {@code after}, e.g. the window done). A blob
     * the service says is gone or expired is published on the skips topic instead.
     */
    private void drain(BlobBuffer b, UnaryOperator<StreamCursor> after) throws InterruptedException {
        ContentBlob blob = b.blob;
        AuditRecord prev = null;
        long next = -1;
        long stallMillis = settings.stallCommitAfter().isZero()
                ? Long.MAX_VALUE
                : settings.stallCommitAfter().toMillis();
        boolean emittedSinceBoundary = false;
        AuditRecord r;
        while (true) {
            r = b.take(stallMillis);
            if (r == BlobBuffer.NOTHING_YET) {
                // a long stall inside a blob: end the open transaction at the last emitted record
                if (emittedSinceBoundary) {
                    engine.emit(new Emission.Heartbeat(stream, cursor));
                    lastEmitted = cursor;
                    metrics.heartbeats.increment();
                    emittedSinceBoundary = false;
                }
                continue;
            }
            if (next < 0) {
                next = b.skip();
            }
            if (r == null) {
                break;
            }
            if (prev != null) {
                emit(blob, prev, cursor.withProgress(blob, next, prev.id()), false);
                emittedSinceBoundary = true;
            }
            prev = r;
            next++;
        }
        switch (b.end()) {
            case COMPLETE -> metrics.blobsCompleted.increment();
            case GONE -> {
                StreamCursor done = after.apply(cursor.withBlobDone(blob));
                if (prev != null) {
                    emit(blob, prev, cursor.withProgress(blob, next, prev.id()), false);
                }
                log.warn(
                        "Stream {}: skipping blob {} (contentCreated {}) after {} records: {}. It is published on "
                                + "the skips topic; its remaining records cannot be collected.",
                        stream,
                        blob.contentId(),
                        blob.contentCreated(),
                        next,
                        b.reason());
                metrics.blobsSkipped.increment();
                engine.emit(new Emission.Skip(stream, blob, null, b.reason(), next, done, true));
                cursor = done;
                lastEmitted = done;
                return;
            }
            case FAILED -> {
                if (prev != null) {
                    engine.dropped(stream, prev);
                }
                throw b.failure();
            }
            default -> {
                if (prev != null) {
                    engine.dropped(stream, prev);
                }
                throw new InterruptedException("cancelled");
            }
        }
        StreamCursor done = after.apply(cursor.withBlobDone(blob));
        if (prev != null) {
            emit(blob, prev, done, true);
        } else {
            cursor = done;
        }
    }

    private void emit(ContentBlob blob, AuditRecord record, StreamCursor after, boolean blobEnd)
            throws InterruptedException {
        if (record.problem() != null) {
            metrics.recordsSkipped.increment();
            engine.emit(new Emission.Skip(stream, blob, record, record.problem(), -1, after, blobEnd));
        } else {
            engine.emit(new Emission.Event(stream, blob, record, after, blobEnd));
            metrics.recordsEmitted.increment();
            metrics.bytesEmitted.add(record.textLength());
        }
        cursor = after;
        lastEmitted = after;
    }

    private void maybeHeartbeat() throws InterruptedException {
        Duration interval = settings.heartbeatInterval();
        if (interval.isZero() || cursor.equals(lastEmitted)) {
            return;
        }
        Instant now = engine.clock().instant();
        if (Duration.between(lastHeartbeat, now).abs().compareTo(interval) >= 0) {
            engine.emit(new Emission.Heartbeat(stream, cursor));
            lastEmitted = cursor;
            lastHeartbeat = now;
            metrics.heartbeats.increment();
        }
    }

    private <T> T retrying(String what, Call<T> call) throws InterruptedException {
        int attempt = 0;
        try {
            while (true) {
                try {
                    return call.run();
                } catch (ApiException e) {
                    if (engine.closed() || Thread.currentThread().isInterrupted()) {
                        throw new InterruptedException("stopping");
                    }
                    if (e.kind() == ErrorKind.RESUBSCRIBE) {
                        keeper.lost(stream.contentType(), e);
                        continue;
                    }
                    if (e.kind() != ErrorKind.TRANSIENT) {
                        throw e;
                    }
                    attempt++;
                    if (retryingSince == null) {
                        retryingSince = engine.clock().instant();
                    }
                    if (Duration.between(retryingSince, engine.clock().instant())
                                    .compareTo(STALLED_AFTER)
                            >= 0) {
                        metrics.stalledSince(stream.encode()).compareAndSet(0, retryingSince.toEpochMilli());
                    }
                    metrics.listRetries.increment();
                    Duration d = Backoff.delay(
                            attempt, settings.backoffInitial(), settings.backoffMax(), e.retryAfter(), random);
                    log.warn(
                            "Stream {}: could not {} (attempt {}): {}; retrying in {} ms",
                            stream,
                            what,
                            attempt,
                            e.getMessage(),
                            d.toMillis());
                    engine.sleeper().sleep(d);
                }
            }
        } finally {
            if (attempt > 0) {
                retryingSince = null;
                metrics.stalledSince(stream.encode()).set(0);
            }
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws InterruptedException;
    }

    private record Work(ContentBlob blob, long skip, String lastId) {}
}
