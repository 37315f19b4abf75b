package io.github.auditlake.o365.engine;

/**
 * The shared monitor and byte counter of all {@link BlobBuffer}s of an engine. Methods other than the
 * constructor must be called while holding this object's monitor.
 */
final class ByteBudget {
    private final long max;
    private final long headCap;
    private long used;
    private int waiters;

    ByteBudget(long max) {
        this.max = max;
        this.headCap = Math.max(64 * 1024, max / 4);
    }

    long headCap() {
        return headCap;
    }

    boolean fits(long n) {
        return used == 0 || used + n <= max;
    }

    void take(long n) {
        used += n;
    }

    void give(long n) {
        used -= n;
    }

    synchronized long used() {
        return used;
    }

    void awaitChange() throws InterruptedException {
        waiters++;
        try {
            wait();
        } finally {
            waiters--;
        }
    }

    void awaitChange(long maxMillis) throws InterruptedException {
        waiters++;
        try {
            wait(Math.max(1, maxMillis));
        } finally {
            waiters--;
        }
    }

    void signalChange() {
        if (waiters > 0) {
            notifyAll();
        }
    }
}
