package io.github.auditlake.o365.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.testkit.ManualClock;
import io.github.auditlake.o365.testkit.SkewedClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** The service's time learned from {@code Date} headers, in simulated time: {@code truth} is the service's clock. */
class ServiceClockTest {
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final Instant YEAR_2100 = Instant.parse("2100-01-01T00:00:00Z");

    /** The true time; also the monotonic source (elapsed time is measured by it). */
    final ManualClock truth = new ManualClock(NOW);
    /** The worker's wall clock, two hours behind the service. */
    final SkewedClock worker = new SkewedClock(truth, Duration.ofHours(-2));

    final ServiceClock clock = new ServiceClock(worker, () -> truth.millis() * 1_000_000L);

    /** One answer from the true service, after {@code d} of simulated time. */
    private void answerAfter(Duration d) {
        truth.advance(d);
        clock.observe(truth.instant());
    }

    /** The service's answers over a minute: the service's time is then confirmed. */
    private void sync() {
        clock.observe(truth.instant());
        for (int i = 1; i < ServiceClock.CONFIRMATIONS; i++) {
            answerAfter(ServiceClock.CONFIRM_SPAN.dividedBy(ServiceClock.CONFIRMATIONS - 1));
        }
        assertFalse(clock.provisional());
        assertEquals(truth.instant(), clock.now());
    }

    @Test
    void followsTheServiceWhateverTheWorkersClockSays() {
        assertEquals(worker.instant(), clock.now(), "before the first answer: the local clock");
        sync();
        Instant synced = truth.instant();
        truth.advance(Duration.ofMinutes(3));
        worker.jump(Duration.ofHours(5));
        assertEquals(synced.plus(Duration.ofMinutes(3)), clock.now(), "carried by the monotonic clock");
    }

    @Test
    void aServiceAheadOfTheWorkersClockIsFollowedOnceConfirmedNeverOnOneAnswer() {
        clock.observe(NOW); // the worker's clock is 2 hours behind
        assertTrue(clock.provisional());
        assertEquals(worker.instant().plus(ServiceClock.TOLERANCE), clock.now(), "held back at the local clock");
        answerAfter(Duration.ofSeconds(30));
        assertEquals(
                worker.instant().plus(ServiceClock.TOLERANCE), clock.now(), "two answers within a minute: not yet");
        answerAfter(Duration.ofSeconds(30));
        assertFalse(clock.provisional());
        assertEquals(truth.instant(), clock.now(), "three answers over a minute: followed");
    }

    @Test
    void aServiceBehindTheWorkersClockIsFollowedAtOnce() {
        SkewedClock ahead = new SkewedClock(truth, Duration.ofHours(2));
        ServiceClock c = new ServiceClock(ahead, () -> truth.millis() * 1_000_000L);
        c.observe(NOW);
        assertFalse(c.provisional());
        assertEquals(NOW, c.now(), "holding back is always safe: windows end earlier, never past the service");
    }

    @Test
    void aDateOf2100IsIgnoredBeforeTheFirstAnswer() {
        clock.observe(YEAR_2100);
        assertEquals(worker.instant(), clock.now(), "the local clock is still used");
        assertFalse(clock.synced());
    }

    @Test
    void aDateOf2100IsIgnoredOnceSynced() {
        sync();
        clock.observe(YEAR_2100);
        assertEquals(truth.instant(), clock.now());
        answerAfter(Duration.ofMinutes(11)); // the first sample has left the window
        assertEquals(truth.instant(), clock.now());
    }

    @Test
    void aDateBeyondTheBoundIsCountedAlsoInTheMetricLinkedLater() {
        clock.observe(NOW.minus(ServiceClock.MAX_SKEW).minus(Duration.ofHours(3))); // a day behind the worker, and more
        clock.observe(YEAR_2100);
        assertEquals(2, clock.datesRejected());
        LongAdder metric = new LongAdder();
        clock.countRejectedDatesIn(metric);
        clock.countRejectedDatesIn(metric); // a second stream of the tenant links the same counter
        assertEquals(2, metric.sum(), "those ignored before the link count too, once");
        clock.observe(YEAR_2100);
        assertEquals(3, metric.sum());
        assertEquals(3, clock.datesRejected());
    }

    @Test
    void aDateInsideTheBoundIsNotCounted() {
        clock.observe(NOW.plus(ServiceClock.MAX_SKEW).minus(Duration.ofHours(3))); // 21 h ahead of the worker
        assertEquals(0, clock.datesRejected());
        assertTrue(clock.synced());
    }

    @Test
    void oneOutlierAheadInsideTheBoundDoesNotMoveTheEstimate() {
        sync();
        truth.advance(Duration.ofSeconds(20));
        clock.observe(truth.instant().plus(Duration.ofHours(5)));
        assertEquals(truth.instant(), clock.now(), "one answer five hours ahead moves nothing");
        for (int i = 0; i < 10; i++) {
            answerAfter(Duration.ofMinutes(1));
            assertEquals(truth.instant(), clock.now());
        }
    }

