package io.github.auditlake.o365.simulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A controllable UTC clock for the simulator. By default it follows the system clock; once {@link #set} or
 * {@link #advance} is called (or it was created {@link #fixed}), it stands still except when moved. Thread-safe.
 *
 * <pre>{@code
 * SimClock clock = SimClock.fixed(Instant.parse("2024-03-01T12:00:00Z"));
 * clock.advance(Duration.ofDays(2));   // tokens expire, new blobs become visible
 * }</pre>
 */
public final class SimClock extends Clock {

    /** null = follow the system clock plus {@code offset}. */
    private final AtomicReference<Instant> fixedAt;

    private volatile Duration offset = Duration.ZERO;
    private final List<Consumer<Instant>> listeners = new CopyOnWriteArrayList<>();

    private SimClock(Instant fixedAt) {
        this.fixedAt = new AtomicReference<>(fixedAt);
    }

    /** Follows the system UTC clock until moved with {@link #advance} (which then shifts it by an offset). */
    public static SimClock system() {
        return new SimClock(null);
    }

    /** A clock that stands still at {@code instant} until moved. */
    public static SimClock fixed(Instant instant) {
        return new SimClock(instant);
    }

    /** Moves the clock forward (or backward with a negative duration). */
    public void advance(Duration d) {
        if (fixedAt.get() == null) {
            synchronized (this) {
                offset = offset.plus(d);
            }
        } else {
            fixedAt.updateAndGet(i -> i.plus(d));
        }
        fire();
    }

    /** Pins the clock at {@code instant}; it stands still from now on. */
    public void set(Instant instant) {
        fixedAt.set(instant);
        fire();
    }

    /**
     * Runs {@code listener} with the new time after every {@link #advance} / {@link #set}, on the caller's thread
     * (used by the simulator's {@code autoNotify} to deliver webhook notifications).
     */
    public void onChange(Consumer<Instant> listener) {
        listeners.add(listener);
    }

    /** Removes a listener added with {@link #onChange}. */
    public void removeListener(Consumer<Instant> listener) {
        listeners.remove(listener);
    }

    private void fire() {
        Instant now = instant();
        for (Consumer<Instant> l : listeners) {
            l.accept(now);
        }
    }

    @Override
    public Instant instant() {
        Instant f = fixedAt.get();
        return f != null ? f : Instant.now().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (ZoneOffset.UTC.equals(zone)) {
            return this;
        }
        throw new UnsupportedOperationException("SimClock is UTC only");
    }
}
