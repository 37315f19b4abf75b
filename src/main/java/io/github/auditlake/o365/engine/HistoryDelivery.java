package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.cursor.HistoryPhase;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.cursor.WindowPlanner;
import io.github.auditlake.o365.history.AuditQuery;
import io.github.auditlake.o365.history.HistoryReader;
import io.github.auditlake.o365.history.HistoryRecord;
import io.github.auditlake.o365.history.TimeRange;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new stream's history phase: reads {@code [h.start, seam)} through audit search and emits the records of the
 * stream's content type (by {@link io.github.auditlake.o365.history.ContentTypeTable}) as records of the stream, range
 * by range in time order; then the stream's Management API part begins at the seam. Each record but the last of a
 * range carries the position at the range's start; the last carries the position after the range (and ends a
 * connector-defined transaction), so a restart resumes at a range boundary and, exactly-once, delivers nothing twice.
 * The seam moves with the API's retention floor while history runs (a long history phase never leaves a gap the API
 * can no longer list). The Ids of the records created in the last {@link HistoryPhase#SEAM_MEMORY_MS} before the seam
 * are remembered in the offset, so the Management API's first blobs, which carry some of them, do not deliver them
 * again ({@link StreamPosition}). Used by the stream's worker thread only.
 */
final class HistoryDelivery {
    private static final Logger log = LoggerFactory.getLogger(HistoryDelivery.class);
    /** The seam is placed this far after the API's retention floor... */
    static final Duration SEAM_MARGIN = Duration.ofMinutes(30);
    /** ...and moved again when it comes closer to the floor than this (the history phase took that long). */
    static final Duration SEAM_HEADROOM = Duration.ofMinutes(5);

    private final StreamId stream;
    private final WorkerContext ctx;
    private final MemoryBudget.StreamHold hold;
    private final StreamPosition position;
    private final WindowPlanner planner;
    private final Condition space;

    /** The record held back until the next one (or the range's end), its charge, and its range's stand-in blob. */
    private AuditRecord held;

    private long heldBytes;
    private ContentBlob heldBlob;
    private StreamCursor rangeStart;
    private StringBuilder rangeIds = new StringBuilder();
    /** True while this stream holds {@link HistorySource#ranges()} (between a range's first and last records). */
    private boolean rangeOpen;

    HistoryDelivery(StreamId stream, WorkerContext ctx, MemoryBudget.StreamHold hold, StreamPosition position) {
        this.stream = stream;
        this.ctx = ctx;
        this.hold = hold;
        this.position = position;
        this.planner = ctx.settings().planner();
        this.space = ctx.budget().budget().lock.newCondition();
    }

    /** Where a new stream's live part starts when history is on: the seam at {@code now}. */
    Instant seamAt(Instant now) {
        return planner.retentionFloor(now).plus(SEAM_MARGIN);
    }

    /** The cursor of a new stream with history from {@code start} and its live part from the seam. */
    StreamCursor newStream(Instant start, Instant now) {
        Instant seam = seamAt(now);
        return StreamCursor.startingAtSeam(
                planner.initialHighWatermark(seam, now), seam, HistoryPhase.begin(start, seam));
    }

    /** Runs the stream's history phase to the seam (nothing when it has none or it is done). */
    void run(Supplier<Instant> serviceNow) throws InterruptedException {
        HistorySource source = ctx.history();
        while (!ctx.engine().closed()) {
            StreamCursor c = position.cursor();
            HistoryPhase h = c.history();
            if (h != null && h.active() && source == null) {
                skipRest(c, h);
                return;
            }
            if (h == null || source == null) {
                return;
            }
            Instant now = serviceNow.get();
            if (c.inProgress() == null
                    && c.doneCount() == 0
                    && h.seam().isBefore(planner.retentionFloor(now).plus(SEAM_HEADROOM))) {
                // history took long enough for the API's floor to near the seam: history reads further instead
                Instant seam = seamAt(now);
                log.info(
                        "Stream {}: the history phase moves its seam from {} to {} (the API's floor moved)",
                        stream,
                        h.seam(),
                        seam);
                position.moveTo(
                        StreamCursor.startingAtSeam(planner.initialHighWatermark(seam, now), seam, h.withSeam(seam)));
                continue;
            }
            if (!h.active()) {
                return;
            }
            read(source, new TimeRange(h.done(), h.seam()));
        }
    }

    /**
     * {@code o365.history.start} was cleared while the stream had history left: the rest, {@code [h.done, seam)}, is
     * not read. The skip is logged, counted ({@code history-gaps-skipped-total}) and published on the skips topic with
     * the position after it (the phase over), so it is published once and the live part goes on from the seam.
     */
    private void skipRest(StreamCursor c, HistoryPhase h) throws InterruptedException {
        String reason = "o365.history.start was cleared while the history phase had [" + h.done() + ", " + h.seam()
                + ") left: that part is not read (records created then are not delivered)";
        log.warn("Stream {}: {}; published on the skips topic", stream, reason);
        ctx.metrics().historyGapsSkipped.increment();
        StreamCursor after = c.withHistory(h.withDone(h.seam(), ""));
        position.historyGap(h.done(), h.seam(), reason, after);
    }

    private void read(HistorySource source, TimeRange range) throws InterruptedException {
        log.info("Stream {}: reading history {} through audit search", stream, range);
        HistoryReader reader = new HistoryReader(
                source.apis().apply(stream.tenantId()),
                source.settings(),
                source.budgets().apply(stream.tenantId()),
                ctx.clock(),
                ctx.sleeper(),
                new HistoryReader.Listener() {
                    /** The queries submitted and not finished (for the health state). */
                    final java.util.Map<String, Boolean> running = new java.util.HashMap<>();

                    Instant refusedSince;

                    @Override
                    public void queryState(AuditQuery q) {
                        log.debug(
                                "Stream {}: audit search {} over {}: {}",
                                stream,
                                q.id(),
                                q.range(),
                                q.status().wireName());
                        if (q.status().isFinal()) {
                            running.remove(q.id());
                        } else {
                            running.put(q.id(), Boolean.TRUE);
                        }
                        refusedSince = null;
                        ctx.health().answered(stream);
                        reportHealth(position.cursor().history(), running.size());
                    }

                    @Override
                    public void refused(io.github.auditlake.o365.api.ApiException e) {
                        if (refusedSince == null) {
                            refusedSince = ctx.clock().instant();
                        }
                        ctx.health().retrying(stream, e, refusedSince); // throttled, or stalled if it lasts
                    }

                    @Override
                    public void rangeDone(TimeRange r, long records) {
                        try {
                            rangeEnd(r);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new Stopped();
                        }
                        reportHealth(position.cursor().history(), running.size());
                    }
                },
                "o365 connector " + stream.encode());
        rangeStart = position.cursor();
        reportHealth(rangeStart.history(), 0);
        try {
            reader.read(range, r -> {
                try {
                    accept(r);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new Stopped();
                }
            });
        } catch (Stopped e) {
            throw new InterruptedException("stopped");
        } catch (RuntimeException e) {
            throw rangeBroken(range, e);
        } finally {
            dropHeld();
            closeRange();
        }
        ctx.metrics().historyQueries.add(reader.queriesSubmitted());
        log.info("Stream {}: history {} read ({} queries)", stream, range, reader.queriesSubmitted());
    }

    /**
     * A failure while a range is open: some of its records were handed over, carrying the range's start, and its end
     * will never come. Retrying the stream (an isolated failure) would hand them over again into the same open
     * transaction, so the failure stops the task instead: the open transaction is aborted and the restarted task
     * resumes at the range's start, delivering nothing twice. Outside a range the failure is returned as it is.
     */
    private RuntimeException rangeBroken(TimeRange range, RuntimeException e) {
        if (!rangeOpen || !ctx.settings().isolateFailures()) {
            return e; // not isolated: the failure stops the task anyway
        }
        if (e instanceof io.github.auditlake.o365.api.ApiException api) {
            ctx.health().failed(stream, api);
        }
        return new IllegalStateException(
                "Stream " + stream + ": reading history " + range + " through audit search failed inside a query range"
                        + " whose first records were handed over (" + e.getMessage() + "); the task stops so that the"
                        + " range is not delivered twice, and resumes at the range's start when restarted",
                e);
    }

    /** The stream's {@code history} health state: where it stands (see HealthMonitor#history). */
    private void reportHealth(HistoryPhase h, int queriesRunning) {
        if (h != null) {
            ctx.health().history(stream, h.start(), h.done(), h.seam(), queriesRunning);
        }
    }

    /** Signals an interrupt through the reader's callbacks. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }

    private void accept(HistoryRecord r) throws InterruptedException {
        if (r.problem() == null && r.contentType() != stream.contentType()) {
            return; // another stream of the tenant delivers it
        }
        HistoryPhase h = rangeStart.history();
        AuditRecord record;
        if (r.problem() != null) {
            // unreadable: its content type is unknown, so every stream reading the range publishes it on the skips
            // topic (each naming its own content type); never delivered as a record, never a reason to stop
            log.warn(
                    "Stream {}: audit search returned an element that is not an audit record (Graph id {}): {}; "
                            + "published on the skips topic",
                    stream,
                    r.id(),
                    r.problem());
            record = AuditRecord.notARecord(r.json(), r.problem());
        } else {
            if (h.nearSeam(r.created())) {
                rangeIds.append(HistoryPhase.encode(r.id()));
            }
            record = toAuditRecord(r);
        }
        if (!rangeOpen) {
            openRange();
        }
        long n = BlobBuffer.sizeOf(record);
        charge(n);
        if (held != null) {
            emit(rangeStart, false);
        }
        held = record;
        heldBytes = n;
        heldBlob = Emission.auditSearchRange(stream.contentType().wireName(), h.done());
    }

    private void rangeEnd(TimeRange r) throws InterruptedException {
        HistoryPhase h = rangeStart.history();
        StreamCursor after = rangeStart.withHistory(h.withDone(r.to(), rangeIds.toString()));
        rangeIds = new StringBuilder();
        if (held != null) {
            emit(after, true);
        } else {
            position.moveTo(after);
        }
        closeRange();
        rangeStart = after;
        position.heartbeatIfDue();
    }

    private void emit(StreamCursor after, boolean rangeEnd) throws InterruptedException {
        AuditRecord r = held;
        ContentBlob b = heldBlob;
        held = null;
        heldBytes = 0;
        if (rangeEnd) {
            ReentrantLock lock = ctx.budget().budget().lock;
            lock.lock();
            try {
                hold.holdBack(0);
            } finally {
                lock.unlock();
            }
        }
        position.history(b, r, after, rangeEnd);
    }

    /** Waits until no other stream of the engine is inside a range (see {@link HistorySource#ranges()}). */
    private void openRange() throws InterruptedException {
        while (!ctx.history().ranges().tryAcquire(1, TimeUnit.SECONDS)) {
            if (ctx.engine().closed()) {
                throw new Stopped();
            }
        }
        rangeOpen = true;
    }

    private void closeRange() {
        if (rangeOpen) {
            rangeOpen = false;
            ctx.history().ranges().release();
        }
    }

    /** Charges {@code n} bytes to the stream's hold, waiting for room (a stream holding nothing always has room). */
    private void charge(long n) throws InterruptedException {
        MemoryBudget.Account account = ctx.budget();
        ReentrantLock lock = account.budget().lock;
        lock.lock();
        try {
            while (!account.closed() && !account.fits(n, hold)) {
                if (ctx.engine().closed()) {
                    throw new Stopped();
                }
                account.awaitSpace(space, TimeUnit.SECONDS.toNanos(1));
            }
            account.charge(n, hold);
            hold.holdBack(n); // held back until the next record or the range's end, like a blob's last taken record
        } finally {
            lock.unlock();
        }
    }

    /** A record held back when the stream stops or fails: its bytes leave the stream's hold. */
    private void dropHeld() {
        if (held == null) {
            return;
        }
        MemoryBudget.Account account = ctx.budget();
        ReentrantLock lock = account.budget().lock;
        lock.lock();
        try {
            account.release(heldBytes, hold);
            hold.holdBack(0);
        } finally {
            lock.unlock();
        }
        held = null;
        heldBytes = 0;
    }

    /** The record as a live one: the auditData text unchanged, its Id, CreationTime, Workload, RecordType, Operation. */
    static AuditRecord toAuditRecord(HistoryRecord r) {
        String json = r.json();
        return new AuditRecord(
                json,
                r.id(),
                topLevelString(json, "CreationTime"),
                r.workload(),
                r.recordType() < 0 ? null : r.recordType(),
                topLevelString(json, "Operation"));
    }

    private static final com.fasterxml.jackson.core.JsonFactory JSON = new com.fasterxml.jackson.core.JsonFactory();

    private static String topLevelString(String json, String name) {
        try (com.fasterxml.jackson.core.JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String field = p.currentName();
                com.fasterxml.jackson.core.JsonToken t = p.nextToken();
                if (field.equals(name) && t == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
                    return p.getText();
                }
                p.skipChildren();
            }
        } catch (java.io.IOException e) {
            return null;
        }
        return null;
    }
}
