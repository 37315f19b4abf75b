package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.cursor.StreamId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The budget's side of {@code poll()}: the records it hands over leave their stream's hold in the memory budget,
 * at once or, when the caller keeps them charged ({@link CollectionEngine#releaseOnlyWhenReleased()}), when the
 * caller releases them. Released bytes are gathered per stream and handed to the budget in batches (at
 * {@link #RELEASE_BATCH_BYTES}, and at every {@code poll()}), so the budget's lock is not taken for every record.
 */
final class PolledBytes {
    /** Released bytes are handed to the budget once this many have gathered for a stream (or at the next poll). */
    static final long RELEASE_BATCH_BYTES = 256 * 1024;

    private final MemoryBudget.Account budget;
    private final Map<StreamId, MemoryBudget.StreamHold> holds = new HashMap<>();
    /** Bytes released and not handed to the budget yet, per stream. */
    private final Map<StreamId, AtomicLong> released = new HashMap<>();

    PolledBytes(MemoryBudget.Account budget, List<StreamId> streams) {
        this.budget = budget;
        for (StreamId s : streams) {
            holds.put(s, new MemoryBudget.StreamHold());
            released.put(s, new AtomicLong());
        }
    }

    /** What {@code stream} holds in the budget outside read-ahead. */
    MemoryBudget.StreamHold holdOf(StreamId stream) {
        return holds.get(stream);
    }

    /** The bytes {@code e} holds in the budget (0 for emissions without a record). */
    static long charged(Emission e) {
        AuditRecord r = record(e);
        return r == null ? 0 : BlobBuffer.sizeOf(r);
    }

    private static AuditRecord record(Emission e) {
        return e instanceof Emission.Event ev ? ev.record() : e instanceof Emission.Skip sk ? sk.record() : null;
    }

    /** The records of {@code batch} leave the budget: they are the caller's now. */
    void handedOver(List<Emission> batch) {
        ReentrantLock lock = budget.budget().lock;
        lock.lock();
        try {
            MemoryBudget.StreamHold hold = null;
            long n = 0;
            for (Emission e : batch) {
                AuditRecord r = record(e);
                if (r == null) {
                    continue;
                }
                MemoryBudget.StreamHold h = holds.get(e.stream());
                if (h != hold) {
                    budget.release(n, hold);
                    hold = h;
                    n = 0;
                }
                n += BlobBuffer.sizeOf(r);
            }
            budget.release(n, hold);
        } finally {
            lock.unlock();
        }
    }

    /** Returns {@code bytes} of {@code stream}'s polled records to the budget, in batches. Any thread. */
    void release(StreamId stream, long bytes) {
        if (bytes <= 0) {
            return;
        }
        AtomicLong acked = released.get(stream);
        if (acked.addAndGet(bytes) >= RELEASE_BATCH_BYTES) {
            flush(stream, acked);
        }
    }

    /** Hands every stream's released bytes to the budget. */
    void flush() {
        for (Map.Entry<StreamId, AtomicLong> e : released.entrySet()) {
            if (e.getValue().get() > 0) {
                flush(e.getKey(), e.getValue());
            }
        }
    }

    private void flush(StreamId stream, AtomicLong acked) {
        long n = acked.getAndSet(0);
        if (n <= 0) {
            return;
        }
        ReentrantLock lock = budget.budget().lock;
        lock.lock();
        try {
            budget.release(n, holds.get(stream));
        } finally {
            lock.unlock();
        }
    }
}
