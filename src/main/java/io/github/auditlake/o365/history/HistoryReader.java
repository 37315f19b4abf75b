package io.github.auditlake.o365.history;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a range of history through audit search and hands its records on in range order. It keeps up to
 * {@link HistorySettings#maxInFlight()} queries ahead, each over a range from the {@link SlicePlanner}, submitted
 * within the {@link QueryBudget}; reads their states with backoff ({@code pollInitial} doubling up to
 * {@code pollMax}); cuts a range in two when its query hit the record limit and queries the halves; submits a range
 * again when its query failed or was cancelled (up to {@code queryAttempts}); and delivers the records of the
 * earliest range once its query succeeded, page by page. A transient refusal of a submission (429 beyond the retry
 * policy: the tenant's budget spent by other tools) waits for its {@code Retry-After} and tries again. All waits go
 * through the injected {@link Sleeper} and {@link Clock}.
 */
public final class HistoryReader {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryReader.class);

    /** Where the records go, in range order. */
    @FunctionalInterface
    public interface Sink {
        void accept(HistoryRecord record);
    }

    /** Progress: query states as they change, ranges as they are done. */
    public interface Listener {
        default void queryState(AuditQuery query) {}

        default void rangeDone(TimeRange range, long records) {}

        /** A record outside its query's range (the service's answer): not delivered, logged and counted. */
        default void outOfRange(TimeRange range, HistoryRecord record) {}

        /** A call was refused for now (throttled, or a transient failure past the client's retries): tried again. */
        default void refused(ApiException e) {}
    }

    private static final class Slot {
        final TimeRange range;
        AuditQuery query;
        int attempts;
        Instant submittedAt;
        Instant due = Instant.MIN;
        Duration pollDelay;

        Slot(TimeRange range) {
            this.range = range;
        }
    }

    private final AuditSearchApi api;
    private final HistorySettings settings;
    private final QueryBudget budget;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Listener listener;
    private final String displayName;
    private long queriesSubmitted;
    private long outOfRange;

    public HistoryReader(
            AuditSearchApi api,
            HistorySettings settings,
            QueryBudget budget,
            Clock clock,
            Sleeper sleeper,
            Listener listener,
            String displayName) {
        this.api = Objects.requireNonNull(api, "api");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.budget = Objects.requireNonNull(budget, "budget");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.listener = listener == null ? new Listener() {} : listener;
        this.displayName = displayName == null ? "o365-audit history" : displayName;
    }

    /** Queries submitted so far (resubmissions and split halves included). */
    public long queriesSubmitted() {
        return queriesSubmitted;
    }

    /** Records the service returned outside their query's range (not delivered). */
    public long outOfRange() {
        return outOfRange;
    }

    /**
     * Reads every record created in {@code total} and hands it to {@code sink}, range by range in time order.
     *
     * @return the number of records delivered
     * @throws ApiException          a permanent refusal (permission), or a range that keeps failing
     * @throws IllegalStateException a range at the shortest slice still over the record limit
     * @throws InterruptedException  when interrupted while waiting
     */
    public long read(TimeRange total, Sink sink) throws InterruptedException {
        SlicePlanner planner = new SlicePlanner(clampInitial(), settings.minSlice(), settings.maxSlice());
        List<Slot> work = new ArrayList<>();
        Instant cursor = total.from();
        long delivered = 0;
        while (true) {
            while (work.size() < settings.maxInFlight() && cursor.isBefore(total.to())) {
                TimeRange r = planner.next(cursor, total.to());
                work.add(new Slot(r));
                cursor = r.to();
            }
            if (work.isEmpty()) {
                return delivered;
            }
            Instant wake = submitDue(work);
            wake = min(wake, pollDue(work));
            if (settle(work, planner)) {
                continue;
            }
            Slot head = work.get(0);
            if (head.query != null && head.query.status() == QueryStatus.SUCCEEDED) {
                delivered += deliver(head, sink);
                planner.observe(
                        head.range,
                        head.query.returnedRecords().orElse(0),
                        head.query.recordLimit().orElse(0));
                work.remove(0);
                continue;
            }
            Instant now = clock.instant();
            Duration wait = wake == null ? settings.pollInitial() : Duration.between(now, wake);
            if (!wait.isNegative() && !wait.isZero()) {
                sleeper.sleep(wait);
            }
        }
    }

    private Duration clampInitial() {
        Duration d = settings.initialSlice();
        if (d.compareTo(settings.minSlice()) < 0) {
            return settings.minSlice();
        }
        return d.compareTo(settings.maxSlice()) > 0 ? settings.maxSlice() : d;
    }

    /** Submits the unsubmitted slots in order while the budget allows; returns when to try again, if blocked. */
    private Instant submitDue(List<Slot> work) {
        Instant wake = null;
        for (Slot s : work) {
            if (s.query != null) {
                continue;
            }
            Instant now = clock.instant();
            if (s.due.isAfter(now)) {
                wake = min(wake, s.due);
                break;
            }
            Optional<Instant> allowed = budget.nextAllowed();
            if (allowed.isPresent()) {
                LOG.info(
                        "Audit search: the daily budget of {} queries is spent; the next query is allowed at {}",
                        budget.perDay(),
                        allowed.get());
                return min(wake, allowed.get());
            }
            try {
                budget.record();
                s.attempts++;
                queriesSubmitted++;
                s.query = api.submit(s.range, displayName + " " + s.range);
                s.submittedAt = now;
                s.pollDelay = settings.pollInitial();
                s.due = now.plus(s.pollDelay);
                wake = min(wake, s.due);
                LOG.debug("Audit search {} submitted for {}", s.query.id(), s.range);
                listener.queryState(s.query);
            } catch (ApiException e) {
                if (!e.isTransient()) {
                    throw e;
                }
                listener.refused(e);
                Duration after = e.retryAfter().orElse(settings.pollMax());
                s.due = now.plus(after);
                LOG.info(
                        "Audit search refused a query for {} for now; trying again at {}: {}",
                        s.range,
                        s.due,
                        e.getMessage());
                return min(wake, s.due);
            }
        }
        return wake;
    }

    /** Reads the state of every submitted, unfinished query that is due; returns the earliest next due time. */
    private Instant pollDue(List<Slot> work) {
        Instant wake = null;
        for (Slot s : work) {
            if (s.query == null || s.query.status().isFinal()) {
                continue;
            }
            Instant now = clock.instant();
            if (!s.due.isAfter(now)) {
                try {
                    AuditQuery q = api.query(s.query.id(), s.range);
                    if (q.status() != s.query.status()) {
                        listener.queryState(q);
                    }
                    s.query = q;
                } catch (ApiException e) {
                    if (e.httpStatus() == 404) {
                        // the service no longer knows the query (expired, or lost): nothing of it was delivered
                        abandon(s, "is no longer known to the service (404)");
                        continue;
                    }
                    if (!e.isTransient()) {
                        throw e;
                    }
                    LOG.debug("Reading audit search {} failed for now: {}", s.query.id(), e.getMessage());
                    listener.refused(e);
                }
                if (!s.query.status().isFinal()
                        && s.submittedAt != null
                        && Duration.between(s.submittedAt, now).compareTo(settings.queryTimeout()) > 0) {
                    abandon(
                            s,
                            "is still " + s.query.status().wireName() + " after " + settings.queryTimeout()
                                    + " (the service may have stalled)");
                    continue;
                }
                s.pollDelay = min(s.pollDelay.multipliedBy(2), settings.pollMax());
                s.due = now.plus(s.pollDelay);
            }
            if (!s.query.status().isFinal()) {
                wake = min(wake, s.due);
            }
        }
        return wake;
    }

    /**
     * Gives a query up before it delivered anything (it failed or was cancelled, the service lost it, or it never
     * ends): its range is submitted again, up to {@code queryAttempts} submissions, then it is a permanent error.
     */
    private void abandon(Slot s, String why) {
        String id = s.query.id();
        if (s.attempts >= settings.queryAttempts()) {
            throw new ApiException(
                    ErrorKind.PERMANENT,
                    "Audit search " + id + " over " + s.range + " " + why + ", after " + s.attempts
                            + " submissions of the range; giving up");
        }
        LOG.warn("Audit search {} over {} {}; submitting the range again", id, s.range, why);
        s.query = null;
        s.submittedAt = null;
        s.due = Instant.MIN;
    }

    /**
     * Splits the slots whose query hit the record limit and resets those that failed or were cancelled; true when
     * something changed (the caller loops without waiting).
     */
    private boolean settle(List<Slot> work, SlicePlanner planner) {
        for (int i = 0; i < work.size(); i++) {
            Slot s = work.get(i);
            if (s.query == null) {
                continue;
            }
            QueryStatus st = s.query.status();
            if (st == QueryStatus.SUCCEEDED && s.query.mayBeTruncated()) {
                List<TimeRange> halves = planner.split(s.range);
                LOG.info(
                        "Audit search {} over {} hit the record limit ({}); querying its halves",
                        s.query.id(),
                        s.range,
                        s.query.recordLimit().isPresent()
                                ? s.query.recordLimit().getAsLong()
                                : "unknown");
                work.remove(i);
                work.add(i, new Slot(halves.get(1)));
                work.add(i, new Slot(halves.get(0)));
                return true;
            }
            if (st == QueryStatus.FAILED || st == QueryStatus.CANCELLED) {
                abandon(s, "ended " + st.wireName());
                return true;
            }
        }
        return false;
    }

    private long deliver(Slot s, Sink sink) throws InterruptedException {
        long n = 0;
        RecordPage page = fetch(() -> api.records(s.query.id()));
        while (true) {
            for (HistoryRecord r : page.records()) {
                if (r.created() != null && !s.range.contains(r.created())) {
                    outOfRange++;
                    LOG.warn(
                            "Audit search {} returned record {} created at {}, outside its range {}: not delivered",
                            s.query.id(),
                            r.id(),
                            r.created(),
                            s.range);
                    listener.outOfRange(s.range, r);
                    continue;
                }
                sink.accept(r);
                n++;
            }
            if (page.nextLink().isEmpty()) {
                break;
            }
            String next = page.nextLink().get();
            page = fetch(() -> api.page(next));
        }
        LOG.debug("Audit search {} over {}: {} records", s.query.id(), s.range, n);
        listener.rangeDone(s.range, n);
        return n;
    }

    /**
     * A page of records, asked again (the same page: nothing delivered twice, nothing skipped) while the service
     * refuses it for now beyond the client's own retries (a long throttling, an outage): the query's results are
     * kept by the service, so the read waits instead of failing the range.
     */
    private RecordPage fetch(java.util.function.Supplier<RecordPage> call) throws InterruptedException {
        while (true) {
            try {
                return call.get();
            } catch (ApiException e) {
                if (!e.isTransient()) {
                    throw e;
                }
                listener.refused(e);
                Duration after = e.retryAfter().orElse(settings.pollMax());
                LOG.info(
                        "Audit search refused a page of records for now; asking again in {}: {}",
                        after,
                        e.getMessage());
                sleeper.sleep(after);
            }
        }
    }

    private static Instant min(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
