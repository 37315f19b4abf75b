package io.github.auditlake.o365.history;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Where history begins ({@code o365.history.start}): an ISO date ({@code 2026-09-01}, midnight UTC), an ISO instant
 * ({@code 2026-09-01T12:00:00Z}, or with an offset), or an ISO duration or period back from now ({@code P90D},
 * {@code PT36H}, {@code P3M}). Empty: history off.
 */
public final class HistoryStart {
    private HistoryStart() {}

    /**
     * The start as a function of the service's time, or empty when {@code text} is empty.
     *
     * @throws IllegalArgumentException when {@code text} is none of the forms, or a duration is not positive
     */
    public static Optional<UnaryOperator<Instant>> parse(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String t = text.trim();
        if (t.toUpperCase(Locale.ROOT).startsWith("P")) {
            String u = t.toUpperCase(Locale.ROOT);
            try {
                Duration d = Duration.parse(u);
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("'" + text + "' must be a positive duration");
                }
                return Optional.of(now -> now.minus(d));
            } catch (DateTimeParseException e) {
                try {
                    Period p = Period.parse(u);
                    if (p.isNegative() || p.isZero()) {
                        throw new IllegalArgumentException("'" + text + "' must be a positive period");
                    }
                    return Optional.of(
                            now -> now.atOffset(ZoneOffset.UTC).minus(p).toInstant());
                } catch (DateTimeParseException e2) {
                    throw invalid(text);
                }
            }
        }
        try {
            Instant at = t.length() == 10
                    ? LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : OffsetDateTime.parse(t).toInstant();
            return Optional.of(now -> at);
        } catch (DateTimeParseException e) {
            throw invalid(text);
        }
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("'" + text + "' is not an ISO date (2026-09-01), instant "
                + "(2026-09-01T00:00:00Z) or duration back from now (P90D, PT36H, P3M)");
    }
}
