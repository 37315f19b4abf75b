package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a stream's blobs in order: the current blob (the head) is fetched on its own thread, the next ones ahead
 * of it as far as the engine's read-ahead slots allow; the head's records are emitted as they arrive, each carrying
 * the stream's position after it. A blob the service says is gone or expired is published on the skips topic.
 */
final class BlobDelivery {
    private static final Logger log = LoggerFactory.getLogger(BlobDelivery.class);

    private final StreamId stream;
    private final WorkerContext ctx;
    private final MemoryBudget.StreamHold hold;
    private final StreamCalls calls;
    private final StreamPosition position;
    private final ArrayDeque<BlobBuffer> inflight = new ArrayDeque<>();
    /** The head being drained (not in {@code inflight}), guarded by {@code inflight}. */
    private BlobBuffer current;

    BlobDelivery(
            StreamId stream,
            WorkerContext ctx,
            MemoryBudget.StreamHold hold,
            StreamCalls calls,
            StreamPosition position) {
        this.stream = stream;
        this.ctx = ctx;
        this.hold = hold;
        this.calls = calls;
        this.position = position;
    }

    /**
     * A blob to deliver, from record {@code skip} on; {@code lastId} is the last delivered record's Id, or null.
     *
     * @param firstListed when the blob was listed (service time), for the completeness ledger; null when unknown
     * @param ledger      the stored ledger state of a blob resumed inside, or null
     */
    record Work(ContentBlob blob, long skip, String lastId, Instant firstListed, StreamCursor.LedgerState ledger) {
        Work(ContentBlob blob, long skip, String lastId) {
            this(blob, skip, lastId, null, null);
        }
    }

    /** Delivers {@code work} in order; the last record (or the position, when there is none) carries {@code afterAll}. */
    void deliver(List<Work> work, UnaryOperator<StreamCursor> afterAll) throws InterruptedException {
        if (work.isEmpty()) {
            position.moveTo(afterAll.apply(position.cursor()));
            return;
        }
        for (int i = 0; i < work.size(); i++) {
            startFetchesUpTo(work, i);
            BlobBuffer head = nextHead();
            head.makeHead();
            drain(head, work.get(i), i == work.size() - 1 ? afterAll : UnaryOperator.identity());
            synchronized (inflight) {
                current = null;
            }
        }
    }

    /**
     * Stops the stream's fetches and returns what they held to the budget (the stream stops, or retries a failure
     * from its position). Any thread, any number of times.
     */
    void cancel() {
        synchronized (inflight) {
            inflight.forEach(BlobBuffer::cancel);
            inflight.clear();
            if (current != null) {
                current.cancel();
                current = null;
            }
        }
    }

    private BlobBuffer nextHead() throws InterruptedException {
        synchronized (inflight) {
            current = inflight.pollFirst();
            if (current == null) {
                throw new InterruptedException("cancelled"); // the engine closed since the head's fetch started
            }
            return current;
        }
    }

    private void startFetchesUpTo(List<Work> work, int headIndex) throws InterruptedException {
        synchronized (inflight) {
            int next = headIndex + inflight.size();
            while (!ctx.engine().closed()
                    && inflight.size() < ctx.settings().fetchConcurrency()
                    && next < work.size()) {
                // the current blob always starts; a blob ahead of it needs one of the engine's read-ahead slots
                Work item = work.get(next);
                BlobBuffer buffer = next == headIndex
                        ? new BlobBuffer(item.blob(), item.skip(), item.lastId(), ctx.budget(), hold)
                        : BlobBuffer.readAhead(
                                item.blob(), item.skip(), item.lastId(), ctx.budget(), hold, ctx.readAheadSlots());
                if (buffer == null) {
                    break; // no read-ahead slot free: tried again at the next blob
                }
                next++;
                inflight.addLast(buffer);
                start(buffer);
            }
        }
    }

    private void start(BlobBuffer buffer) throws InterruptedException {
        BlobFetch fetch = new BlobFetch(
                ctx, calls.api(), buffer, new Random(calls.random().nextLong()), calls::serviceNow, new Watcher());
        try {
            ctx.fetchPool().execute(fetch);
        } catch (RejectedExecutionException e) {
            if (ctx.engine().closed()) {
                throw new InterruptedException("stopping"); // the engine closed: its fetch threads are gone
            }
            throw e;
        }
    }

    /** Reports one fetch's failures to the stream's health (one fetch thread uses it). */
    private final class Watcher implements BlobFetch.Watcher {
        private java.time.Instant since;

        @Override
        public void retrying(io.github.auditlake.o365.api.ApiException e) {
            if (since == null) {
                since = ctx.clock().instant();
            }
            ctx.health().retrying(stream, e, since);
        }

