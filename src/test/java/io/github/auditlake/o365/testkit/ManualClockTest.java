package io.github.auditlake.o365.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.Sleeper;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ManualClockTest {
    static final Instant T0 = Instant.parse("2026-11-20T12:00:00Z");

    /** The documented hazard of sleeper(): another thread's sleep moves the time this thread sees. */
    @Test
    void aSleepInAnyThreadAdvancesTheSharedClock() throws Exception {
        ManualClock clock = new ManualClock(T0);
        Sleeper s = clock.sleeper();
        CompletableFuture.runAsync(() -> {
                    try {
                        s.sleep(Duration.ofHours(1));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                })
                .get(30, TimeUnit.SECONDS);
        assertEquals(T0.plus(Duration.ofHours(1)), clock.instant());
    }

    /** waitingSleeper(): a sleeper wakes exactly when the test has advanced the clock past its wake-up time. */
    @Test
    void aWaitingSleeperWakesOnlyWhenTheTestAdvancesTheClock() throws Exception {
        ManualClock clock = new ManualClock(T0);
        Sleeper s = clock.waitingSleeper();
        CompletableFuture<Instant> woke = CompletableFuture.supplyAsync(() -> {
            try {
                s.sleep(Duration.ofMinutes(10));
                return clock.instant();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        });
        Await.until(Duration.ofSeconds(30), () -> clock.sleepers() == 1, () -> "the thread is asleep");

        clock.advance(Duration.ofMinutes(9));
        assertEquals(1, clock.sleepers(), "still asleep after 9 of 10 minutes");
        assertTrue(!woke.isDone());
        assertEquals(T0.plus(Duration.ofMinutes(9)), clock.instant(), "sleeping did not move the clock");

        clock.advance(Duration.ofMinutes(1));
        assertEquals(T0.plus(Duration.ofMinutes(10)), woke.get(30, TimeUnit.SECONDS));
        assertEquals(0, clock.sleepers());
    }
}
