package io.github.auditlake.o365.cursor;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Plans a stream's listings (pure; no IO, no clock of its own: {@code now} is the service's time).
 *
 * <p>Three tiers, from the latency figures Microsoft documents (most blobs visible within an hour, core services
 * typically 60-90 minutes, other workloads later, and after incidents 5-10 % of records 3-5 days late):
 * <ul>
 *   <li><b>Frontier</b>, every poll: {@code [max(H - 1h, floor), min(max(H, floor) + maxWindow, now - endMargin))}.
 *       It advances the high watermark H and re-lists the most recent hour, where most late blobs appear, at no
 *       extra cost (the window is merely longer).</li>
 *   <li><b>Day sweep</b>, every {@code sweepInterval} (3 minutes by default): the last 24 hours (or the coverage, if
 *       shorter), up to H. When it is due at a frontier listing that reaches now, the two are one listing: the
 *       frontier window {@linkplain #widened widened} back to the day sweep's start (never more than the API's 24
 *       hours), so a quiet tenant's sweep costs no request of its own.</li>
 *   <li><b>Old sweep</b>, every {@code max(4 x sweepInterval, 30 min)}: from {@code now - coverage} to
 *       {@code now - 24h}, in listings of at most 24 hours (the API's limit), when the coverage exceeds a day.</li>
 * </ul>
 * A sweep delivers only the blobs that are not in the stream's delivered set, which covers the whole coverage, so a
 * blob that becomes visible up to {@code coverage} after its {@code contentCreated} is delivered exactly once.
 * {@code floor} is the oldest start the API accepts ({@code now - 7 days + safetyMargin}). A bounded run (one with an
 * end bound) makes a single pass instead, without sweeps: {@link #bounded}.
 */
public final class WindowPlanner {
    /** The API keeps content listable for 7 days (reference 3.2). */
    public static final Duration API_RETENTION = Duration.ofDays(7);
    /** The API rejects windows longer than 24 hours. */
    public static final Duration API_MAX_WINDOW = Duration.ofHours(24);
    /** Re-listed with every frontier listing. */
    public static final Duration RECENT = Duration.ofHours(1);
    /** The largest frontier step: with the re-listed hour, a listing stays within the API's 24 hours. */
    public static final Duration MAX_STEP = API_MAX_WINDOW.minus(RECENT);
    /** The smallest straggler coverage: the re-listed hour. */
    public static final Duration MIN_COVERAGE = RECENT;
    /** The span of the day sweep. */
    public static final Duration DAY = Duration.ofHours(24);
    /** Listing windows end this long before the service's time. */
    public static final Duration END_MARGIN = Duration.ofSeconds(2);
    /** Windows starting this close to the retention floor remember their undelivered blobs (see pending). */
    public static final Duration EDGE = Duration.ofHours(2);
    /** The old sweep runs this many times less often than the day sweep... */
    public static final int OLD_SWEEP_FACTOR = 4;
    /**
     * ...and at most this often: blobs more than a day late are delivered within about half an hour of becoming
     * visible, and a 7-day coverage's six day-long listings are not repeated every few minutes.
     */
    public static final Duration OLD_SWEEP_MIN_INTERVAL = Duration.ofMinutes(30);
    /**
     * The day sweep's interval by default. A straggler up to a day late is found by the first day sweep after it
     * became visible: at most one interval plus one poll interval later (the sweep runs after a frontier listing),
     * about 4 minutes with the 1-minute poll interval, inside the 5 minutes promised.
     */
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMinutes(3);

    private final Duration maxWindow;
    private final Duration coverage;
    private final Duration safetyMargin;
    private final Duration sweepInterval;

    /**
     * @param maxWindow     largest step of the frontier while catching up (at most 23 h)
     * @param coverage      how late a blob may become visible and still be delivered (1 h to 7 days - margin)
     * @param safetyMargin  distance kept from the API's 7-day limit
     * @param sweepInterval time between day sweeps
     */
    public WindowPlanner(Duration maxWindow, Duration coverage, Duration safetyMargin, Duration sweepInterval) {
        if (maxWindow.isNegative() || maxWindow.isZero()) {
            throw new IllegalArgumentException("maxWindow must be positive");
        }
        if (maxWindow.compareTo(MAX_STEP) > 0) {
            throw new IllegalArgumentException("maxWindow must not exceed 23 h (with the re-listed hour, the API's "
                    + "24 h limit), was " + maxWindow);
        }
        if (coverage.compareTo(MIN_COVERAGE) < 0 || coverage.compareTo(maxCoverage(safetyMargin)) > 0) {
            throw new IllegalArgumentException(
                    "coverage must be between 1 h and 7 days minus the safety margin, was " + coverage);
        }
        if (sweepInterval.isNegative() || sweepInterval.isZero()) {
            throw new IllegalArgumentException("sweepInterval must be positive");
        }
        this.maxWindow = maxWindow;
        this.coverage = coverage;
        this.safetyMargin = safetyMargin;
        this.sweepInterval = sweepInterval;
    }

    /** The largest straggler coverage: the API's retention less the safety margin. */
    public static Duration maxCoverage(Duration safetyMargin) {
        return API_RETENTION.minus(safetyMargin);
    }

    public Duration coverage() {
        return coverage;
    }

    /** The oldest window start the API accepts at {@code now}, less the safety margin. */
    public Instant retentionFloor(Instant now) {
        return now.minus(API_RETENTION).plus(safetyMargin);
    }

    /** Where a stream without a stored position puts its high watermark so its first window starts at {@code from}. */
    public Instant initialHighWatermark(Instant from, Instant now) {
        Instant hw = from.plus(RECENT);
        return hw.isAfter(now) ? now : hw;
    }

    /** The next frontier window for a stream at high watermark {@code hw}, or empty when caught up. */
    public Optional<Window> frontier(Instant hw, Instant now) {
        return frontier(hw, Instant.EPOCH, now);
    }

    /**
     * The next frontier window for a stream at high watermark {@code hw} that began at {@code origin} (the re-listed
     * hour never reaches before it, so a short initial lookback is respected), or empty when caught up.
     */
    public Optional<Window> frontier(Instant hw, Instant origin, Instant now) {
        Instant floor = retentionFloor(now);
        Instant cap = now.minus(END_MARGIN);
        Instant base = hw.isBefore(floor) ? floor : hw;
        Instant start = max(hw.minus(RECENT), origin);
        if (start.isBefore(floor)) {
            start = floor;
        }
        Instant end = base.plus(maxWindow);
        if (end.isAfter(cap)) {
            end = cap;
        }
        if (!end.isAfter(start) || !end.isAfter(hw)) {
            return Optional.empty();
        }
        return Optional.of(new Window(start, end, !end.isBefore(cap), start.isBefore(floor.plus(EDGE))));
    }

    /**
     * The end bound of a bounded run in the API's resolution (milliseconds; positions are kept in it too), rounded up
     * so that a blob created in the bound's millisecond, before the bound, is inside.
     */
    public static Instant boundInMillis(Instant endAt) {
        Instant ms = endAt.truncatedTo(ChronoUnit.MILLIS);
        return ms.equals(endAt) ? endAt : ms.plusMillis(1);
    }

    /**
     * The next step of a bounded run at high watermark {@code hw}: one pass up to {@code end}, in windows
     * {@code [H, min(H + 24 h, end))} (their start kept inside the retention). Each span is listed once: no re-listed
     * hour and no sweeps, so a bounded run costs one listing per 24 hours and ends; a blob that only becomes visible
     * after its span was listed is not collected. A window is listed once the service's time (less the end margin)
     * has passed its end; when that is more than {@code patience} away, the span up to the service's time is listed
     * first (a window that reaches now: wait a poll interval after it).
     *
     * @param end      the run's end bound, in milliseconds ({@link #boundInMillis})
     * @param patience how long to wait for the service's time to reach a window's end rather than list up to the
     *                 service's time first (the poll interval)
     */
    public BoundedStep bounded(Instant hw, Instant end, Instant now, Duration patience) {
        if (!hw.isBefore(end)) {
            return new BoundedStep.Done();
        }
        Instant floor = retentionFloor(now);
        Instant start = max(hw, floor);
        Instant stop = min(start.plus(API_MAX_WINDOW), end);
        if (!stop.isAfter(start)) {
            return new BoundedStep.Unlistable(hw, end);
        }
        boolean nearEdge = start.isBefore(floor.plus(EDGE));
        Instant cap = now.minus(END_MARGIN).truncatedTo(ChronoUnit.MILLIS);
        if (!stop.isAfter(cap)) {
            return new BoundedStep.Next(new Window(start, stop, false, nearEdge));
        }
        Duration until = Duration.between(cap, stop);
        if (until.compareTo(patience) <= 0 || !cap.isAfter(start)) {
            // the service reaches the window's end soon (or nothing of it is listable yet): wait, and list it whole
            return new BoundedStep.Wait(until.compareTo(patience) < 0 ? until : patience);
        }
        return new BoundedStep.Next(new Window(start, cap, true, nearEdge));
    }

    /** What a bounded run does next ({@link #bounded}). */
    public sealed interface BoundedStep {
        /** List this window (when it {@linkplain Window#reachesNow() reaches now}, wait a poll interval after it). */
        record Next(Window window) implements BoundedStep {}

        /** The service's time reaches the next window's end soon: wait this long, then list the window whole. */
        record Wait(Duration duration) implements BoundedStep {}

        /** The rest of the run, {@code [from, to)}, is older than the oldest time the API lists: it is lost. */
        record Unlistable(Instant from, Instant to) implements BoundedStep {}

        /** The high watermark reached the bound: nothing is left to list. */
        record Done() implements BoundedStep {}
    }

    /** True when the day sweep is due (last completed at {@code last}). */
    public boolean daySweepDue(Instant last, Instant now) {
        return !last.plus(sweepInterval).isAfter(now);
    }

    /** How long until the day sweep last done at {@code last} is due again (zero when it is due). */
    public Duration untilDaySweep(Instant last, Instant now) {
        Duration d = Duration.between(now, last.plus(sweepInterval));
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** True when the old sweep is due (last completed at {@code last}); never when the coverage is a day or less. */
    public boolean oldSweepDue(Instant last, Instant now) {
        return coverage.compareTo(DAY) > 0 && !last.plus(oldSweepInterval()).isAfter(now);
    }

    /** The time between old sweeps: {@code max(4 x sweepInterval, 30 min)}. */
    public Duration oldSweepInterval() {
        Duration d = sweepInterval.multipliedBy(OLD_SWEEP_FACTOR);
        return d.compareTo(OLD_SWEEP_MIN_INTERVAL) < 0 ? OLD_SWEEP_MIN_INTERVAL : d;
    }

    /** The time between day sweeps. */
    public Duration sweepInterval() {
        return sweepInterval;
    }

    /**
     * The frontier window {@code frontier} widened back to the day sweep's start ({@code max(now - min(coverage,
     * 24h), origin, floor)}), so that one listing is both the frontier and the day sweep; empty when that would not
     * reach further back than the frontier already does. The widened window still ends where the frontier does, at
     * most at {@code now - 2 s}, so it never spans more than the API's 24 hours.
     */
    public Optional<Window> widened(Window frontier, Instant origin, Instant now) {
        Duration span = coverage.compareTo(DAY) < 0 ? coverage : DAY;
        Instant floor = retentionFloor(now);
        Instant start = max(max(now.minus(span), origin), floor);
        if (!start.isBefore(frontier.start())
                || Duration.between(start, frontier.end()).compareTo(API_MAX_WINDOW) > 0) {
            return Optional.empty();
        }
        return Optional.of(new Window(start, frontier.end(), frontier.reachesNow(), start.isBefore(floor.plus(EDGE))));
    }

    /** The listings of the day sweep: the last 24 hours (or the coverage), up to {@code hw}. */
    public List<Window> daySweep(Instant hw, Instant now) {
        return daySweep(hw, Instant.EPOCH, now);
    }

    /**
     * The listings of the day sweep: the last 24 hours (or the coverage), from no earlier than {@code origin} (where
     * the stream began: a sweep never reaches before the initial lookback) up to {@code hw}.
     */
    public List<Window> daySweep(Instant hw, Instant origin, Instant now) {
        Duration span = coverage.compareTo(DAY) < 0 ? coverage : DAY;
        return split(max(now.minus(span), origin), min(hw, now.minus(END_MARGIN)), now);
    }

    /** The listings of the old sweep: from {@code now - coverage} to {@code now - 24h}, up to {@code hw}. */
    public List<Window> oldSweep(Instant hw, Instant now) {
        return oldSweep(hw, Instant.EPOCH, now);
    }

    /** The old sweep from no earlier than {@code origin}. */
    public List<Window> oldSweep(Instant hw, Instant origin, Instant now) {
        if (coverage.compareTo(DAY) <= 0) {
            return List.of();
        }
        return split(max(now.minus(coverage), origin), min(hw, now.minus(DAY)), now);
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** Delivered blobs created before this can be forgotten: no listing will return them again. */
    public Instant forgetBefore(Instant hw, Instant now) {
        Instant a = now.minus(coverage);
        Instant b = hw.minus(RECENT);
        return (a.isBefore(b) ? a : b).minus(RECENT);
    }

    private List<Window> split(Instant from, Instant to, Instant now) {
        Instant floor = retentionFloor(now);
        return listings(max(from, floor), to).stream()
                .map(w -> new Window(w.start(), w.end(), false, w.start().isBefore(floor.plus(EDGE))))
                .toList();
    }

    /**
     * {@code [from, to)} in consecutive listings of at most 24 hours (the API's limit), in order; none when
     * {@code to} is not after {@code from}.
     */
    public static List<Window> listings(Instant from, Instant to) {
        List<Window> out = new ArrayList<>();
        Instant start = from;
        while (to.isAfter(start)) {
            Instant end = min(start.plus(API_MAX_WINDOW), to);
            out.add(new Window(start, end, false, false));
            start = end;
        }
        return out;
    }

    /**
     * {@code [start, end)} as it may be listed at {@code now}: its start moved up to the retention floor when it lies
     * before it; empty when nothing of it is left.
     */
    public Optional<Window> listable(Instant start, Instant end, Instant now) {
        Instant floor = retentionFloor(now);
        Instant from = max(start, floor);
        if (!end.isAfter(from)) {
            return Optional.empty();
        }
        return Optional.of(new Window(from, end, false, from.isBefore(floor.plus(EDGE))));
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /**
     * A listing window {@code [start, end)}.
     *
     * @param reachesNow true when the window ends at the service's time (less the margin): caught up after it
     * @param nearEdge   true when it starts close to the retention floor: its blobs may become unlistable soon
     */
    public record Window(Instant start, Instant end, boolean reachesNow, boolean nearEdge) {}
}
