package io.github.auditlake.o365.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

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
            long inWindow = arrivals.stream()
                    .filter(a -> !a.isBefore(start) && a.isBefore(start.plusSeconds(60)))
                    .count();
            assertTrue(inWindow <= 10, "service window at " + start + " saw " + inWindow);
        }
    }

    @Test
    void pacesGrantsWithAtMostOneSecondsWorthOfBurst() throws Exception {
        FakeTime t = new FakeTime(Instant.parse("2024-03-01T00:00:00Z"));
        RequestLimiter limiter = new RequestLimiter(620, t, t, true);
        for (int i = 0; i < 10; i++) {
            limiter.acquire(); // the burst: 620 / 62 s = 10 per second
        }
        assertTrue(t.sleeps.isEmpty());
        limiter.acquire();
        assertEquals(List.of(Duration.ofMillis(100)), t.sleeps, "then one grant every 100 ms");
    }

    @Test
    void aRestartedLimiterAndItsPredecessorTogetherStayWithinTheBudget() throws Exception {
        FakeTime t = new FakeTime(Instant.parse("2024-03-01T00:00:00Z"));
        List<Instant> grants = new ArrayList<>();
        RequestLimiter first = new RequestLimiter(120, t, t);
        for (int i = 0; i < 500; i++) {
            first.acquire();
            grants.add(t.instant());
        }
        // the task crashes right after a grant; its successor starts at once with a fresh limiter
        RequestLimiter second = new RequestLimiter(120, t, t);
        for (int i = 0; i < 300; i++) {
            second.acquire();
            grants.add(t.instant());
        }
        for (Instant start : grants) {
            long n = grants.stream()
                    .filter(g -> !g.isBefore(start) && g.isBefore(start.plusSeconds(61)))
                    .count();
            assertTrue(n <= 120, "61 s from " + start + " held " + n + " grants");
        }
    }

    /**
     * A restarted task's limiter starts with no burst credit: its first grant waits one pacing interval. With a budget
     * whose burst is 100 grants, a successor that started with the burst would put 100 grants too many into the
     * window that also holds its predecessor's last burst.
     */
    @Test
    void aRestartedLimiterStartsWithNoBurstCreditSoItAndItsPredecessorStayWithinALargeBudget() throws Exception {
        FakeTime t = new FakeTime(Instant.parse("2024-03-01T00:00:00Z"));
        List<Instant> grants = new ArrayList<>();
        RequestLimiter first = new RequestLimiter(6200, t, t, true); // burst: 6200 / 62 s = 100
        for (int i = 0; i < 100; i++) {
            first.acquire();
            grants.add(t.instant());
        }
        RequestLimiter second = new RequestLimiter(6200, t, t);
        int sleptBefore = t.sleeps.size();
        second.acquire();
        grants.add(t.instant());
        assertEquals(
                List.of(Duration.ofMillis(10)),
                t.sleeps.subList(sleptBefore, t.sleeps.size()),
                "the successor's first grant waits one pacing interval (62 s / 6200)");
        for (int i = 0; i < 7000; i++) {
            second.acquire();
            grants.add(t.instant());
        }
        int from = 0;
        for (int to = 0; to < grants.size(); to++) { // grants are in time order: a sliding 61-second window
            while (!grants.get(from).plusSeconds(61).isAfter(grants.get(to))) {
                from++;
            }
            int n = to - from + 1;
            assertTrue(n <= 6200, "61 s from " + grants.get(from) + " held " + n + " grants");
        }
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
        assertThrows(
                IllegalArgumentException.class,
                () -> new RequestLimiter(0, new FakeTime(Instant.EPOCH), Sleeper.SYSTEM));
    }
}
