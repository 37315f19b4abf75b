package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.Sleeper;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * The CLI's {@link Sleeper}: every wait of the client and the engine goes through it. A wait of at least
 * {@link #ANNOUNCE_MIN} whose reason is known is said on stderr (never stdout), also without {@code --verbose}:
 * {@code o365-audit: waiting 1 min 0 s (until 2026-11-28T12:01:00Z): <why>}, with the time the waits began when they
 * have gone on for a while, so that a long outage or throttling is never silent. {@code --quiet} hides these lines.
 * The same reason again within {@link #REPEAT_QUIET} is not repeated (a stream waiting for the end of its range
 * checks every few seconds). With {@code --timeout}, a wait that would pass the deadline sleeps up to it and ends the
 * waiting thread with an {@link InterruptedException}; the command then reports the timeout ({@link #timedOut()}).
 */
final class Waits implements Sleeper {
    /** Shorter waits (pacing within the request budget, the first retries) are not worth a line. */
    static final Duration ANNOUNCE_MIN = Duration.ofSeconds(1);
    /** The same reason is said again only after this much time. */
    static final Duration REPEAT_QUIET = Duration.ofSeconds(30);
    /** Waits closer together than this belong to one episode (the engine's backoff is capped at 5 minutes). */
    static final Duration EPISODE_GAP = Duration.ofMinutes(6);
    /** An episode this old is said to have begun at its start time. */
    static final Duration EPISODE_SHOWN = Duration.ofMinutes(1);

    private static final java.util.regex.Pattern ATTEMPT = java.util.regex.Pattern.compile("\\(attempt \\d+\\)");

    private final CliContext ctx;
    private final Sleeper base;
    private volatile Instant deadline;
    private volatile Duration timeout;
    private volatile boolean timedOut;
    private volatile String lastWhy;
    private volatile String tlsProblem;
    private Instant lastSaid = Instant.MIN;
    private Instant episodeStart;
    private Instant episodeLast = Instant.MIN;

    Waits(CliContext ctx, Sleeper base) {
        this.ctx = Objects.requireNonNull(ctx, "ctx");
        this.base = Objects.requireNonNull(base, "base");
    }

    /** Gives up after {@code timeout} from now (by the context's clock); null: never. */
    void timeout(Duration timeout) {
        this.timeout = timeout;
        this.deadline = timeout == null ? null : ctx.clock().instant().plus(timeout);
    }

    Duration timeout() {
        return timeout;
    }

    /** True when the deadline has passed (a wait reached it, or the clock did). */
    boolean timedOut() {
        Instant d = deadline;
        if (!timedOut && d != null && !ctx.clock().instant().isBefore(d)) {
            timedOut = true;
        }
        return timedOut;
    }

    /** The failure that stopped the waits because the server's TLS certificate is not trusted, or null. */
    String tlsProblem() {
        return tlsProblem;
    }

    /** What the last wait said it was for (cleaned for a person), or null. */
    String lastWhy() {
        return lastWhy;
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        sleep(duration, null);
    }

    @Override
    public void sleep(Duration duration, String why) throws InterruptedException {
        Instant now = ctx.clock().instant();
        String text = why == null ? null : Wording.forTerminal(why);
        if (text != null) {
            lastWhy = text;
        }
        if (TlsProblem.matches(text)) {
            // waiting cannot make a certificate trusted: stop, and let the command name the option that does
            tlsProblem = text;
            throw new InterruptedException("TLS trust failure");
        }
        Instant d = deadline;
        if (d != null && now.plus(duration).isAfter(d)) {
            Duration left = Duration.between(now, d);
            if (!left.isNegative()) {
                base.sleep(left);
            }
            timedOut = true;
            throw new InterruptedException("timed out (--timeout)");
        }
        if (text != null && duration.compareTo(ANNOUNCE_MIN) >= 0) {
            announce(now, duration, text);
        }
        base.sleep(duration);
    }

    private void announce(Instant now, Duration duration, String text) {
        String since;
        synchronized (this) {
            if (episodeStart == null || Duration.between(episodeLast, now).compareTo(EPISODE_GAP) > 0) {
                episodeStart = now;
            }
            episodeLast = now.plus(duration);
            // the same reason at another attempt is the same news
            String key = ATTEMPT.matcher(text).replaceAll("");
            if (key.equals(lastWhyAnnounced) && Duration.between(lastSaid, now).compareTo(REPEAT_QUIET) < 0) {
                return;
            }
            lastWhyAnnounced = key;
            lastSaid = now;
            since = Duration.between(episodeStart, now).compareTo(EPISODE_SHOWN) >= 0
                    ? "; waiting since " + episodeStart.truncatedTo(ChronoUnit.SECONDS)
                    : "";
        }
        if (!ctx.quiet()) {
            ctx.error("waiting " + human(duration) + " (until "
                    + now.plus(duration).truncatedTo(ChronoUnit.SECONDS) + since + "): " + text);
        }
    }

    private String lastWhyAnnounced;

    /** {@code 45 s}, {@code 2 min 5 s}, {@code 1 h 3 min}. */
    static String human(Duration d) {
        long s = Math.max(0, (d.toMillis() + 999) / 1000);
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return (s / 60) + " min " + (s % 60) + " s";
        }
        return (s / 3600) + " h " + ((s % 3600) / 60) + " min";
    }
}