    @Test
    void oneOutlierBehindDoesNotMoveTheEstimateEvenWhenTheOnlyRecentAnswer() {
        sync();
        truth.advance(Duration.ofMinutes(15)); // an idle stream: the good sample is older than the window
        clock.observe(truth.instant().minus(Duration.ofHours(20)));
        assertEquals(truth.instant(), clock.now(), "one answer 20 hours behind moves nothing");
    }

    @Test
    void aHostileFirstDateAheadNeverPushesTheServicesTimeForwardAndIsOutvoted() {
        ServiceClock c = new ServiceClock(truth, () -> truth.millis() * 1_000_000L); // a correct worker clock
        c.observe(NOW.plus(Duration.ofHours(20))); // nothing to compare the first answer with
        assertTrue(!c.now().isAfter(NOW.plus(ServiceClock.TOLERANCE)), "held back at the worker's clock: " + c.now());
        for (int i = 0; i < ServiceClock.CONFIRMATIONS; i++) {
            truth.advance(Duration.ofSeconds(30));
            c.observe(truth.instant());
            assertTrue(
                    !c.now().isAfter(truth.instant().plus(ServiceClock.TOLERANCE)),
                    c.now().toString());
        }
        assertEquals(truth.instant(), c.now(), "the service's answers agree with each other: followed");
        assertFalse(c.provisional());
    }

    @Test
    void aHostileFirstDateBehindIsOutvotedByTheNextAnswersWithinAMinute() {
        ServiceClock c = new ServiceClock(truth, () -> truth.millis() * 1_000_000L);
        c.observe(NOW.minus(Duration.ofHours(20)));
        assertEquals(NOW.minus(Duration.ofHours(20)), c.now(), "taken: holding back loses nothing");
        for (int i = 0; i < ServiceClock.CONFIRMATIONS; i++) {
            truth.advance(Duration.ofSeconds(30));
            c.observe(truth.instant());
        }
        assertEquals(truth.instant(), c.now());
    }

    @Test
    void aBurstOfOutliersWithoutTimeBetweenThemDoesNotConfirmItself() {
        sync();
        for (int i = 0; i < 10; i++) {
            clock.observe(truth.instant().plus(Duration.ofHours(5)));
        }
        assertEquals(truth.instant(), clock.now());
    }

    @Test
    void outliersInterleavedWithAgreeingAnswersNeverMoveTheEstimate() {
        sync();
        for (int i = 0; i < 20; i++) {
            truth.advance(Duration.ofSeconds(30));
            clock.observe(truth.instant().plus(Duration.ofHours(5)));
            answerAfter(Duration.ofSeconds(30));
        }
        assertEquals(truth.instant(), clock.now());
    }

    @Test
    void aCorrectionOfTheServicesClockIsFollowedOnceItPersists() {
        sync();
        Duration step = Duration.ofMinutes(40);
        Instant last = null;
        for (int i = 0; i < ServiceClock.CONFIRMATIONS + 1; i++) {
            truth.advance(Duration.ofSeconds(30));
            last = truth.instant().plus(step);
            clock.observe(last);
        }
        assertEquals(last, clock.now(), "a service clock that stepped forward is followed after a minute");
        for (int i = 0; i < ServiceClock.CONFIRMATIONS + 1; i++) {
            truth.advance(Duration.ofSeconds(30));
            last = truth.instant();
            clock.observe(last);
        }
        assertEquals(last, clock.now(), "and back");
    }

    @Test
    void aSampleWithinTheToleranceIsAdoptedAtOnceAndTheEstimateNeverRunsAheadOfTheBestSample() {
        sync();
        truth.advance(Duration.ofMinutes(11)); // the samples of sync() have left the window but the newest
        clock.observe(truth.instant().minusSeconds(1)); // truncated to the second, and late: a lower bound
        truth.advance(Duration.ofSeconds(5));
        clock.observe(truth.instant());
        assertEquals(truth.instant(), clock.now());
        truth.advance(Duration.ofSeconds(5));
        clock.observe(truth.instant().minusSeconds(3)); // a slow answer changes nothing
        assertEquals(truth.instant(), clock.now());
    }

    @Test
    void neverRunsMoreThanTheBoundAheadOfTheLocalClock() {
        SkewedClock behind = new SkewedClock(truth, Duration.ofHours(-20));
        ServiceClock c = new ServiceClock(behind, () -> truth.millis() * 1_000_000L);
        for (int i = 0; i < ServiceClock.CONFIRMATIONS; i++) {
            c.observe(truth.instant());
            truth.advance(Duration.ofSeconds(30));
        }
        Instant now = truth.instant();
        assertEquals(now, c.now(), "a worker clock 20 hours behind is handled");
        behind.jump(Duration.ofHours(-10)); // now 30 hours behind: beyond the bound
        assertEquals(behind.instant().plus(ServiceClock.MAX_SKEW), c.now(), "at most a day ahead of the local clock");
        behind.jump(Duration.ofHours(10));
        assertEquals(now, c.now(), "the service's time again once the worker's clock is back within the bound");
    }
}
