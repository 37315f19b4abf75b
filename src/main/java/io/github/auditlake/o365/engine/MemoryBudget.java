package io.github.auditlake.o365.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The heap budget for records fetched ahead, shared by every engine (task) of the JVM that uses the same instance:
 * read-ahead buffers, each stream's head blob and the records waiting for {@code poll()} all count, until
 * {@link CollectionEngine#poll} hands them over or, with {@link CollectionEngine#releaseOnlyWhenReleased()}, until
 * {@link CollectionEngine#release} (the Connect task: when the broker acknowledged them).
 *
 * <p>Rules (all under one lock):
 * <ul>
 *   <li><b>Fair shares.</b> Each active engine (one holding bytes or waiting for them) may hold up to
 *       {@code max / active engines}; a busy task cannot take the whole budget while another one waits.</li>
 *   <li><b>Read-ahead is second.</b> Blobs fetched ahead of a stream's head may use at most half of their engine's
 *       share, so the heads and the records waiting for {@code poll()} always have the other half.</li>
 *   <li><b>Progress.</b> A stream's head holding nothing, with none of the stream's records waiting for
 *       {@code poll()}, may always take one record, even when the budget is spent: every stream progresses,
 *       whatever the others hold. (The one record a stream holds back until it sees the next does not count.) The
 *       budget can therefore be exceeded by at most two records per stream.</li>
 * </ul>
 *
 * <p>{@link #workerWide(long)} is the instance all tasks of a Connect worker share (one per class loader: every
 * task of this plugin in a worker uses the plugin's class loader). Tests and the CLI create their own.
 */
public final class MemoryBudget {
    private static MemoryBudget workerWide;

    final ReentrantLock lock = new ReentrantLock();
    private final List<Condition> blocked = new ArrayList<>();
    private long max;
    private long used;
    private int active;

    public MemoryBudget(long maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be >= 1");
        }
        this.max = maxBytes;
    }

    /**
     * The JVM-wide budget. The first call creates it with {@code maxBytes}; a later call with a larger value
     * raises it (the largest value any task of the worker was started with applies); a smaller one leaves it.
     */
    public static synchronized MemoryBudget workerWide(long maxBytes) {
        if (workerWide == null) {
            workerWide = new MemoryBudget(maxBytes);
        } else {
            workerWide.raiseTo(maxBytes);
        }
        return workerWide;
    }

    void raiseTo(long maxBytes) {
        lock.lock();
        try {
            if (maxBytes > max) {
                max = maxBytes;
                wakeBlocked();
            }
        } finally {
            lock.unlock();
        }
    }

    public long maxBytes() {
        lock.lock();
        try {
            return max;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes charged right now, all engines together. */
    public long usedBytes() {
        lock.lock();
        try {
            return used;
        } finally {
            lock.unlock();
        }
    }

    /** Engines holding bytes or waiting for them. */
    int activeEngines() {
        lock.lock();
        try {
            return active;
        } finally {
            lock.unlock();
        }
    }

    /** A new engine's account. */
    Account open() {
        return new Account();
    }

    // ---- the following require the lock

    private long share() {
        return max / Math.max(1, active);
    }

    private void wakeBlocked() {
        for (Condition c : blocked) {
            c.signalAll();
        }
    }

    /** The bytes one stream holds outside read-ahead: its head blob's, the record it holds back, its records
     *  waiting for {@code poll()}. Changed under the budget's lock. */
    static final class StreamHold {
        private long held;
        /** Of {@code held}: the record the stream took last and holds back until the next one (or the blob's end). */
        private long heldBack;

        /** Lock held: the stream now holds back a record of {@code n} bytes (0: none). */
        void holdBack(long n) {
            heldBack = n;
        }

        long held() {
            return held;
        }
    }

    /** One engine's bytes in the budget; closing it returns them all. */
    final class Account {
        private long held;
        private long readAhead;
        private int waiters;
        private boolean closed;

        MemoryBudget budget() {
            return MemoryBudget.this;
        }

        private boolean isActive() {
            return held > 0 || waiters > 0;
        }

        private void changed(boolean wasActive) {
            boolean now = isActive();
            if (wasActive != now) {
                active += now ? 1 : -1;
                if (!now) {
                    wakeBlocked(); // the others' shares grew
                }
            }
        }

        /**
         * Lock held. Whether {@code n} more bytes fit, for a stream's head ({@code head} non-null) or for read-ahead
         * ({@code head} null).
         */
        boolean fits(long n, StreamHold head) {
            if (head != null && head.held - head.heldBack <= 0) {
                return true;
            }
            long share = share();
            if (held + n > share || used + n > max) {
                return false;
            }
            return head != null || readAhead + n <= share / 2;
        }

        /** Lock held: charges {@code n} bytes to a stream's head ({@code head} non-null) or to read-ahead. */
        void charge(long n, StreamHold head) {
            if (closed) {
                return;
            }
            boolean was = isActive();
            held += n;
            used += n;
            if (head != null) {
                head.held += n;
            } else {
                readAhead += n;
            }
            changed(was);
        }

        /** Lock held: a read-ahead buffer became its stream's head. */
        void promote(long n, StreamHold head) {
            if (closed) {
                return;
            }
            readAhead -= n;
            head.held += n;
            wakeBlocked(); // read-ahead room grew
        }

        /** Lock held: bytes handed to {@code poll()} or dropped, from a stream ({@code from} non-null) or read-ahead. */
        void release(long n, StreamHold from) {
            if (closed || n == 0) {
                return;
            }
            boolean was = isActive();
            held -= n;
            used -= n;
            if (from != null) {
                from.held -= n;
            } else {
                readAhead -= n;
            }
            changed(was);
            wakeBlocked();
        }

        /**
         * Lock held: waits on {@code c} until signalled or {@code nanos} passed (Long.MAX_VALUE: no limit); counts
         * as demand for a share meanwhile. Returns the nanos left.
         */
        long awaitSpace(Condition c, long nanos) throws InterruptedException {
            boolean was = isActive();
            waiters++;
            changed(was);
            blocked.add(c);
            try {
                if (nanos == Long.MAX_VALUE) {
                    c.await();
                    return Long.MAX_VALUE;
                }
                return c.awaitNanos(nanos);
            } finally {
                blocked.remove(c);
                was = isActive();
                waiters--;
                changed(was);
            }
        }

        /** Lock held. */
        boolean closed() {
            return closed;
        }

        /** Bytes this engine holds. */
        long held() {
            lock.lock();
            try {
                return held;
            } finally {
                lock.unlock();
            }
        }

        /** Returns every byte of this engine to the budget; later charges and releases are ignored. */
        void close() {
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                boolean was = isActive();
                used -= held;
                held = 0;
                readAhead = 0;
                closed = true;
                changed(was);
                wakeBlocked();
            } finally {
                lock.unlock();
            }
        }
    }
}
