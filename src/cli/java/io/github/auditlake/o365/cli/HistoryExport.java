package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.cursor.WindowPlanner;
import io.github.auditlake.o365.history.AuditQuery;
import io.github.auditlake.o365.history.AuditSearchApi;
import io.github.auditlake.o365.history.HistoryAccess;
import io.github.auditlake.o365.history.HistoryReader;
import io.github.auditlake.o365.history.HistoryRecord;
import io.github.auditlake.o365.history.HistorySettings;
import io.github.auditlake.o365.history.QueryBudget;
import io.github.auditlake.o365.history.SeamIds;
import io.github.auditlake.o365.history.TimeRange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The audit-search part of {@code export}: which source reads which part of the range, and the reading of the old
 * part through the core's {@link HistoryReader}, written through the same {@link RecordFormat} as the Management
 * API's part. Records are those of the chosen content types (by {@link io.github.auditlake.o365.history
 * .ContentTypeTable}); a record the Management API's part wrote already (remembered in a {@link SeamIds}) is
 * dropped.
 */
final class HistoryExport {

    /** Where the records of {@code export} come from. */
    enum Source {
        /** Audit search for what the Management API can no longer list, the Management API for the rest. */
        AUTO("auto"),
        AUDIT_SEARCH("audit-search"),
        ACTIVITY_API("activity-api");

        final String optionValue;

        Source(String optionValue) {
            this.optionValue = optionValue;
        }

        static Source parse(String text) {
            String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
            for (Source s : values()) {
                if (s.optionValue.equals(t)) {
                    return s;
                }
            }
            throw CliException.usage("unknown --source '" + text + "': use auto, audit-search or activity-api");
        }
    }

    /**
     * The parts of a range: {@code history} through audit search, {@code listed} through the Management API (its
     * start is the seam when both are present).
     */
    record Plan(Optional<Times.Window> history, Optional<Times.Window> listed) {}

    /** A start this little beyond 7 days ago is still the Management API's alone ({@code -7d} typed a moment ago). */
    static final Duration GRACE = Duration.ofMinutes(1);

    private HistoryExport() {}

    /**
     * Splits {@code range} (already capped at now) between the sources: with {@code AUTO}, audit search up to the
     * earliest start the Management API accepts (the seam), the Management API from there; a start within the 7
     * days (with a minute of grace) is the Management API's alone.
     */
    static Plan plan(Source source, Times.Window range, Instant now) {
        Instant end = range.end().isAfter(now) ? now : range.end();
        if (!range.start().isBefore(end)) {
            return new Plan(Optional.empty(), Optional.empty());
        }
        Times.Window capped = new Times.Window(range.start(), end);
        switch (source) {
            case AUDIT_SEARCH:
                return new Plan(Optional.of(capped), Optional.empty());
            case ACTIVITY_API:
                return new Plan(Optional.empty(), Optional.of(capped));
            default:
                if (!range.start()
                        .isBefore(now.minus(WindowPlanner.API_RETENTION).minus(GRACE))) {
                    // within the Management API's 7 days (a start at -7d included): that API alone, as always
                    return new Plan(Optional.empty(), Optional.of(capped));
                }
                Optional<Times.Window> listed = Times.listable(capped, now);
                Instant seam = listed.map(Times.Window::start).orElse(end);
                Optional<Times.Window> history = range.start().isBefore(seam)
                        ? Optional.of(new Times.Window(range.start(), seam))
                        : Optional.empty();
                return new Plan(history, listed);
        }
    }

    /** What the audit-search part did. */
    static final class Result {
        long records;
        long queries;
        long outOfRange;
        /** Elements of audit search's answer that are not audit records (named on stderr, not written). */
        long unreadable;
    }

    /**
     * Reads {@code window} through audit search and writes the records of {@code types} to {@code out}, but those
     * {@code seam} says the Management API's part wrote already (when there was one). Query states go to stderr: as a progress
     * line on a terminal, else with {@code --verbose}.
     */
    static Result run(
            CliContext ctx,
            ClientSettings cs,
            HistorySettings settings,
            List<ContentType> types,
            Times.Window window,
            RecordFormat out,
            SeamIds seam) {
        HistoryAccess.unsupportedCloud(cs.cloud()).ifPresent(why -> {
            throw CliException.usage(why + "; use --source activity-api and a --start within 7 days");
        });
        Set<ContentType> wanted = Set.copyOf(types);
        Result result = new Result();
        try (AuditSearchApi api = HistoryAccess.create(cs)) {
            HistoryReader reader = new HistoryReader(
                    api,
                    settings,
                    new QueryBudget(settings.queriesPerDay(), ctx.clock()),
                    ctx.clock(),
                    ctx.sleeper(),
                    new HistoryReader.Listener() {
                        @Override
                        public void queryState(AuditQuery q) {
                            String line = "audit search " + q.range() + ": "
                                    + q.status().wireName();
                            if (ctx.interactive()) {
                                ctx.progress("\r" + line + "   ");
                            } else {
                                ctx.debug(line + " (query " + q.id() + ")");
                            }
                        }
                    },
                    "o365-audit export");
            ctx.debug(
                    "export: audit search for " + window + ", " + settings.queriesPerDay() + " queries a day at most");
            reader.read(new TimeRange(window.start(), window.end()), r -> write(ctx, r, wanted, out, seam, result));
            result.queries = reader.queriesSubmitted();
            result.outOfRange = reader.outOfRange();
            if (ctx.interactive()) {
                ctx.progress("\n");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.failure("interrupted", e);
        } catch (ApiException e) {
            throw e;
        }
        return result;
    }

    private static void write(
            CliContext ctx, HistoryRecord r, Set<ContentType> wanted, RecordFormat out, SeamIds seam, Result result) {
        if (r.problem() != null) {
            // its content type is unknown: named whatever --content-type asked, never written as a record
            result.unreadable++;
            ctx.warn("audit search: skipped an element that is not an audit record (Graph id " + r.id() + "): "
                    + r.problem());
            return;
        }
        if (!wanted.contains(r.contentType())) {
            return;
        }
        if (seam != null && seam.isDuplicate(r)) {
            return; // the Management API's part wrote it
        }
        try {
            out.record(r.json());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        result.records++;
    }
}
