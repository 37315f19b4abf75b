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
    enum End { NONE, COMPLETE, VANISHED, ABANDONED, FAILED, CANCELLED }

    final ContentBlob blob;
    final long skip;
    private final ByteBudget budget;
    private final ArrayDeque<AuditRecord> queue = new ArrayDeque<>();
    private long bytes;
    private boolean head;
    private End end = End.NONE;
    private String reason;
    private RuntimeException failure;
    private long produced;

    BlobBuffer(ContentBlob blob, long skip, ByteBudget budget) {
        this.blob = blob;
        this.skip = skip;
        this.budget = budget;
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

    /** Consumer side: the next record, or {@code null} once the fetch ended and the buffer is drained. */
    AuditRecord take() throws InterruptedException {
        synchronized (budget) {
            while (queue.isEmpty() && end == End.NONE) {
                budget.awaitChange();
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
