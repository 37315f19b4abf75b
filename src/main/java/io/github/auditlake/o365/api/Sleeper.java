package io.github.auditlake.o365.api;

import java.time.Duration;

/** Waits for a duration; injected so tests never really wait. Implementations must be interruptible. */
@FunctionalInterface
public interface Sleeper {
    Sleeper SYSTEM = d -> {
        if (!d.isNegative() && !d.isZero()) {
            Thread.sleep(d.toMillis(), (int) (d.toNanosPart() % 1_000_000));
        }
    };

    void sleep(Duration duration) throws InterruptedException;
}
