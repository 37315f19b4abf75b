package io.github.auditlake.o365.engine.health;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.metrics.LatenessHistogram;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides the health state of each stream of a task from what its engine observes (calls answered, throttled or
 * failing, windows listed, subscriptions lost and started), raises warnings with a time (a credential expiring, a
 * blob close to its {@code contentExpiration}), and queues one {@link HealthEvent} per change, plus a periodic
 * summary, for the task to publish. Thread-safe: the stream workers report, the task thread {@link #tick()}s and
 * {@link #drain()}s. Plain Java with an injected clock.
 */
public final class HealthMonitor {
    private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);
    /** Events waiting for the task beyond this are dropped, oldest first (the task drains every second). */
    static final int MAX_QUEUED = 10_000;

    /** A certificate's {@code notAfter} is read again at most this often. */
    static final Duration CREDENTIAL_CHECK_EVERY = Duration.ofMinutes(1);

    public static final String WARNING_CREDENTIAL = "credential-expiring";
    /** The credential's standing when it is not expiring within the horizon (published first, and on recovery). */
    public static final String CREDENTIAL_VALID = "credential-valid";

    public static final String WARNING_BLOB_EXPIRY = "blob-expiry-risk";
    public static final String CLEARED = "cleared";

    /**
     * A content type whose blobs became visible this late, as a share of the straggler coverage, is at risk: a blob
     * later than the coverage is never listed. 80 %: a day's coverage warns at 19.2 hours, with hours left to act.
     */
    public static final int COVERAGE_RISK_PERCENT = 80;

    public static final String WARNING_COVERAGE = "coverage-risk";
    /** A content type's lateness standing when its largest lateness is under the risk threshold. */
    public static final String COVERAGE_OK = "coverage-ok";

    /** The state of a {@link HealthEvent.Kind#SCHEMA_DRIFT} record. */
    public static final String SCHEMA_DRIFT = "schema-drift";

    private final HealthSettings settings;
    private final Clock clock;
    private final String taskKey;
    private final Map<StreamId, Stream> streams = new LinkedHashMap<>();
    private final Deque<HealthEvent> queue = new ArrayDeque<>();
    private final Map<String, Supplier<Optional<Instant>>> credentials = new LinkedHashMap<>();
    /** Per tenant: the credential standing last published ({@link #WARNING_CREDENTIAL} or {@link #CREDENTIAL_VALID}). */
    private final Map<String, String> credentialPublished = new LinkedHashMap<>();

    /** Per content type (wire name): the lateness figures measured so far (none until {@link #lateness} is called). */
    private Supplier<Map<String, LatenessHistogram.Snapshot>> lateness = Map::of;
    /** The straggler coverage, or null: no coverage warning. */
    private Duration coverage;
    /** Per content type: its lateness standing last published ({@link #WARNING_COVERAGE} or {@link #COVERAGE_OK}). */
    private final Map<String, String> coveragePublished = new LinkedHashMap<>();

    private Instant credentialCheckedAt;
    private Instant lastSummary;
    /** False for a monitor nobody reads: it keeps the states (gauges, failure messages) but queues and logs nothing. */
    private final boolean queueEvents;
    /** Blobs delivered (or skipped) within the expiry margin of their {@code contentExpiration}. */
    public final LongAdder blobExpiryRisks = new LongAdder();
    /** Health events dropped because the task did not drain them (it was stopped, or far behind). */
    public final LongAdder eventsDropped = new LongAdder();

    /**
     * @param taskKey the key of the task's summaries (e.g. connector name and task number)
     */
    public HealthMonitor(Collection<StreamId> streams, HealthSettings settings, Clock clock, String taskKey) {
        this(streams, settings, clock, taskKey, true);
    }

    private HealthMonitor(
            Collection<StreamId> streams, HealthSettings settings, Clock clock, String taskKey, boolean publish) {
        this.queueEvents = publish;
        this.settings = settings;
        this.clock = clock;
        this.taskKey = taskKey;
        Instant now = clock.instant();
        this.lastSummary = now;
        for (StreamId s : streams) {
            Stream st = new Stream(now);
            this.streams.put(s, st);
            change(s, st, StreamState.SIGNING_IN, "Signing in and checking the subscription.", Map.of());
        }
    }

    /** A monitor for the engine's own use when its caller has none: nothing reads its events. */
    public static HealthMonitor unread(Collection<StreamId> streams, Clock clock) {
        return new HealthMonitor(streams, HealthSettings.DEFAULTS, clock, "engine", false);
    }

    /**
     * The tenant's credential in use expires at the instant {@code notAfter} gives (a certificate's {@code notAfter}),
     * or it is unknown (empty: nothing is published). Its standing is published at the first {@link #tick()} (expiring
     * or valid), then at each change.
     */
    public synchronized void credential(String tenant, Supplier<Optional<Instant>> notAfter) {
        credentials.put(tenant, notAfter);
    }

    /**
     * Where the summary and the {@link #WARNING_COVERAGE} warning read each content type's lateness figures: the task's
     * {@code EngineMetrics.latenessSnapshots()} (content type wire name to its figures since the task started).
     *
     * @param coverage the straggler coverage ({@code o365.straggler.coverage.ms}): a content type whose largest
     *                 lateness reaches {@value #COVERAGE_RISK_PERCENT} % of it raises the warning; null for none
     */
    public synchronized void lateness(Supplier<Map<String, LatenessHistogram.Snapshot>> figures, Duration coverage) {
        this.lateness = figures;
        this.coverage = coverage;
    }

    // ------------------------------------------------------------------ what the engine observes

    /** The subscription is enabled: checked at the start, or started (again) by the connector. */
    public synchronized void subscribed(StreamId s, boolean started, boolean webhookKept) {
        Stream st = stream(s);
        if (st == null) {
            return;
        }
        st.failingSince = null;
        if (!started && st.state != StreamState.SIGNING_IN && st.state != StreamState.DISABLED) {
            return; // a check that changes nothing
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("startedByConnector", started);
        d.put("webhookKept", webhookKept);
        String msg;
        if (st.state == StreamState.DISABLED && !started) {
            msg = "The subscription is enabled again (started by another client).";
        } else if (st.state == StreamState.DISABLED) {
            msg = "The subscription was started again by the connector"
                    + (webhookKept ? " (its webhook kept)" : "")
                    + ". Content created while it was disabled is not accessible (the API serves only content created "
                    + "after a start).";
        } else if (started) {
            msg = "The connector started the subscription. A new subscription can take up to 12 hours to show its "
                    + "first content.";
        } else {
            msg = "The subscription is enabled.";
        }
        st.running = StreamState.SUBSCRIBED;
        change(s, st, StreamState.SUBSCRIBED, msg, d);
    }

    /**
     * The service says the subscription is disabled (AF20023) or missing (AF20022).
     *
     * @param restartAt when the connector will start it again (the 15-minute start rule), or null when it will not
     *                  (subscriptions not managed)
     */
    public synchronized void disabled(StreamId s, String code, Instant restartAt) {
        Stream st = stream(s);
        if (st == null) {
            return;
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("errorCode", code);
        d.put("restartAt", restartAt == null ? null : restartAt.toString());
        String what =
                "AF20022".equals(code) ? "missing (AF20022)" : "disabled (" + (code == null ? "AF20023" : code) + ")";
        String fix = restartAt == null
                ? "Start it: o365-audit subscriptions start --content-type "
                        + s.contentType().wireName() + ", or set o365.subscriptions.manage.enabled=true."
                : "The connector starts it again at " + restartAt
                        + " (the API allows one start per content type every 15 minutes); nothing to do.";
        d.put("fix", fix);
        change(s, st, StreamState.DISABLED, "The subscription is " + what + ". " + fix, d);
    }

    /**
     * A frontier window was listed and its blobs delivered.
     *
     * @param caughtUp true when the window reached the service's time
     * @param lag      the service's time minus the stream's position
     * @param listed   blobs the window listed
     */
    public synchronized void progressed(StreamId s, boolean caughtUp, Duration lag, int listed) {
        Stream st = stream(s);
        if (st == null) {
            return;
        }
        Instant now = clock.instant();
        st.failingSince = null;
        st.lagMs = Math.max(0, lag.toMillis());
        if (listed > 0) {
            st.lastListed = now;
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("lagMs", st.lagMs);
        StreamState next;
        String msg;
        if (caughtUp) {
            Instant quietFrom = st.lastListed != null ? st.lastListed : st.startedAt;
            Duration quiet = Duration.between(quietFrom, now);
            if (!settings.quietAfter().isZero() && quiet.compareTo(settings.quietAfter()) >= 0) {
                next = StreamState.TENANT_QUIET;
                d.put("lastContentListedAt", st.lastListed == null ? null : st.lastListed.toString());
                d.put("quietForMs", quiet.toMillis());
                msg = "Caught up, but nothing was listed for " + hours(quiet) + ". Either nothing happened in "
                        + s.contentType().wireName() + ", or unified audit logging was turned off after the "
                        + "subscription was started (the API answers both with empty listings; check the tenant's "
                        + "audit log settings in Microsoft Purview).";
            } else {
                next = StreamState.CAUGHT_UP;
                msg = "Caught up with the service's time; everything listed was delivered.";
            }
        } else if (lag.compareTo(settings.laggingAfter()) >= 0) {
            next = StreamState.LAGGING;
            msg = "Collecting a backlog: " + hours(lag) + " behind the service's time.";
        } else {
            next = StreamState.COLLECTING;
            msg = "Collecting.";
        }
        st.running = next;
        change(s, st, next, msg, d);
    }

    /**
     * The stream reads its history through audit search: {@code history} on the health topic when it begins, with
     * where it stands in the details (the message follows each range; the gauge and the failure trace show it).
     *
     * @param done           every record of the stream created in {@code [start, done)} was handed over
     * @param seam           where the Management API's part begins
     * @param queriesRunning audit-search queries submitted and not finished
     */
    public synchronized void history(StreamId s, Instant start, Instant done, Instant seam, int queriesRunning) {
        Stream st = stream(s);
        if (st == null) {
            return;
        }
        st.failingSince = null;
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("historyStart", start.toString());
        d.put("historyDoneUpTo", done.toString());
        d.put("seam", seam.toString());
        d.put("queriesRunning", queriesRunning);
        st.running = StreamState.HISTORY;
        change(
                s,
                st,
                StreamState.HISTORY,
                "Reading history through audit search: done up to " + done + " of [" + start + ", " + seam + "); "
                        + queriesRunning + " queries running. The Management API's part begins at the seam.",
                d);
    }

    /**
     * A call of the stream failed transiently and is retried: throttling shows at once, other failures once they
     * last longer than the stall threshold.
     *
     * @param since when the failures began
     */
    public synchronized void retrying(StreamId s, ApiException e, Instant since) {
        Stream st = stream(s);
        if (st == null) {
            return;
        }
        Instant now = clock.instant();
        if (st.failingSince == null || since.isBefore(st.failingSince)) {
            st.failingSince = since;
        }
        if (isThrottling(e)) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("retryAfterMs", e.retryAfter().map(Duration::toMillis).orElse(null));
            d.put("errorCode", e.errorCode().orElse(null));
            change(
                    s,
                    st,
                    StreamState.THROTTLED,
                    "The service throttles this stream's calls"
                            + e.retryAfter()
                                    .map(r -> " (Retry-After " + r.toSeconds() + " s)")
                                    .orElse("")
                            + "; retrying. Nothing is skipped. If it lasts, lower o365.requests.per.minute or "
                            + "o365.fetch.concurrency, or check other apps using the same PublisherIdentifier.",
                    d);
            return;
        }
        if (Duration.between(st.failingSince, now).compareTo(settings.stalledAfter()) >= 0) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("failingSince", st.failingSince.toString());
            d.put("httpStatus", e.httpStatus() > 0 ? e.httpStatus() : null);
            d.put("errorCode", e.errorCode().orElse(null));
            d.put("lastError", e.getMessage());
            change(
                    s,
                    st,
                    StreamState.STALLED,
                    "The service has failed for this stream since " + st.failingSince
                            + " (an outage); retrying with backoff. Nothing is skipped while blobs are not expired.",
                    d);
        }
    }

    /** A call of the stream succeeded after failures: a throttled or stalled stream is back to its last state. */
    public synchronized void answered(StreamId s) {
        Stream st = stream(s);
        if (st == null) {
            return;
        }
        st.failingSince = null;
        if (st.state == StreamState.THROTTLED || st.state == StreamState.STALLED) {
            StreamState back = st.running != null ? st.running : StreamState.SUBSCRIBED;
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("lagMs", st.lagMs);
            change(s, st, back, "The service answers again; collection goes on.", d);
        }
    }

    /** The stream cannot collect because of a permanent failure (it fails the task, or is retried with backoff). */
    public synchronized void failed(StreamId s, ApiException e) {
        Stream st = stream(s);
        if (st == null) {
            return;
        }
        Classified c = classify(s.contentType(), e);
        change(s, st, c.state(), c.message(), c.details());
    }

    /** The state and details of a permanent failure. */
    record Classified(StreamState state, String message, Map<String, Object> details) {}

    static Classified classify(ContentType type, ApiException e) {
        Map<String, Object> d = new LinkedHashMap<>();
        String code = e.errorCode().orElse(null);
        d.put("errorCode", code);
        d.put("httpStatus", e.httpStatus() > 0 ? e.httpStatus() : null);
        String text = e.getMessage() == null ? "" : e.getMessage();
        String lower = text.toLowerCase(Locale.ROOT);
        if ("AF10001".equals(code)
                || (e.httpStatus() == 401 && type == ContentType.DLP_ALL)
                || lower.contains("readdlp")) {
            String permission = type == ContentType.DLP_ALL && !"AF10001".equals(code)
                    ? "ActivityFeed.ReadDlp"
                    : "ActivityFeed.Read";
            d.put("permission", permission);
            return new Classified(
                    StreamState.PERMISSION_MISSING,
                    "The app lacks the permission " + permission + " (Application) of 'Office 365 Management APIs', "
                            + "or admin consent was revoked: grant it and admin consent. " + text,
                    d);
        }
        if (lower.contains("auditlogsquery")) {
            // audit search (the history phase) refused: its own permission, on Microsoft Graph
            d.put("permission", "AuditLogsQuery.Read.All");
            return new Classified(
                    StreamState.PERMISSION_MISSING,
                    "The app lacks the permission AuditLogsQuery.Read.All (Application) of Microsoft Graph, needed "
                            + "to read history (o365.history.start): grant it and admin consent. " + text,
                    d);
        }
        if (e.kind() == ErrorKind.AUTHENTICATION) {
            return new Classified(
                    StreamState.SIGN_IN_FAILED,
                    "Signing in fails: consent revoked, the credential wrong or expired, or the app deleted. " + text,
                    d);
        }
        if ("AF20012".equals(code) || lower.contains("audit logging")) {
            return new Classified(
                    StreamState.AUDIT_OFF,
                    "The audit service does not know this tenant: turn on unified audit logging (Microsoft Purview, "
                            + "Audit) and allow up to 60 minutes. " + text,
                    d);
        }
        if (e.kind() == ErrorKind.RESUBSCRIBE) {
            return new Classified(StreamState.DISABLED, text, d);
        }
        return new Classified(StreamState.FAILED, text, d);
    }

    static boolean isThrottling(ApiException e) {
        return "AF429".equalsIgnoreCase(e.errorCode().orElse("")) || e.httpStatus() == 429;
    }

    /**
     * Stream {@code s} sent, for the first time since the task started, a value the mapping tables do not know (told by
     * the schema-drift radar, on the task thread): queued as one {@link HealthEvent.Kind#SCHEMA_DRIFT} record keyed by
     * the stream, published at the task's next hand-over.
     *
     * @param drift      what drifted: {@code record-type}, {@code operation} or {@code field}
     * @param value      the RecordType number, the Operation, or the field name
     * @param recordType the record's RecordType, or null
     * @param message    for a person, e.g. {@code new RecordType 463 first seen in Audit.General}
     */
    public synchronized void schemaDrift(StreamId s, String drift, String value, Integer recordType, String message) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("drift", drift);
        d.put("value", value);
        d.put("recordType", recordType);
        enqueue(new HealthEvent(
                HealthEvent.Kind.SCHEMA_DRIFT,
                s,
                s.encode(),
                s.tenantId(),
                SCHEMA_DRIFT,
                null,
                clock.instant(),
                message,
                d));
    }

    // ------------------------------------------------------------------ blobs listed and not yet delivered

    /** Blobs listed that the stream will deliver (a blob listed again keeps its first listing time). */
    public synchronized void listed(StreamId s, Collection<ContentBlob> blobs) {
        Stream st = stream(s);
        if (st == null) {
            return;
        }
        Instant now = clock.instant();
        for (ContentBlob b : blobs) {
            st.pending.putIfAbsent(b.contentId(), new Pending(b, now));
        }
    }

    /**
     * A blob's last record (or its skip) was handed over. Logs one line when that happened within the expiry margin
     * of its {@code contentExpiration} (the expiry risk). Returns true in that case.
     */
    public synchronized boolean delivered(StreamId s, ContentBlob blob, Instant serviceNow) {
        Stream st = stream(s);
        if (st != null) {
            st.pending.remove(blob.contentId());
        }
        Instant exp = blob.contentExpiration();
        if (exp != null && Duration.between(serviceNow, exp).compareTo(settings.expiryMargin()) < 0) {
            blobExpiryRisks.increment();
            log.warn(
                    "Stream {}: blob {} (contentCreated {}) was delivered at {}, {} before its contentExpiration {} "
                            + "(expiry risk: less than the margin o365.health.expiry.margin.ms = {} ms)",
                    s,
                    blob.contentId(),
                    blob.contentCreated(),
                    serviceNow,
                    Duration.between(serviceNow, exp),
                    exp,
                    settings.expiryMargin().toMillis());
            return true;
        }
        return false;
    }

    /** The stream stopped delivering what it listed (it restarts from its position and lists them again). */
    public synchronized void pendingForgotten(StreamId s) {
        Stream st = stream(s);
        if (st != null) {
            st.pending.clear();
        }
    }

    /** Blobs listed and not yet delivered. */
    public synchronized int blobsPending(StreamId s) {
        Stream st = stream(s);
        return st == null ? 0 : st.pending.size();
    }

    /** Milliseconds since the oldest blob listed and not yet delivered was first listed, or 0. */
    public synchronized long oldestPendingAgeMs(StreamId s) {
        Stream st = stream(s);
        if (st == null || st.pending.isEmpty()) {
            return 0;
        }
        Instant now = clock.instant();
        return st.pending.values().stream()
                .mapToLong(p -> Math.max(0, Duration.between(p.listedAt, now).toMillis()))
                .max()
                .orElse(0);
    }

    // ------------------------------------------------------------------ reading

    /** The stream's state, or null when it is not one of this monitor's. */
    public synchronized StreamState state(StreamId s) {
        Stream st = stream(s);
        return st == null ? null : st.state;
    }

    /** The {@code stream-health-state} gauge: the state's code, 0 when unknown. */
    public synchronized long stateCode(StreamId s) {
        StreamState state = state(s);
        return state == null ? 0 : state.code();
    }

    /** One line for a person: the state, since when, and its message (for a failed task's status trace). */
    public synchronized String describe(StreamId s) {
        Stream st = stream(s);
        if (st == null) {
            return s + ": unknown";
        }
        return s + " is " + st.state.wireName() + " since " + st.since + ": " + st.message;
    }

    /** Every stream of the monitor. */
    public synchronized List<StreamId> streams() {
        return List.copyOf(streams.keySet());
    }

    // ------------------------------------------------------------------ periodic work and hand-over

    /** Raises or clears the warnings and queues the summary when due. Call often (each poll). */
    public synchronized void tick() {
        Instant now = clock.instant();
        checkCredentials(now);
        for (Map.Entry<StreamId, Stream> e : streams.entrySet()) {
            checkExpiry(e.getKey(), e.getValue(), now);
        }
        checkCoverage(now);
        if (!settings.summaryInterval().isZero()
                && Duration.between(lastSummary, now).compareTo(settings.summaryInterval()) >= 0) {
            lastSummary = now;
            enqueue(summary(now));
        }
    }

    /** The events queued since the last call, oldest first. */
    public synchronized List<HealthEvent> drain() {
        List<HealthEvent> out = new ArrayList<>(queue);
        queue.clear();
        return out;
    }

    /** The task's summary now (also queued every summary interval by {@link #tick()}). */
    public synchronized HealthEvent summary(Instant now) {
        Map<StreamState, Integer> counts = new EnumMap<>(StreamState.class);
        List<Object> list = new ArrayList<>();
        for (Map.Entry<StreamId, Stream> e : streams.entrySet()) {
            Stream st = e.getValue();
            counts.merge(st.state, 1, Integer::sum);
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("tenant", e.getKey().tenantId());
            one.put("contentType", e.getKey().contentType().wireName());
            one.put("state", st.state.wireName());
            one.put("since", st.since.toString());
            one.put("lagMs", st.lagMs);
            one.put("blobsPending", st.pending.size());
            one.put("oldestPendingAgeMs", oldestPendingAgeMs(e.getKey()));
            list.add(one);
        }
        Map<String, Object> byState = new LinkedHashMap<>();
        counts.forEach((k, v) -> byState.put(k.wireName(), v));
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("streams", list);
        d.put("states", byState);
        d.put("blobExpiryRisksTotal", blobExpiryRisks.sum());
        d.put("lateness", latenessDetails());
        StringBuilder msg = new StringBuilder(streams.size() + " stream(s): ");
        String sep = "";
        for (Map.Entry<String, Object> e : byState.entrySet()) {
            msg.append(sep).append(e.getValue()).append(' ').append(e.getKey());
            sep = ", ";
        }
        return new HealthEvent(HealthEvent.Kind.SUMMARY, null, taskKey, null, "summary", null, now, msg.toString(), d);
    }

    /**
     * Per content type of the task's streams (and any other the figures name), in name order: {@code count},
     * {@code p50Ms}, {@code p90Ms}, {@code p99Ms}, {@code maxMs} (all 0 before a blob was measured).
     */
    private Map<String, Object> latenessDetails() {
        Map<String, LatenessHistogram.Snapshot> figures = lateness.get();
        Map<String, LatenessHistogram.Snapshot> all = new TreeMap<>();
        for (StreamId s : streams.keySet()) {
            all.put(s.contentType().wireName(), LatenessHistogram.Snapshot.EMPTY);
        }
        all.putAll(figures);
        Map<String, Object> out = new LinkedHashMap<>();
        all.forEach((type, f) -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("count", f.count());
            one.put("p50Ms", f.p50Ms());
            one.put("p90Ms", f.p90Ms());
            one.put("p99Ms", f.p99Ms());
            one.put("maxMs", f.maxMs());
            out.put(type, one);
        });
        return out;
    }

    private void checkCredentials(Instant now) {
        if (credentials.isEmpty()
                || (credentialCheckedAt != null
                        && Duration.between(credentialCheckedAt, now).compareTo(CREDENTIAL_CHECK_EVERY) < 0)) {
            return;
        }
        credentialCheckedAt = now;
        for (Map.Entry<String, Supplier<Optional<Instant>>> e : credentials.entrySet()) {
            String tenant = e.getKey();
            Optional<Instant> notAfter;
            try {
                notAfter = e.getValue().get();
            } catch (RuntimeException ex) {
                log.debug("Tenant {}: the credential's expiry could not be read: {}", tenant, ex.toString());
                continue;
            }
            if (notAfter.isEmpty()) {
                continue;
            }
            Duration left = Duration.between(now, notAfter.get());
            String standing = left.compareTo(settings.credentialWarning()) < 0 ? WARNING_CREDENTIAL : CREDENTIAL_VALID;
            String before = credentialPublished.put(tenant, standing);
            if (standing.equals(before)) {
                continue;
            }
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("notAfter", notAfter.get().toString());
            d.put("expiresInMs", left.toMillis());
            d.put("warningHorizonMs", settings.credentialWarning().toMillis());
            String msg = standing.equals(WARNING_CREDENTIAL)
                    ? (left.isNegative() ? "The app's certificate expired at " : "The app's certificate expires at ")
                            + notAfter.get() + " (notAfter). Upload a new certificate to the app registration, point "
                            + "o365.client.certificate.path (or .pem) at it (or replace the file) and restart the "
                            + "connector before then."
                    : "The app's certificate in use is valid until " + notAfter.get() + ", beyond the warning horizon.";
            enqueue(new HealthEvent(HealthEvent.Kind.WARNING, null, tenant, tenant, standing, before, now, msg, d));
        }
    }

    /**
     * Per content type with figures: its standing against the coverage, published the first time it is measured
     * ({@link #COVERAGE_OK} or {@link #WARNING_COVERAGE}, previous state null) and at each change. The figures count
     * since the task started and their maximum never falls, so a raised warning stays for the task's life; a task's
     * restart resets them, and its first standing replaces the previous run's on a compacted topic.
     */
    private void checkCoverage(Instant now) {
        if (coverage == null || coverage.isZero()) {
            return;
        }
        long thresholdMs = coverage.toMillis() / 100 * COVERAGE_RISK_PERCENT;
        for (Map.Entry<String, LatenessHistogram.Snapshot> e : lateness.get().entrySet()) {
            LatenessHistogram.Snapshot f = e.getValue();
            if (f.count() == 0) {
                continue;
            }
            String type = e.getKey();
            String standing = f.maxMs() >= thresholdMs ? WARNING_COVERAGE : COVERAGE_OK;
            String before = coveragePublished.put(type, standing);
            if (standing.equals(before)) {
                continue;
            }
            List<String> tenants = streams.keySet().stream()
                    .filter(s -> s.contentType().wireName().equals(type))
                    .map(StreamId::tenantId)
                    .distinct()
                    .toList();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("count", f.count());
            d.put("p99Ms", f.p99Ms());
            d.put("maxMs", f.maxMs());
            d.put("coverageMs", coverage.toMillis());
            d.put("thresholdMs", thresholdMs);
            d.put("tenants", tenants);
            Duration max = Duration.ofMillis(f.maxMs());
            String msg = standing.equals(WARNING_COVERAGE)
                    ? "Blobs of " + type + " became visible up to " + hours(max) + " after their contentCreated (the "
                            + "largest of " + f.count() + " measured since the task started), " + COVERAGE_RISK_PERCENT
                            + " % or more of o365.straggler.coverage.ms (" + hours(coverage) + "). A blob later than "
                            + "the coverage is never listed again, so it would be missed. Raise "
                            + "o365.straggler.coverage.ms (up to 7 days minus 15 minutes)."
                    : "Blobs of " + type + " became visible at most " + hours(max) + " after their contentCreated ("
                            + f.count() + " measured since the task started), under " + COVERAGE_RISK_PERCENT
                            + " % of o365.straggler.coverage.ms (" + hours(coverage) + ").";
            enqueue(new HealthEvent(
                    HealthEvent.Kind.WARNING,
                    null,
                    taskKey + "|" + type,
                    tenants.size() == 1 ? tenants.get(0) : null,
                    type,
                    standing,
                    before,
                    now,
                    msg,
                    d));
        }
    }

    private void checkExpiry(StreamId s, Stream st, Instant now) {
        Pending atRisk = null;
        // expires within the margin: before now + margin (one Instant per tick, not a Duration per pending blob)
        Instant risky = now.plus(settings.expiryMargin());
        for (Pending p : st.pending.values()) {
            Instant exp = p.blob.contentExpiration();
            if (exp != null
                    && exp.isBefore(risky)
                    && (atRisk == null || exp.isBefore(atRisk.blob.contentExpiration()))) {
                atRisk = p;
            }
        }
        if (atRisk != null && st.expiryWarning == null) {
            st.expiryWarning = now;
            ContentBlob b = atRisk.blob;
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("contentId", b.contentId());
            d.put("contentCreated", b.contentCreated().toString());
            d.put("contentExpiration", b.contentExpiration().toString());
            d.put("listedAt", atRisk.listedAt.toString());
            d.put("marginMs", settings.expiryMargin().toMillis());
            d.put("blobsPending", st.pending.size());
            enqueue(new HealthEvent(
                    HealthEvent.Kind.WARNING,
                    s,
                    s.encode(),
                    s.tenantId(),
                    WARNING_BLOB_EXPIRY,
                    null,
                    now,
                    "Blob " + b.contentId() + " was listed at " + atRisk.listedAt + " and is not delivered yet; it "
                            + "expires at " + b.contentExpiration() + ". If the service keeps failing for it, its "
                            + "records will be lost at the source (and published on the skips topic).",
                    d));
        } else if (atRisk == null && st.expiryWarning != null) {
            st.expiryWarning = null;
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("blobsPending", st.pending.size());
            enqueue(new HealthEvent(
                    HealthEvent.Kind.WARNING,
                    s,
                    s.encode(),
                    s.tenantId(),
                    CLEARED,
                    WARNING_BLOB_EXPIRY,
                    now,
                    "No blob of this stream is close to its contentExpiration any more.",
                    d));
        }
    }

    // ------------------------------------------------------------------ internals

    private Stream stream(StreamId s) {
        return streams.get(s);
    }

    private void change(StreamId s, Stream st, StreamState next, String message, Map<String, Object> details) {
        if (st.state == next) {
            st.message = message;
            return;
        }
        Instant now = clock.instant();
        StreamState previous = st.state;
        st.state = next;
        st.since = now;
        st.message = message;
        if (!queueEvents) {
            return;
        }
        if (next.healthy() || previous == null || previous.healthy()) {
            log.info("Stream {} is {}: {}", s, next.wireName(), message);
        } else {
            log.warn("Stream {} is {} (was {}): {}", s, next.wireName(), previous.wireName(), message);
        }
        enqueue(new HealthEvent(
                HealthEvent.Kind.STATE,
                s,
                s.encode(),
                s.tenantId(),
                next.wireName(),
                previous == null ? null : previous.wireName(),
                now,
                message,
                new LinkedHashMap<>(details)));
    }

    private void enqueue(HealthEvent e) {
        if (!queueEvents) {
            return;
        }
        if (queue.size() >= MAX_QUEUED) {
            queue.pollFirst();
            eventsDropped.increment();
        }
        queue.addLast(e);
    }

    private static String hours(Duration d) {
        long m = d.toMinutes();
        return m >= 120 ? (m / 60) + " h" : m + " min";
    }

    private record Pending(ContentBlob blob, Instant listedAt) {}

    private static final class Stream {
        final Instant startedAt;
        StreamState state;
        Instant since;
        String message;
        /** The state to go back to once a throttled or stalled stream is answered again. */
        StreamState running;

        Instant failingSince;
        Instant lastListed;
        long lagMs;
        final Map<String, Pending> pending = new LinkedHashMap<>();
        Instant expiryWarning;

        Stream(Instant now) {
            this.startedAt = now;
            this.since = now;
        }
    }
}
