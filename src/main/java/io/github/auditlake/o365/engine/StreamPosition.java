package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.metrics.EngineMetrics;
import java.time.Duration;
import java.time.Instant;

/**
 * A stream's position, and the emissions that carry it to the engine: every record, skip and heartbeat leaves from
 * here with the position after it. Used by the stream's worker thread only.
 */
final class StreamPosition {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(StreamPosition.class);
    private final StreamId stream;
    private final WorkerContext ctx;
    private final EngineMetrics metrics;
    private StreamCursor cursor;
    /** The position the engine received last (null: none since the stream's start was placed). */
    private StreamCursor lastEmitted;

    private Instant lastHeartbeat = Instant.EPOCH;
    /** The stream's hold in the memory budget: a record not delivered again at the seam leaves it. */
    private MemoryBudget.StreamHold hold;

    /** @param start the stored position, or null for a new stream until {@link #placeStart} */
    StreamPosition(StreamId stream, WorkerContext ctx, StreamCursor start) {
        this.stream = stream;
        this.ctx = ctx;
        this.metrics = ctx.metrics();
        this.cursor = start;
        this.lastEmitted = start;
    }

    /** The stream's hold in the memory budget (see {@link #record}). */
    void holdIn(MemoryBudget.StreamHold h) {
        this.hold = h;
    }

    StreamCursor cursor() {
        return cursor;
    }

    /** A new stream starts at {@code start}; nothing of it was emitted yet. */
    void placeStart(StreamCursor start) {
        cursor = start;
        lastEmitted = null;
    }

    /** Moves the position without emitting it: the next emission carries it. */
    void moveTo(StreamCursor c) {
        cursor = c;
    }

    /**
     * One element of {@code blob}, the {@code index}th (0-based): a record, or a skip for an element that is not an
     * audit record.
     */
    void record(ContentBlob blob, AuditRecord record, long index, StreamCursor after, boolean blobEnd)
            throws InterruptedException {
        if (record.problem() == null && deliveredByHistory(record)) {
            // the history phase delivered it (a record created before the seam, carried by a blob after it)
            metrics.historySeamDuplicates.increment();
            log.debug(
                    "Stream {}: record {} was delivered by the history phase; not delivered again",
                    stream,
                    record.id());
            if (hold != null) {
                java.util.concurrent.locks.ReentrantLock lock = ctx.budget().budget().lock;
                lock.lock();
                try {
                    ctx.budget().release(BlobBuffer.sizeOf(record), hold); // charged by its fetch, never polled
                } finally {
                    lock.unlock();
                }
            }
            cursor = after;
            return;
        }
        if (record.problem() != null) {
            metrics.recordsSkipped.increment();
            ctx.engine().emit(new Emission.Skip(stream, blob, record, record.problem(), -1, after, blobEnd));
        } else {
            ctx.engine().emit(new Emission.Event(stream, blob, record, after, blobEnd, index));
            metrics.recordsEmitted.increment();
            metrics.recordsEmittedBy(stream.tenantId()).increment();
            metrics.bytesEmitted.add(record.textLength());
        }
        cursor = after;
        lastEmitted = after;
    }

    /** One record read through audit search; {@code rangeEnd} for the last of its query range. */
    void history(ContentBlob range, AuditRecord record, StreamCursor after, boolean rangeEnd)
            throws InterruptedException {
        if (record.problem() != null) {
            // an element of audit search's answer that is not an audit record: on the skips topic, in the range's
            // place (it may end the range)
            metrics.recordsSkipped.increment();
            ctx.engine().emit(new Emission.Skip(stream, range, record, record.problem(), -1, after, rangeEnd));
            cursor = after;
            lastEmitted = after;
            return;
        }
        ctx.engine().emit(new Emission.Event(stream, range, record, after, rangeEnd, -1));
        metrics.recordsEmitted.increment();
        metrics.recordsEmittedBy(stream.tenantId()).increment();
        metrics.bytesEmitted.add(record.textLength());
        metrics.historyRecords.increment();
        cursor = after;
        lastEmitted = after;
    }

    /** The rest of the stream's history that will not be read, published on the skips topic (see HistoryGap). */
    void historyGap(Instant from, Instant to, String reason, StreamCursor after) throws InterruptedException {
        ctx.engine().emit(new Emission.HistoryGap(stream, from, to, reason, after));
        cursor = after;
        lastEmitted = after;
    }

    private boolean deliveredByHistory(AuditRecord record) {
        io.github.auditlake.o365.cursor.HistoryPhase h = cursor == null ? null : cursor.history();
        if (h == null || h.idCount() == 0) {
            return false;
        }
        return h.deliveredByHistory(record.id(), creation(record.creationTime()));
    }

    private static Instant creation(String t) {
        Long ms = io.github.auditlake.o365.mapping.CreationTimes.millis(t);
        return ms == null ? null : Instant.ofEpochMilli(ms);
    }

    /** The rest of {@code blob}, after {@code delivered} records, is skipped (the service says it is gone). */
    void blobSkipped(ContentBlob blob, String reason, long delivered, StreamCursor done) throws InterruptedException {
        metrics.blobsSkipped.increment();
        ctx.engine().emit(new Emission.Skip(stream, blob, null, reason, delivered, done, true));
        cursor = done;
        lastEmitted = done;
    }

    /** The completeness ledger's entry of a blob that ended; {@code done} is the position after the blob. */
    void ledger(io.github.auditlake.o365.ledger.LedgerEntry entry, StreamCursor done) throws InterruptedException {
        ctx.engine().emit(new Emission.Ledger(stream, entry, done));
        cursor = done;
        lastEmitted = done;
    }

    /** The position as it is, without a record (a stalled blob: an open transaction ends at the last record). */
    void heartbeat() throws InterruptedException {
        ctx.engine().emit(new Emission.Heartbeat(stream, cursor));
        lastEmitted = cursor;
        metrics.heartbeats.increment();
    }

    /** A heartbeat when the position moved since the last emission and the heartbeat interval passed. */
    void heartbeatIfDue() throws InterruptedException {
        Duration interval = ctx.settings().heartbeatInterval();
        if (interval.isZero() || cursor.equals(lastEmitted)) {
            return;
        }
        Instant now = ctx.clock().instant();
        if (Duration.between(lastHeartbeat, now).abs().compareTo(interval) >= 0) {
            heartbeat();
            lastHeartbeat = now;
        }
    }

    /** The stream cannot collect for now (isolated failures): reported once, at its unchanged position. */
    void failure(String reason) throws InterruptedException {
        if (cursor != null) {
            ctx.engine().emit(new Emission.StreamFailure(stream, reason, cursor));
        }
    }
}
