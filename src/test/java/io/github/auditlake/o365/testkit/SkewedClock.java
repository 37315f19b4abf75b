package io.github.auditlake.o365.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A worker's wall clock: another clock (the true time) plus an offset a test sets or jumps. */
public final class SkewedClock extends Clock {
    private final Clock truth;
    private final AtomicLong offsetMillis = new AtomicLong();

    public SkewedClock(Clock truth, Duration offset) {
        this.truth = truth;
        this.offsetMillis.set(offset.toMillis());
    }

    /** Moves this clock by {@code d} (a jump of the worker's clock), the true time unchanged. */
    public void jump(Duration d) {
        offsetMillis.addAndGet(d.toMillis());
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
        return truth.instant().plusMillis(offsetMillis.get());
    }
}
