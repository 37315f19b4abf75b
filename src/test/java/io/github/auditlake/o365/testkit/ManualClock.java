package io.github.auditlake.o365.testkit;

import io.github.auditlake.o365.api.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock tests move by hand. Thread-safe. Two ways for code under test to sleep on it:
 * <ul>
 *   <li>{@link #sleeper()}: sleeping <em>advances</em> the clock, whichever thread sleeps. Simple, and fast for
 *       simulating days (the engine tests use it), but with several threads the timeline depends on thread
 *       scheduling: a background thread's sleep moves the time every other thread sees, and two threads sleeping
 *       at once add their sleeps up. Assert on outcomes (every record delivered once), never on the exact instant
 *       something happened.</li>
 *   <li>{@link #waitingSleeper()}: sleeping <em>waits</em> until the clock reaches the wake-up time; only
 *       {@link #advance} moves time. The timeline is then the test's alone and does not depend on scheduling: a
 *       test waits for the code to be asleep ({@link #sleepers()}), advances, and sees exactly who woke.</li>
 * </ul>
 */
public class ManualClock extends Clock {
    private final AtomicLong millis;
    private final Object wake = new Object();
    private int sleepers;

    public ManualClock(Instant start) {
        this.millis = new AtomicLong(start.toEpochMilli());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    public void advance(Duration d) {
        millis.addAndGet(d.toMillis());
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /**
     * Sleeping advances this clock by the sleep, in whichever thread sleeps (see the class comment for what that
     * means with several threads); it yields so other threads progress, and honours interruption.
     */
    public Sleeper sleeper() {
        return d -> {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            advance(d);
            Thread.yield();
        };
    }

    /**
     * Sleeping waits (interruptibly, without spending real time on its own) until {@link #advance} has moved this
     * clock to the sleeper's wake-up time: a per-test deterministic timeline.
     */
    public Sleeper waitingSleeper() {
        return d -> {
            long until = millis.get() + Math.max(0, d.toMillis());
            synchronized (wake) {
                sleepers++;
                try {
                    while (millis.get() < until) {
                        wake.wait();
                    }
                } finally {
                    sleepers--;
                }
            }
        };
    }

    /** How many threads are asleep in a {@link #waitingSleeper()} right now. */
    public int sleepers() {
        synchronized (wake) {
            return sleepers;
        }
    }
}
