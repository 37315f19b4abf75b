package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.cursor.WindowPlanner;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Time arguments, and where the CLI's listings may start. All times are UTC. The API's limits and the listing
 * windows are the engine's ({@link WindowPlanner}).
 */
final class Times {
    /**
     * Listing starts are kept this far inside the retention: a request for exactly now - 7 d can be refused by the
     * time it arrives (reference 5.4). Content created in the margin expires within it anyway.
     */
    static final Duration EDGE_MARGIN = Duration.ofMinutes(5);
    /**
     * The CLI's listing plan: the API's limits, starts kept {@link #EDGE_MARGIN} inside the retention, a coverage of
     * the whole retention (the sweep interval is not used: the CLI lists each span once).
     */
    static final WindowPlanner PLANNER = new WindowPlanner(
            WindowPlanner.MAX_STEP, WindowPlanner.maxCoverage(EDGE_MARGIN), EDGE_MARGIN, Duration.ofHours(1));

    private static final Pattern RELATIVE = Pattern.compile("([+-])(\\d{1,6})([smhdw])");
    static final String FORMATS = "use an ISO-8601 UTC time (2026-11-28T10:00:00Z, or without Z), a date "
            + "(2026-11-28), or a relative time (-24h, -7d, -30m, now)";

    private Times() {}

    /** A half-open interval {@code [start, end)}. */
    record Window(Instant start, Instant end) {
        @Override
        public String toString() {
            return "[" + start + ", " + end + ")";
        }
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})([smhd]?)");

    /**
     * Parses a duration ({@code 30s}, {@code 10m}, {@code 2h}, {@code 1d}, a bare number of seconds, {@code 0}, or
     * ISO-8601 {@code PT10M}); a usage error names the option.
     */
    static Duration duration(String text, String option) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofSeconds(n);
            };
        }
        try {
            Duration d = Duration.parse(t.toUpperCase(Locale.ROOT));
            if (!d.isNegative()) {
                return d;
            }
        } catch (DateTimeParseException ignored) {
            // reported below
        }
        throw CliException.usage(option + " '" + text + "' is not a duration: use 30s, 10m, 2h, 1d (or 0 for none)");
    }

    /** Parses a time argument against {@code now}; a usage error names the option and the accepted forms. */
    static Instant parse(String option, String text, Instant now) {
        if (text == null || text.isBlank()) {
            throw CliException.usage(option + " is empty: " + FORMATS);
        }
        String t = text.trim();
        if (t.equalsIgnoreCase("now")) {
            return now;
        }
        Matcher m = RELATIVE.matcher(t.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(2));
            Duration d = switch (m.group(3)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
            return m.group(1).equals("-") ? now.minus(d) : now.plus(d);
        }
        String iso = t.length() > 10 && t.charAt(10) == ' ' ? t.substring(0, 10) + "T" + t.substring(11) : t;
        try {
            return OffsetDateTime.parse(iso).toInstant();
        } catch (DateTimeParseException ignored) {
            // try the forms without a zone
        }
        try {
            return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException ignored) {
            // try a date
        }
        try {
            return LocalDate.parse(iso).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            throw CliException.usage(option + " '" + text + "' is not a time: " + FORMATS);
        }
    }

    /**
     * Parses {@code --start} and {@code --end} and checks the range: start before end, and start inside the API's
     * 7-day retention (content older than that can no longer be listed).
     */
    static Window range(String startText, String endText, Instant now) {
        return range(startText, endText, now, false);
    }

    /**
     * As {@link #range(String, String, Instant)}; with {@code anyStart} (audit search reads the older part) a start
     * more than 7 days ago is accepted.
     */
    static Window range(String startText, String endText, Instant now, boolean anyStart) {
        Instant start = parse("--start", startText, now);
        Instant end = parse("--end", endText, now);
        if (!start.isBefore(end)) {
            throw CliException.usage("--start " + start + " must be before --end " + end);
        }
        if (anyStart) {
            return new Window(start, end);
        }
        Instant earliest = now.minus(WindowPlanner.API_RETENTION);
        // a minute of grace: "-7d" or a time typed a moment ago for exactly seven days back is accepted
        if (start.isBefore(earliest.minus(Duration.ofMinutes(1)))) {
            throw CliException.usage("--start " + start + " is more than 7 days ago: the Management Activity API "
                    + "keeps content for 7 days, so the earliest start now is " + earliest + " (-7d); older records "
                    + "are read through audit search with --source auto or audit-search");
        }
        return new Window(start, end);
    }

    /**
     * The window as it may be sent now: its start moved inside the retention (now - 7 d + margin) when it lies
     * before; empty when nothing of it is left.
     */
    static Optional<Window> listable(Window w, Instant now) {
        return PLANNER.listable(w.start(), w.end(), now).map(l -> new Window(l.start(), l.end()));
    }
}
