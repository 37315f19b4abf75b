package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * One thread that hands waiting streams back to the stream threads when their wait is over, so a caught-up stream
 * holds no thread between its listings. It waits with the engine's {@link Sleeper} and reads the engine's
 * {@link Clock}, so tests with simulated time drive it as they drove the streams' own sleeps. A wait that ends earlier
 * than the one it is sleeping for wakes it (an interrupt of its own thread, never of a stream's).
 */
final class StreamTimer implements Runnable {
    private record Due(long at, long seq, Runnable turn, String why) {}

    private final Clock clock;
    private final Sleeper sleeper;
    private final Consumer<Runnable> resume;
    private final PriorityQueue<Due> queue =
            new PriorityQueue<>(Comparator.comparingLong(Due::at).thenComparingLong(Due::seq));
    private long seq;
    /** The wake-up time of the sleep in progress, or {@link Long#MAX_VALUE}; guarded by {@code this}. */
    private long sleepingUntil = Long.MAX_VALUE;

    private volatile boolean closed;
    private volatile Thread thread;

    /** @param resume runs a turn on a stream thread */
    StreamTimer(Clock clock, Sleeper sleeper, Consumer<Runnable> resume) {
        this.clock = clock;
        this.sleeper = sleeper;
        this.resume = resume;
    }

    /** Hands {@code turn} to the stream threads once {@code wait} has passed on the engine's clock. Any thread. */
    void after(Duration wait, Runnable turn, String why) {
        long at = clock.millis() + Math.max(0, wait.toMillis());
        synchronized (this) {
            queue.add(new Due(at, seq++, turn, why));
            if (at < sleepingUntil && sleepingUntil != Long.MAX_VALUE) {
                Thread t = thread;
                if (t != null) {
                    t.interrupt(); // sleeping for a later wake-up: wake up and sleep again for this one
                }
            }
            notifyAll();
        }
    }

    /** How many streams are waiting. */
    synchronized int waiting() {
        return queue.size();
    }

    /** When the earliest waiting stream is due (the engine's clock, in ms), or {@link Long#MAX_VALUE} if none waits. */
    synchronized long nextDueMillis() {
        Due d = queue.peek();
        return d == null ? Long.MAX_VALUE : d.at();
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        List<Due> ready = new ArrayList<>();
        while (!closed) {
            Thread.interrupted(); // a wake-up for an earlier wait, already seen: the queue is read below
            Due next = null;
            long now;
            synchronized (this) {
                while (!closed && queue.isEmpty()) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        // closed, or a wake-up: the loop condition decides
                    }
                }
                if (closed) {
                    return;
                }
                now = clock.millis();
                while (!queue.isEmpty() && queue.peek().at() <= now) {
                    ready.add(queue.poll());
                }
                if (ready.isEmpty()) {
                    next = queue.peek();
                    sleepingUntil = next.at();
                }
            }
            for (Due d : ready) {
                resume.accept(d.turn());
            }
            ready.clear();
            if (next != null) {
                try {
                    sleeper.sleep(Duration.ofMillis(next.at() - now), next.why());
                } catch (InterruptedException e) {
                    // closed, or an earlier wake-up arrived
                } finally {
                    synchronized (this) {
                        sleepingUntil = Long.MAX_VALUE;
                    }
                }
            }
        }
    }

    /** Stops the thread; waiting streams are dropped (the engine is closing). */
    void close() {
        closed = true;
        synchronized (this) {
            queue.clear();
            notifyAll();
        }
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }
}
