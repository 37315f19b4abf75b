package io.github.auditlake.o365.simulator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One request the simulator answered. {@code headers} has lower-case names and the {@code Authorization} value
 * redacted to its scheme; {@code start} is the SimClock instant, {@code wallStartNanos} the {@link System#nanoTime}
 * at arrival, {@code duration} real time, {@code inFlightAtStart} the number of requests in progress when this one
 * arrived (itself included).
 */
public record RecordedRequest(
        String method,
        String path,
        String rawQuery,
        Map<String, List<String>> headers,
        int status,
        Instant start,
        long wallStartNanos,
        Duration duration,
        int inFlightAtStart) {

    /** A query parameter by case-insensitive name, URL-decoded. */
    public Optional<String> query(String name) {
        if (rawQuery == null) {
            return Optional.empty();
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (URLDecoder.decode(k, StandardCharsets.UTF_8).equalsIgnoreCase(name)) {
                return Optional.of(eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    /** First value of a header (case-insensitive). */
    public Optional<String> header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    public boolean isApi() {
        return path.startsWith("/api/");
    }

    public boolean isBlobFetch() {
        return path.contains("/activity/feed/audit/");
    }
}
