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

    @Test
    void followsTheServiceWhateverTheWorkersClockSays() {
        assertEquals(worker.instant(), clock.now(), "before the first answer: the local clock");
        clock.observe(NOW);
        assertEquals(NOW, clock.now());
        truth.advance(Duration.ofMinutes(3));
        worker.jump(Duration.ofHours(5));
        assertEquals(NOW.plus(Duration.ofMinutes(3)), clock.now(), "carried by the monotonic clock");
    }

    @Test
    void aDateOf2100IsIgnoredBeforeTheFirstAnswer() {
        clock.observe(YEAR_2100);
        assertEquals(worker.instant(), clock.now(), "the local clock is still used");
        assertFalse(clock.synced());
    }

    @Test
    void aDateOf2100IsIgnoredOnceSynced() {
        clock.observe(NOW);
        clock.observe(YEAR_2100);
        assertEquals(NOW, clock.now());
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
        clock.observe(NOW);
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
        clock.observe(NOW);
        truth.advance(Duration.ofMinutes(15)); // an idle stream: the good sample is older than the window
        clock.observe(truth.instant().minus(Duration.ofHours(20)));
        assertEquals(truth.instant(), clock.now(), "one answer 20 hours behind moves nothing");
    }

    @Test
    void aHostileFirstDateInsideTheBoundIsOutvotedByTheNextAnswersWithinAMinute() {
        clock.observe(NOW.plus(Duration.ofHours(20))); // nothing to compare the first answer with: taken
        assertEquals(NOW.plus(Duration.ofHours(20)), clock.now());
        for (int i = 0; i < ServiceClock.CONFIRMATIONS; i++) {
            answerAfter(Duration.ofSeconds(30));
        }
        assertEquals(truth.instant(), clock.now(), "the service's answers agree with each other: followed");
    }

    @Test
    void aBurstOfOutliersWithoutTimeBetweenThemDoesNotConfirmItself() {
        clock.observe(NOW);
        for (int i = 0; i < 10; i++) {
            clock.observe(NOW.plus(Duration.ofHours(5)));
        }
        assertEquals(NOW, clock.now());
    }

    @Test
    void outliersInterleavedWithAgreeingAnswersNeverMoveTheEstimate() {
        clock.observe(NOW);
        for (int i = 0; i < 20; i++) {
            truth.advance(Duration.ofSeconds(30));
            clock.observe(truth.instant().plus(Duration.ofHours(5)));
            answerAfter(Duration.ofSeconds(30));
        }
        assertEquals(truth.instant(), clock.now());
    }

    @Test
    void aCorrectionOfTheServicesClockIsFollowedOnceItPersists() {
        clock.observe(NOW);
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
        clock.observe(NOW.minusSeconds(1)); // truncated to the second, and late: a lower bound
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
        c.observe(NOW);
        assertEquals(NOW, c.now(), "a worker clock 20 hours behind is handled");
        behind.jump(Duration.ofHours(-10)); // now 30 hours behind: beyond the bound
        assertEquals(behind.instant().plus(ServiceClock.MAX_SKEW), c.now(), "at most a day ahead of the local clock");
        behind.jump(Duration.ofHours(10));
        assertEquals(NOW, c.now(), "the service's time again once the worker's clock is back within the bound");
    }
}
