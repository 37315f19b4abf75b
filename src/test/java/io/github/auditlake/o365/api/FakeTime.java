package io.github.auditlake.o365.api;

import io.github.auditlake.o365.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A manual clock plus a sleeper that advances it (and records every sleep). */
public final class FakeTime extends ManualClock implements Sleeper {
    public final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    public FakeTime(Instant start) {
        super(start);
    }

    @Override
    public void sleep(Duration d) {
        sleeps.add(d);
        advance(d);
    }
}
