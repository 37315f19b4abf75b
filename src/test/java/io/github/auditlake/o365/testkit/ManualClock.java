package io.github.auditlake.o365.testkit;

import io.github.auditlake.o365.api.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock tests move by hand; its {@link #sleeper()} advances it instead of waiting. Thread-safe. */
public class ManualClock extends Clock {
    private final AtomicLong millis;

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
    }

    /** Sleeping advances this clock; it yields so other threads progress, and honours interruption. */
    public Sleeper sleeper() {
        return d -> {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            advance(d);
            Thread.yield();
        };
    }
}
