package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.ContentBlob;
import java.util.ArrayDeque;

/**
 * Records of one blob fetched ahead of emission. All buffers of an engine share one monitor (the
 * {@link ByteBudget}): a buffer that is not the head of its stream waits while the budget is spent; the head never
 * waits for the budget (only for its own small cap), so the stream always progresses and memory stays bounded by
 * the budget plus one head cap per stream.
 */
final class BlobBuffer {
    /** How a fetch ended. */
    enum End { NONE, COMPLETE, GONE, FAILED, CANCELLED }

    final ContentBlob blob;
    /** The last delivered record's Id (checked when resuming inside the blob), or null. */
    final String expectLastId;
    private long skip;
    private final ByteBudget budget;
    private final ArrayDeque<AuditRecord> queue = new ArrayDeque<>();
    private long bytes;
    private boolean head;
    private End end = End.NONE;
    private String reason;
    private RuntimeException failure;
    private long produced;

    BlobBuffer(ContentBlob blob, long skip, String expectLastId, ByteBudget budget) {
        this.blob = blob;
        this.skip = skip;
        this.expectLastId = expectLastId;
        this.budget = budget;
    }

    /** Index of the first record this buffer hands out. */
    long skip() {
        synchronized (budget) {
            return skip;
        }
    }

    /**
     * The blob is not the one a restart expected (the record before the resume point has another Id): deliver it
     * from its first record again. Only before any record was buffered.
     */
    void rewind() {
        synchronized (budget) {
            if (produced != 0) {
                throw new IllegalStateException("records were already buffered");
            }
            skip = 0;
        }
    }

    static long sizeOf(AuditRecord r) {
        return 2L * r.json().length() + 96;
    }

    void makeHead() {
        synchronized (budget) {
            head = true;
            budget.notifyAll();
        }
    }

    /** Records handed to this buffer so far, counting skipped ones: the index of the next record to read. */
    long nextIndex() {
        synchronized (budget) {
            return skip + produced;
        }
    }

    /** Producer side. Returns false when the buffer was cancelled. */
    boolean put(AuditRecord r) throws InterruptedException {
        long n = sizeOf(r);
        synchronized (budget) {
            while (end == End.NONE && (head ? bytes >= budget.headCap() : !budget.fits(n))) {
                budget.awaitChange();
            }
            if (end != End.NONE) {
                return false;
            }
            budget.take(n);
            bytes += n;
            produced++;
            queue.addLast(r);
            budget.signalChange();
            return true;
        }
    }

    void finish(End how, String why, RuntimeException error) {
        synchronized (budget) {
            if (end == End.NONE) {
                end = how;
                reason = why;
                failure = error;
            }
            budget.signalChange();
        }
    }

    /** Marker returned by {@link #take(long)} when nothing arrived in time. */
    static final AuditRecord NOTHING_YET = AuditRecord.notARecord("", "nothing yet");

    /** Consumer side: the next record, or {@code null} once the fetch ended and the buffer is drained. */
    AuditRecord take() throws InterruptedException {
        return take(Long.MAX_VALUE);
    }

    /**
     * Consumer side: the next record; {@code null} once the fetch ended and the buffer is drained; or
     * {@link #NOTHING_YET} when nothing arrived within {@code maxWaitMillis}.
     */
    AuditRecord take(long maxWaitMillis) throws InterruptedException {
        synchronized (budget) {
            long deadline = maxWaitMillis == Long.MAX_VALUE ? Long.MAX_VALUE
                    : System.nanoTime() + maxWaitMillis * 1_000_000L;
            while (queue.isEmpty() && end == End.NONE) {
                if (deadline != Long.MAX_VALUE) {
                    long left = (deadline - System.nanoTime()) / 1_000_000L;
                    if (left <= 0) {
                        return NOTHING_YET;
                    }
                    budget.awaitChange(left);
                } else {
                    budget.awaitChange();
                }
            }
            AuditRecord r = queue.pollFirst();
            if (r != null) {
                long n = sizeOf(r);
                bytes -= n;
                budget.give(n);
                budget.signalChange();
            }
            return r;
        }
    }

    /** Releases buffered bytes and stops the producer. */
    void cancel() {
        synchronized (budget) {
            if (end == End.NONE) {
                end = End.CANCELLED;
            }
            budget.give(bytes);
            bytes = 0;
            queue.clear();
            budget.signalChange();
        }
    }

    End end() {
        synchronized (budget) {
            return end;
        }
    }

    String reason() {
        synchronized (budget) {
            return reason;
        }
    }

    RuntimeException failure() {
        synchronized (budget) {
            return failure;
        }
    }
}
