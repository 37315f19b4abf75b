package io.github.auditlake.o365.api;

import java.time.Duration;

/** Waits; injectable so tests never really sleep. */
@FunctionalInterface
public interface Sleeper {
    /** The real thing: {@link Thread#sleep(long)}. */
    Sleeper SYSTEM = d -> {
        if (!d.isNegative() && !d.isZero()) {
            Thread.sleep(d.toMillis(), (int) (d.toNanosPart() % 1_000_000));
        }
    };

    void sleep(Duration duration) throws InterruptedException;

    /**
     * Waits, saying what for: a front end that shows its waits (the CLI) overrides this; the default just sleeps.
     *
     * @param why what the wait is for, in plain words (a failure's classified message, the request budget), never a
     *     secret
     */
    default void sleep(Duration duration, String why) throws InterruptedException {
        sleep(duration);
    }
}
