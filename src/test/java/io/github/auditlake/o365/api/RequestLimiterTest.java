package io.github.auditlake.o365.api;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestLimiterTest {

    @Test
    void neverMoreThanBudgetInAnySixtySecondWindow() throws Exception {
        FakeTime t = new FakeTime(Instant.parse("2024-03-01T00:00:00Z"));
        RequestLimiter limiter = new RequestLimiter(10, t, t);
        List<Instant> grants = new ArrayList<>();
        Random r = new Random(7);
        for (int i = 0; i < 200; i++) {
            limiter.acquire();
            grants.add(t.instant());
            t.advance(Duration.ofMillis(r.nextInt(4000)));
        }
        for (int i = 0; i < grants.size(); i++) {
            Instant windowEnd = grants.get(i).plusSeconds(60);
            int inWindow = 0;
            for (Instant g : grants) {
                if (!g.isBefore(grants.get(i)) && g.isBefore(windowEnd)) {
                    inWindow++;
                }
            }
            assertTrue(inWindow <= 10, "window starting at " + grants.get(i) + " had " + inWindow);
        }
        assertTrue(!t.sleeps.isEmpty(), "the limiter should have had to wait");
    }

    @Test
    void holdsTheBudgetAsTheServiceCountsItWhenRequestsArriveUpToASecondLate() throws Exception {
        FakeTime t = new FakeTime(Instant.parse("2024-03-01T00:00:00Z"));
        RequestLimiter limiter = new RequestLimiter(10, t, t);
        List<Instant> arrivals = new ArrayList<>();
        Random r = new Random(11);
        for (int i = 0; i < 300; i++) {
            limiter.acquire();
            // the request reaches the service 0..999 ms after its grant
            arrivals.add(t.instant().plusMillis(r.nextInt(1000)));
            t.advance(Duration.ofMillis(r.nextInt(3000)));
        }
        for (Instant start : arrivals) {
            long inWindow = arrivals.stream().filter(a -> !a.isBefore(start) && a.isBefore(start.plusSeconds(60)))
                    .count();
            assertTrue(inWindow <= 10, "service window at " + start + " saw " + inWindow);
        }
    }

    @Test
    void burstUpToBudgetThenWaitsForOldestToAge() throws Exception {
        FakeTime t = new FakeTime(Instant.parse("2024-03-01T00:00:00Z"));
        RequestLimiter limiter = new RequestLimiter(3, t, t);
        limiter.acquire();
        t.advance(Duration.ofSeconds(10));
        limiter.acquire();
        limiter.acquire();
        assertTrue(t.sleeps.isEmpty());
        limiter.acquire();
        assertEquals(List.of(Duration.ofSeconds(51)), t.sleeps, "60 s window + 1 s arrival margin - 10 s");
        assertEquals(Instant.parse("2024-03-01T00:01:01Z"), t.instant());
    }

    @Test
    void interruptible() {
        FakeTime t = new FakeTime(Instant.parse("2024-03-01T00:00:00Z"));
        RequestLimiter limiter = new RequestLimiter(1, t, d -> {
            throw new InterruptedException("stop");
        });
        assertThrows(InterruptedException.class, () -> {
            limiter.acquire();
            limiter.acquire();
        });
    }

    @Test
    void rejectsZeroBudget() {
        assertThrows(IllegalArgumentException.class, () -> new RequestLimiter(0, new FakeTime(Instant.EPOCH),
                Sleeper.SYSTEM));
    }
}
