package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.ContentBlob;
import java.util.ArrayDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Records of one blob fetched ahead of emission. Its bytes count in the engine's {@link MemoryBudget.Account}: as
 * read-ahead while the buffer waits behind its stream's head, as the stream's own once it is the head. A buffer
 * whose records do not fit waits (the head of a stream holding nothing never waits: it may always take one record,
 * so every stream progresses). Records taken out stay charged to the stream until {@code poll()} hands them over.
 *
 * <p>A buffer for a blob ahead of its stream's head holds one of the engine's read-ahead slots
 * ({@link #readAhead}); it gives the slot back, once, when it becomes the head or is cancelled.
 */
final class BlobBuffer implements BlobSink {
    final ContentBlob blob;
    /** The last delivered record's Id (checked when resuming inside the blob), or null. */
    final String expectLastId;

    private long skip;
    private final MemoryBudget.Account account;
    private final MemoryBudget.StreamHold stream;
    private final ReentrantLock lock;
    private final Condition space;
    private final Condition data;
    private final ArrayDeque<AuditRecord> queue = new ArrayDeque<>();
    private long bytes;
    private boolean head;
    private End end = End.NONE;
    private String reason;
    private RuntimeException failure;
    private long produced;
    /** The slots this buffer took one of (null: it was its stream's current blob from the start). */
    private final Semaphore readAheadSlots;
    /** True while it holds its read-ahead slot. */
    private final AtomicBoolean holdsSlot;

    /** A buffer for its stream's current blob: it needs no read-ahead slot. */
    BlobBuffer(
            ContentBlob blob,
            long skip,
            String expectLastId,
            MemoryBudget.Account account,
            MemoryBudget.StreamHold stream) {
        this(blob, skip, expectLastId, account, stream, null);
    }

    private BlobBuffer(
            ContentBlob blob,
            long skip,
            String expectLastId,
            MemoryBudget.Account account,
            MemoryBudget.StreamHold stream,
            Semaphore readAheadSlots) {
        this.readAheadSlots = readAheadSlots;
        this.holdsSlot = new AtomicBoolean(readAheadSlots != null);
        this.blob = blob;
        this.skip = skip;
        this.expectLastId = expectLastId;
        this.account = account;
        this.stream = stream;
        this.lock = account.budget().lock;
        this.space = lock.newCondition();
        this.data = lock.newCondition();
    }

    /**
     * A buffer for a blob ahead of its stream's current one, holding one of {@code slots} until it becomes the head
     * or is cancelled; null when no slot is free.
     */
    static BlobBuffer readAhead(
            ContentBlob blob,
            long skip,
            String expectLastId,
            MemoryBudget.Account account,
            MemoryBudget.StreamHold stream,
            Semaphore slots) {
        return slots.tryAcquire() ? new BlobBuffer(blob, skip, expectLastId, account, stream, slots) : null;
    }

    /** Gives the read-ahead slot back: the one place it is released, and only the first call does. */
    private void releaseReadAheadSlot() {
        if (holdsSlot.compareAndSet(true, false)) {
            readAheadSlots.release();
        }
    }

    /** Index of the first record this buffer hands out. */
    long skip() {
        lock.lock();
        try {
            return skip;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The blob is not the one a restart expected (the record before the resume point has another Id): deliver it
     * from its first record again. Only before any record was buffered.
     */
    @Override
    public void rewind() {
        lock.lock();
        try {
            if (produced != 0) {
                throw new IllegalStateException("records were already buffered");
            }
            skip = 0;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Approximate heap bytes of a record from its fetch until it is released: its text, the copy the converter and
     * producer make of it, and the objects around them.
     */
    static long sizeOf(AuditRecord r) {
        return 3L * r.textLength() + 256;
    }

    /** The blob becomes its stream's current one: its bytes count as the stream's, its slot goes to another blob. */
    void makeHead() {
        releaseReadAheadSlot();
        lock.lock();
        try {
            if (!head) {
                head = true;
                account.promote(bytes, stream);
            }
            space.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Records handed to this buffer so far, counting skipped ones: the index of the next record to read. */
    @Override
    public long nextIndex() {
        lock.lock();
        try {
            return skip + produced;
        } finally {
            lock.unlock();
        }
    }

    /** Producer side. Returns false when the buffer was cancelled. */
    @Override
    public boolean put(AuditRecord r) throws InterruptedException {
        long n = sizeOf(r);
        lock.lock();
        try {
            while (end == End.NONE && !account.closed() && !account.fits(n, head ? stream : null)) {
                account.awaitSpace(space, Long.MAX_VALUE);
            }
            if (end != End.NONE || account.closed()) {
                return false;
            }
            account.charge(n, head ? stream : null);
            bytes += n;
            produced++;
            queue.addLast(r);
            data.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void finish(End how, String why, RuntimeException error) {
        lock.lock();
        try {
            if (end == End.NONE) {
                end = how;
                reason = why;
                failure = error;
            }
            data.signalAll();
            space.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Marker returned by {@link #take(long)} when nothing arrived in time. */
    static final AuditRecord NOTHING_YET = AuditRecord.notARecord("", "nothing yet");

    /**
     * Consumer side (the stream's head only): the next record; {@code null} once the fetch ended and the buffer is
     * drained; or {@link #NOTHING_YET} when nothing arrived within {@code maxWaitMillis}. The record stays charged
     * to the stream until {@code poll()} hands it over (or the stream releases it).
     */
    AuditRecord take(long maxWaitMillis) throws InterruptedException {
        lock.lock();
        try {
            long left = maxWaitMillis == Long.MAX_VALUE ? Long.MAX_VALUE : maxWaitMillis * 1_000_000L;
            while (queue.isEmpty() && end == End.NONE) {
                if (left == Long.MAX_VALUE) {
                    data.await();
                } else {
                    if (left <= 0) {
                        return NOTHING_YET;
                    }
                    left = data.awaitNanos(left);
                }
            }
            AuditRecord r = queue.pollFirst();
            if (r != null) {
                long n = sizeOf(r);
                bytes -= n;
                stream.holdBack(n); // the stream holds it back until the next record or the end of the blob
                space.signal(); // a head may take its one record now (cheap when nobody waits)
            } else {
                stream.holdBack(0);
            }
            return r;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The stream took {@code r} from this buffer (its head) but will not emit it (the blob failed or the stream
     * stops): its bytes leave the stream's hold.
     */
    void drop(AuditRecord r) {
        lock.lock();
        try {
            account.release(sizeOf(r), stream);
        } finally {
            lock.unlock();
        }
    }

    /** Releases buffered bytes and the read-ahead slot, and stops the producer. Any number of times. */
    void cancel() {
        releaseReadAheadSlot();
        lock.lock();
        try {
            if (end == End.NONE) {
                end = End.CANCELLED;
            }
            account.release(bytes, head ? stream : null);
            bytes = 0;
            queue.clear();
            data.signalAll();
            space.signalAll();
        } finally {
            lock.unlock();
        }
    }

    End end() {
        lock.lock();
        try {
            return end;
        } finally {
            lock.unlock();
        }
    }

    String reason() {
        lock.lock();
        try {
            return reason;
        } finally {
            lock.unlock();
        }
    }

    RuntimeException failure() {
        lock.lock();
        try {
            return failure;
        } finally {
            lock.unlock();
        }
    }
}
