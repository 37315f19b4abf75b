package io.github.auditlake.o365.api;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * A {@code Retry-After} header (RFC 9110): whole seconds, or an HTTP date. A date is read against the same answer's
 * {@code Date} header, so that a server clock apart from ours changes nothing (a hostile or skewed {@code Date} can
 * at most set the wait, which the retry policy bounds); without one, against {@code now}, and without that either,
 * not at all.
 */
public final class RetryAfter {
    private RetryAfter() {}

    /**
     * @param value      the header's value, or null
     * @param serverDate the answer's {@code Date} header, or null
     * @param now        our clock's time, or null when the caller has none
     * @return the wait (zero for a date in the past), or null: absent, unreadable, negative, or a date with nothing
     *     to read it against
     */
    public static Duration parse(String value, String serverDate, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String t = value.trim();
        try {
            long secs = Long.parseLong(t);
            return secs < 0 ? null : Duration.ofSeconds(secs);
        } catch (NumberFormatException e) {
            Instant at = httpDate(t);
            if (at == null) {
                return null;
            }
            Instant ref = httpDate(serverDate);
            if (ref == null) {
                ref = now;
            }
            if (ref == null) {
                return null;
            }
            Duration d = Duration.between(ref, at);
            return d.isNegative() ? Duration.ZERO : d;
        }
    }

    /** An HTTP date ({@code Sun, 06 Dec 2026 10:00:00 GMT}), or null. */
    public static Instant httpDate(String v) {
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
