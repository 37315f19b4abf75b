package io.github.auditlake.o365.cursor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.cursor.WindowPlanner.BoundedStep;
import io.github.auditlake.o365.cursor.WindowPlanner.Window;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowPlannerTest {
    static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    static final Duration MARGIN = Duration.ofMinutes(15);
    final WindowPlanner planner =
            new WindowPlanner(Duration.ofHours(1), Duration.ofHours(24), MARGIN, Duration.ofMinutes(15));
    final WindowPlanner week =
            new WindowPlanner(Duration.ofHours(1), Duration.ofDays(7).minus(MARGIN), MARGIN, Duration.ofMinutes(15));

    @Test
    void catchesUpInStepsOfTheMaximumWindowReListingTheMostRecentHour() {
        Instant hw = NOW.minus(Duration.ofDays(2));
        Window w = planner.frontier(hw, NOW).orElseThrow();
        assertEquals(hw.minus(Duration.ofHours(1)), w.start());
        assertEquals(hw.plus(Duration.ofHours(1)), w.end());
        assertFalse(w.reachesNow());
    }

    @Test
    void endsAMarginBeforeTheServicesTimeOnceCaughtUp() {
        Window w = planner.frontier(NOW.minus(Duration.ofMinutes(5)), NOW).orElseThrow();
        assertEquals(NOW.minus(WindowPlanner.END_MARGIN), w.end());
        assertTrue(w.reachesNow());
        assertTrue(planner.frontier(NOW.minus(WindowPlanner.END_MARGIN), NOW).isEmpty(), "nothing new to list");
        assertTrue(
                planner.frontier(NOW.plus(Duration.ofHours(2)), NOW).isEmpty(),
                "a position ahead of the service lists nothing new");
    }

    @Test
    void neverStartsBeyondTheApiRetentionNorSpansMoreThan24Hours() {
        Window w = planner.frontier(NOW.minus(Duration.ofDays(30)), NOW).orElseThrow();
        Instant floor = NOW.minus(Duration.ofDays(7)).plus(MARGIN);
        assertEquals(floor, w.start());
        assertEquals(floor.plus(Duration.ofHours(1)), w.end());
        assertTrue(w.nearEdge());
        for (long h = 0; h < 24 * 8; h += 5) {
            var x = planner.frontier(NOW.minus(Duration.ofHours(h)), NOW);
            if (x.isPresent()) {
                assertTrue(Duration.between(x.get().start(), x.get().end()).compareTo(Duration.ofHours(24)) <= 0);
                assertFalse(x.get().start().isBefore(floor));
            }
        }
        for (Window s : week.oldSweep(NOW, NOW)) {
            assertTrue(Duration.between(s.start(), s.end()).compareTo(Duration.ofHours(24)) <= 0);
            assertFalse(s.start().isBefore(floor));
        }
    }

    @Test
    void neitherTheFrontierNorASweepReachesBeforeTheStreamsOrigin() {
        Instant origin = NOW.minus(Duration.ofMinutes(1));
        Window w =
                planner.frontier(NOW.minus(Duration.ofSeconds(30)), origin, NOW).orElseThrow();
        assertEquals(origin, w.start(), "a one-minute lookback lists one minute, not the re-listed hour");
        List<Window> day = planner.daySweep(NOW.minus(Duration.ofSeconds(30)), origin, NOW);
        assertEquals(origin, day.get(0).start());
    }

    @Test
    void theDaySweepCoversTheLast24HoursUpToTheHighWatermark() {
        List<Window> day = planner.daySweep(NOW.minus(Duration.ofMinutes(2)), NOW);
        assertEquals(1, day.size());
        assertEquals(NOW.minus(Duration.ofHours(24)), day.get(0).start());
        assertEquals(NOW.minus(Duration.ofMinutes(2)), day.get(0).end());
        assertTrue(planner.oldSweep(NOW, NOW).isEmpty(), "24 h coverage: no old sweep");
        assertFalse(planner.oldSweepDue(Instant.EPOCH, NOW));
    }

    @Test
    void theOldSweepCoversTheRestOfTheCoverageInDayListings() {
        List<Window> old = week.oldSweep(NOW, NOW);
        assertEquals(6, old.size());
        assertEquals(NOW.minus(Duration.ofDays(7)).plus(MARGIN), old.get(0).start());
        assertEquals(NOW.minus(Duration.ofHours(24)), old.get(old.size() - 1).end());
        for (int i = 1; i < old.size(); i++) {
            assertEquals(old.get(i - 1).end(), old.get(i).start(), "contiguous");
        }
    }

    @Test
    void theTimeUntilTheDaySweepIsDueEndsWhenItIsDue() {
        Instant last = NOW.minus(Duration.ofMinutes(14));
        assertEquals(Duration.ofMinutes(1), planner.untilDaySweep(last, NOW));
        assertFalse(planner.daySweepDue(last, NOW.plus(Duration.ofMinutes(1)).minusMillis(1)));
        assertTrue(planner.daySweepDue(last, NOW.plus(planner.untilDaySweep(last, NOW))));
        assertEquals(Duration.ZERO, planner.untilDaySweep(NOW.minus(Duration.ofMinutes(15)), NOW));
        assertEquals(Duration.ZERO, planner.untilDaySweep(NOW.minus(Duration.ofHours(2)), NOW), "overdue: now");
    }

    @Test
    void sweepsAreDueOnTheirSchedule() {
        Instant last = NOW.minus(Duration.ofMinutes(14));
        assertFalse(planner.daySweepDue(last, NOW));
        assertTrue(planner.daySweepDue(NOW.minus(Duration.ofMinutes(15)), NOW));
        assertFalse(week.oldSweepDue(NOW.minus(Duration.ofMinutes(59)), NOW));
        assertTrue(week.oldSweepDue(NOW.minus(Duration.ofMinutes(60)), NOW));
    }

    @Test
    void theOldSweepRunsFourTimesLessOftenThanTheDaySweepButAtMostEveryHalfHour() {
        WindowPlanner fast = new WindowPlanner(
                Duration.ofHours(1), Duration.ofDays(7).minus(MARGIN), MARGIN, WindowPlanner.DEFAULT_SWEEP_INTERVAL);
        assertEquals(Duration.ofMinutes(30), fast.oldSweepInterval());
        assertFalse(fast.oldSweepDue(NOW.minus(Duration.ofMinutes(29)), NOW));
        assertTrue(fast.oldSweepDue(NOW.minus(Duration.ofMinutes(30)), NOW));
        assertEquals(Duration.ofMinutes(60), week.oldSweepInterval(), "4 x a 15-minute day sweep, as before");
    }

    @Test
    void aCaughtUpFrontierWidenedForTheDaySweepStartsWhereTheDaySweepDoesAndEndsWithTheFrontier() {
        Instant hw = NOW.minus(Duration.ofMinutes(1));
        Window f = planner.frontier(hw, NOW).orElseThrow();
        Window wide = planner.widened(f, Instant.EPOCH, NOW).orElseThrow();
        assertEquals(NOW.minus(Duration.ofHours(24)), wide.start(), "the day sweep's start");
        assertEquals(planner.daySweep(hw, NOW).get(0).start(), wide.start());
        assertEquals(f.end(), wide.end());
        assertTrue(wide.reachesNow());
        assertFalse(wide.nearEdge());
        assertTrue(
                Duration.between(wide.start(), wide.end()).compareTo(WindowPlanner.API_MAX_WINDOW) <= 0,
                "within the API's 24 hours");
    }

    @Test
    void aFrontierIsNotWidenedBeforeTheOriginNorPastTheApisDayNorWhenItAlreadyReachesAsFarBack() {
        Instant hw = NOW.minus(Duration.ofMinutes(1));
        Window f = planner.frontier(hw, NOW).orElseThrow();
        assertTrue(planner.widened(f, NOW.minus(Duration.ofMinutes(30)), NOW).isEmpty(), "origin after its start");
        Window partly = planner.widened(f, NOW.minus(Duration.ofHours(5)), NOW).orElseThrow();
        assertEquals(NOW.minus(Duration.ofHours(5)), partly.start(), "the origin bounds it");
        Window wideOne = new Window(NOW.minus(Duration.ofHours(24)), NOW.minus(Duration.ofHours(1)), false, false);
        assertTrue(planner.widened(wideOne, Instant.EPOCH, NOW).isEmpty(), "already reaches back as far");
        WindowPlanner twoHours =
                new WindowPlanner(Duration.ofHours(1), Duration.ofHours(2), MARGIN, Duration.ofMinutes(3));
        assertEquals(
                NOW.minus(Duration.ofHours(2)),
                twoHours.widened(f, Instant.EPOCH, NOW).orElseThrow().start(),
                "a coverage under a day bounds it");
    }

    @Test
    void deliveredBlobsAreForgottenOnlyBeyondTheCoverage() {
        assertEquals(NOW.minus(Duration.ofHours(25)), planner.forgetBefore(NOW, NOW));
        // catching up from far back: keep what the re-listed hour may return
        Instant hw = NOW.minus(Duration.ofDays(3));
        assertEquals(hw.minus(Duration.ofHours(2)), planner.forgetBefore(hw, NOW));
    }

    static final Duration PATIENCE = Duration.ofMinutes(1);

    @Test
    void aBoundedRunListsOneDayAtATimeWithoutReListingAndStopsAtTheBound() {
        Instant end = NOW.minus(Duration.ofHours(30));
        Instant hw = NOW.minus(Duration.ofDays(3));
        Window first = next(planner.bounded(hw, end, NOW, PATIENCE));
        assertEquals(new Window(hw, hw.plus(Duration.ofHours(24)), false, false), first, "no re-listed hour");
        Window last = next(planner.bounded(first.end(), end, NOW, PATIENCE));
        assertEquals(new Window(first.end(), end, false, false), last, "the last window ends at the bound");
        assertEquals(new BoundedStep.Done(), planner.bounded(end, end, NOW, PATIENCE));
        assertEquals(new BoundedStep.Done(), planner.bounded(end.plusMillis(1), end, NOW, PATIENCE));
    }

    @Test
    void aBoundedWindowStartsInsideTheRetentionAndSaysWhenItIsNearTheEdge() {
        Instant floor = NOW.minus(Duration.ofDays(7)).plus(MARGIN);
        Window w = next(planner.bounded(NOW.minus(Duration.ofDays(9)), NOW.minus(Duration.ofDays(2)), NOW, PATIENCE));
        assertEquals(new Window(floor, floor.plus(Duration.ofHours(24)), false, true), w);
    }

    @Test
    void aBoundedRunWhoseRestIsOlderThanTheRetentionIsUnlistable() {
        Instant hw = NOW.minus(Duration.ofDays(10));
        Instant end = NOW.minus(Duration.ofDays(8));
        assertEquals(new BoundedStep.Unlistable(hw, end), planner.bounded(hw, end, NOW, PATIENCE));
    }

    @Test
    void aBoundedWindowTheServiceReachesWithinThePatienceIsWaitedForAndListedWhole() {
        Instant hw = NOW.minus(Duration.ofHours(1));
        Instant cap = NOW.minus(WindowPlanner.END_MARGIN);
        assertEquals(
                new BoundedStep.Wait(Duration.ofSeconds(32)),
                planner.bounded(hw, NOW.plus(Duration.ofSeconds(30)), NOW, PATIENCE),
                "the bound is 32 s past the service's time less the margin");
        assertEquals(
                new BoundedStep.Wait(PATIENCE),
                planner.bounded(cap, cap.plus(Duration.ofHours(2)), NOW, PATIENCE),
                "nothing listable yet: wait a poll interval");
    }

    @Test
    void aBoundedWindowTheServiceReachesLaterIsListedUpToTheServicesTimeFirst() {
        Instant hw = NOW.minus(Duration.ofHours(1));
        Window w = next(planner.bounded(hw, NOW.plus(Duration.ofHours(2)), NOW, PATIENCE));
        assertEquals(new Window(hw, NOW.minus(WindowPlanner.END_MARGIN), true, false), w);
    }

    @Test
    void aBoundedWindowEndsAtTheServicesTimeInWholeMilliseconds() {
        Instant now = NOW.plusNanos(1_500_000);
        Window w = next(planner.bounded(NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofHours(2)), now, PATIENCE));
        assertEquals(NOW.minus(WindowPlanner.END_MARGIN).plusMillis(1), w.end());
    }

    @Test
    void theEndBoundIsRoundedUpToTheApisMilliseconds() {
        assertEquals(NOW, WindowPlanner.boundInMillis(NOW));
        assertEquals(NOW.plusMillis(1), WindowPlanner.boundInMillis(NOW.plusNanos(1)));
        assertEquals(NOW.plusMillis(1), WindowPlanner.boundInMillis(NOW.plusNanos(999_999)));
    }

    static Window next(BoundedStep step) {
        assertTrue(step instanceof BoundedStep.Next, "a window to list, not " + step);
        return ((BoundedStep.Next) step).window();
    }

    @Test
    void aRangeIsListedInConsecutiveDaysEndingAtItsEnd() {
        Instant from = NOW.minus(Duration.ofHours(60));
        List<Window> w = WindowPlanner.listings(from, NOW);
        assertEquals(3, w.size());
        assertEquals(from, w.get(0).start());
        assertEquals(from.plus(Duration.ofHours(24)), w.get(0).end());
        assertEquals(w.get(0).end(), w.get(1).start(), "contiguous");
        assertEquals(NOW, w.get(2).end());
        assertEquals(
                Duration.ofHours(12),
                Duration.between(w.get(2).start(), w.get(2).end()));
        assertTrue(WindowPlanner.listings(NOW, NOW).isEmpty());
    }

    @Test
    void aListingIsMovedInsideTheRetentionOrDroppedWhenNothingOfItIsLeft() {
        Instant floor = NOW.minus(Duration.ofDays(7)).plus(MARGIN);
        Instant end = floor.plus(Duration.ofHours(3));
        assertEquals(
                new Window(floor, end, false, true),
                planner.listable(NOW.minus(Duration.ofDays(8)), end, NOW).orElseThrow());
        Instant inside = NOW.minus(Duration.ofDays(2));
        assertEquals(
                new Window(inside, NOW, false, false),
                planner.listable(inside, NOW, NOW).orElseThrow());
        assertTrue(planner.listable(NOW.minus(Duration.ofDays(9)), floor, NOW).isEmpty());
    }

    @Test
    void refusesSettingsTheApiCannotServe() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new WindowPlanner(Duration.ofHours(24), Duration.ofHours(24), MARGIN, Duration.ofMinutes(1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> new WindowPlanner(Duration.ofHours(1), Duration.ofDays(7), MARGIN, Duration.ofMinutes(1)));
    }
}