        @Override
        public void answered() {
            if (since != null) {
                since = null;
                ctx.health().answered(stream);
            }
        }
    }

    /**
     * Emits a blob's records; the last one carries the blob done (and {@code after}, e.g. the window done). A blob
     * the service says is gone or expired is published on the skips topic instead. With the ledger on, each record's
     * position holds the blob's chain after it, and the blob's {@link Emission.Ledger} entry carries the blob done.
     */
    private void drain(BlobBuffer b, Work work, UnaryOperator<StreamCursor> after) throws InterruptedException {
        ContentBlob blob = b.blob;
        Duration stall = ctx.settings().stallCommitAfter();
        long stallMillis = stall.isZero() ? Long.MAX_VALUE : stall.toMillis();
        AuditRecord prev = null;
        long next = -1;
        BlobLedger ledger = null;
        boolean emittedSinceBoundary = false;
        while (true) {
            AuditRecord r = b.take(stallMillis);
            if (r == BlobBuffer.NOTHING_YET) {
                // a long stall inside a blob: end the open transaction at the last emitted record
                if (emittedSinceBoundary) {
                    position.heartbeat();
                    emittedSinceBoundary = false;
                }
                continue;
            }
            if (next < 0) {
                next = b.skip(); // read once the fetch put a record or ended: 0 when the blob changed and starts over
                if (ctx.settings().ledger()) {
                    ledger = BlobLedger.begin(stream, work, next, ctx.settings().recordMaxBytes());
                }
            }
            if (r == null) {
                break;
            }
            if (prev != null) {
                position.record(blob, prev, next - 1, progress(blob, next, prev, ledger), false);
                emittedSinceBoundary = true;
            }
            prev = r;
            next++;
        }
        finish(b, prev, next, ledger, after);
    }

    /** The position after {@code done} elements of {@code blob}, the last of which was {@code last}. */
    private StreamCursor progress(ContentBlob blob, long done, AuditRecord last, BlobLedger ledger) {
        if (ledger == null) {
            return position.cursor().withProgress(blob, done, last.id());
        }
        ledger.add(last);
        return position.cursor().withProgress(blob, done, last.id(), ledger.state());
    }

    /**
     * The fetch of {@code b} ended and its records up to {@code last} (held back, the {@code n}th) were taken.
     * {@code ledger} is the blob's ledger (null when the ledger is off).
     */
    private void finish(BlobBuffer b, AuditRecord last, long n, BlobLedger ledger, UnaryOperator<StreamCursor> after)
            throws InterruptedException {
        ContentBlob blob = b.blob;
        switch (b.end()) {
            case COMPLETE -> ctx.metrics().blobsCompleted.increment();
            case GONE -> {
                StreamCursor done = after.apply(position.cursor().withBlobDone(blob));
                StreamCursor skipAt = done;
                if (last != null) {
                    StreamCursor c = progress(blob, n, last, ledger);
                    position.record(blob, last, n - 1, c, false);
                    skipAt = c;
                } else if (ledger != null) {
                    skipAt = position.cursor().withProgress(blob, n, n == 0 ? null : b.expectLastId, ledger.state());
                }
                log.warn(
                        "Stream {}: skipping blob {} (contentCreated {}) after {} records: {}. It is published on "
                                + "the skips topic; its remaining records cannot be collected.",
                        stream,
                        blob.contentId(),
                        blob.contentCreated(),
                        n,
                        b.reason());
                if (ledger == null) {
                    position.blobSkipped(blob, b.reason(), n, done);
                } else {
                    // the skip keeps the blob in progress: the entry after it moves past the blob
                    position.blobSkipped(blob, b.reason(), n, skipAt);
                    position.ledger(ledger.entry(n, calls.serviceNow(), b.reason()), done);
                }
                ctx.health().delivered(stream, blob, calls.serviceNow());
                return;
            }
            case FAILED -> {
                if (last != null) {
                    b.drop(last);
                }
                throw b.failure();
            }
            default -> {
                if (last != null) {
                    b.drop(last);
                }
                throw new InterruptedException("cancelled");
            }
        }
        StreamCursor done = after.apply(position.cursor().withBlobDone(blob));
        if (ledger != null) {
            // the last record keeps the blob in progress (all its elements done): the entry moves past the blob, so
            // a restart between the two writes the entry again instead of losing it
            if (last != null) {
                position.record(blob, last, n - 1, progress(blob, n, last, ledger), true);
            }
            position.ledger(ledger.entry(n, calls.serviceNow(), null), done);
        } else if (last != null) {
            position.record(blob, last, n - 1, done, true);
        } else {
            position.moveTo(done);
        }
        ctx.health().delivered(stream, blob, calls.serviceNow());
    }
}
