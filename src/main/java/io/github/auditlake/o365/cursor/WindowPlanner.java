package io.github.auditlake.o365.cursor;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Plans listing windows for a stream (pure; no IO, no clock of its own).
 *
 * <p>The next window for a stream at high watermark H, at time {@code now}, is
 * {@code [max(H - lateWindow, floor), min(max(H, floor) + maxWindow, now))}, where {@code floor} is the oldest
 * start the API accepts ({@code now - 7 days + safetyMargin}). Its length never exceeds
 * {@code lateWindow + maxWindow <= 24 h}. Re-listing the trailing {@code lateWindow} finds blobs that became
 * visible after their window was first listed.
 */
public final class WindowPlanner {
    /** The API keeps content listable for 7 days (reference 3.2). */
    public static final Duration API_RETENTION = Duration.ofDays(7);
    /** The API rejects windows longer than 24 hours. */
    public static final Duration API_MAX_WINDOW = Duration.ofHours(24);

    private final Duration maxWindow;
    private final Duration lateWindow;
    private final Duration safetyMargin;

    public WindowPlanner(Duration maxWindow, Duration lateWindow, Duration safetyMargin) {
        if (maxWindow.isNegative() || maxWindow.isZero()) {
            throw new IllegalArgumentException("maxWindow must be positive");
        }
        if (lateWindow.isNegative()) {
            throw new IllegalArgumentException("lateWindow must be >= 0");
        }
        if (maxWindow.plus(lateWindow).compareTo(API_MAX_WINDOW) > 0) {
            throw new IllegalArgumentException("maxWindow + lateWindow must not exceed 24 h (the API's limit), was "
                    + maxWindow.plus(lateWindow));
        }
        this.maxWindow = maxWindow;
        this.lateWindow = lateWindow;
        this.safetyMargin = safetyMargin;
    }

    public Duration lateWindow() {
        return lateWindow;
    }

    /** The oldest window start the API accepts at {@code now}, less the safety margin. */
    public Instant retentionFloor(Instant now) {
        return now.minus(API_RETENTION).plus(safetyMargin);
    }

    /** The next window for a stream at high watermark {@code hw}, or empty when there is nothing to list yet. */
    public Optional<Window> next(Instant hw, Instant now) {
        Instant floor = retentionFloor(now);
        Instant base = hw.isBefore(floor) ? floor : hw;
        Instant start = hw.minus(lateWindow);
        if (start.isBefore(floor)) {
            start = floor;
        }
        Instant end = base.plus(maxWindow);
        if (end.isAfter(now)) {
            end = now;
        }
        if (!end.isAfter(start)) {
            return Optional.empty();
        }
        return Optional.of(new Window(start, end, !end.isBefore(now)));
    }

    /**
     * A listing window {@code [start, end)}.
     *
     * @param reachesNow true when the window ends at {@code now}: the stream is caught up after it
     */
    public record Window(Instant start, Instant end, boolean reachesNow) {
    }
}
