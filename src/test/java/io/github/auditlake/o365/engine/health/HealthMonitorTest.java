package io.github.auditlake.o365.engine.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.metrics.EngineMetrics;
import io.github.auditlake.o365.metrics.LatenessHistogram;
import io.github.auditlake.o365.testkit.LogCapture;
import io.github.auditlake.o365.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The health state machine and its warnings, with an injected clock. */
class HealthMonitorTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final StreamId EXCHANGE = new StreamId(TENANT, ContentType.EXCHANGE);
    static final StreamId GENERAL = new StreamId(TENANT, ContentType.GENERAL);
    static final Instant T0 = Instant.parse("2026-11-20T12:00:00Z");

    final ManualClock clock = new ManualClock(T0);
    final HealthMonitor health =
            new HealthMonitor(List.of(EXCHANGE, GENERAL), HealthSettings.DEFAULTS, clock, "c/task-0");

    static ApiException error(ErrorKind kind, int status, String code, Duration retryAfter) {
        return new ApiException(kind, status, code, "Listing content " + code, retryAfter, null, null);
    }

    List<HealthEvent> events(StreamId s) {
        return health.drain().stream().filter(e -> s.equals(e.stream())).toList();
    }

    /** The warnings queued (summaries and stream states left out). */
    List<HealthEvent> warnings() {
        return health.drain().stream()
                .filter(e -> e.kind() == HealthEvent.Kind.WARNING)
                .toList();
    }

    HealthEvent only(StreamId s) {
        List<HealthEvent> e = events(s);
        assertEquals(1, e.size(), "one change: " + e);
        return e.get(0);
    }

    @Test
    void everyStreamStartsSigningInThenSubscribedThenCaughtUp() {
        HealthEvent first = only(EXCHANGE);
        assertEquals("signing-in", first.state());
        assertNull(first.previousState());
        assertEquals(EXCHANGE.encode(), first.key());
        health.subscribed(EXCHANGE, false, false);
        HealthEvent sub = only(EXCHANGE);
        assertEquals("subscribed", sub.state());
        assertEquals("signing-in", sub.previousState());
        health.progressed(EXCHANGE, true, Duration.ofSeconds(30), 4);
        HealthEvent up = only(EXCHANGE);
        assertEquals("caught-up", up.state());
        assertEquals(30_000L, up.details().get("lagMs"));
        assertEquals(StreamState.CAUGHT_UP.code(), health.stateCode(EXCHANGE));
    }

    @Test
    void theSameStateTwiceIsOneRecord() {
        health.drain();
        health.progressed(EXCHANGE, true, Duration.ZERO, 1);
        health.progressed(EXCHANGE, true, Duration.ZERO, 1);
        health.subscribed(EXCHANGE, false, false); // a check while running changes nothing
        assertEquals(1, events(EXCHANGE).size());
    }

    @Test
    void aBacklogBeyondTheLagThresholdIsLaggingWithItsLag() {
        health.drain();
        health.progressed(EXCHANGE, false, Duration.ofMinutes(20), 3);
        assertEquals("collecting", only(EXCHANGE).state());
        health.progressed(EXCHANGE, false, Duration.ofHours(30), 3);
        HealthEvent lag = only(EXCHANGE);
        assertEquals("lagging", lag.state());
        assertEquals(Duration.ofHours(30).toMillis(), lag.details().get("lagMs"));
    }

    @Test
    void throttlingShowsAtOnceWithItsRetryAfterAndClearsOnTheNextAnswer() {
        health.progressed(EXCHANGE, true, Duration.ZERO, 1);
        health.drain();
        health.retrying(EXCHANGE, error(ErrorKind.TRANSIENT, 429, "AF429", Duration.ofSeconds(42)), clock.instant());
        HealthEvent t = only(EXCHANGE);
        assertEquals("throttled", t.state());
        assertEquals(42_000L, t.details().get("retryAfterMs"));
        health.answered(EXCHANGE);
        HealthEvent back = only(EXCHANGE);
        assertEquals("caught-up", back.state());
        assertEquals("throttled", back.previousState());
    }

    @Test
    void anOutageIsStalledOnlyAfterTheThresholdWithItsStart() {
        health.progressed(EXCHANGE, true, Duration.ZERO, 1);
        health.drain();
        Instant began = clock.instant();
        ApiException outage = error(ErrorKind.TRANSIENT, 503, null, null);
        health.retrying(EXCHANGE, outage, began);
        clock.advance(Duration.ofMinutes(4));
        health.retrying(EXCHANGE, outage, began);
        assertTrue(events(EXCHANGE).isEmpty(), "a short outage is no state change");
        clock.advance(Duration.ofMinutes(1));
        health.retrying(EXCHANGE, outage, began);
        HealthEvent stalled = only(EXCHANGE);
        assertEquals("stalled", stalled.state());
        assertEquals(began.toString(), stalled.details().get("failingSince"));
        assertEquals(503, stalled.details().get("httpStatus"));
        health.answered(EXCHANGE);
        assertEquals("caught-up", only(EXCHANGE).state());
    }

    @Test
    void aDisabledSubscriptionSaysWhenItIsStartedAgainAndTheRestartIsARecovery() {
        health.progressed(EXCHANGE, true, Duration.ZERO, 1);
        health.drain();
        Instant at = T0.plus(Duration.ofMinutes(15));
        health.disabled(EXCHANGE, "AF20023", at);
        HealthEvent d = only(EXCHANGE);
        assertEquals("disabled", d.state());
        assertEquals("AF20023", d.details().get("errorCode"));
        assertEquals(at.toString(), d.details().get("restartAt"));
        assertTrue(((String) d.details().get("fix")).contains("starts it again"));
        health.subscribed(EXCHANGE, true, true);
        HealthEvent s = only(EXCHANGE);
        assertEquals("subscribed", s.state());
        assertEquals(true, s.details().get("webhookKept"));
        assertTrue(s.message().contains("started again"), s.message());
    }

    @Test
    void unmanagedSubscriptionsSayHowToStartThem() {
        health.disabled(EXCHANGE, "AF20022", null);
        HealthEvent d = events(EXCHANGE).get(1);
        assertEquals("disabled", d.state());
        assertTrue(d.message().contains("subscriptions start"), d.message());
    }

    @Test
    void permanentFailuresAreClassifiedWithTheFix() {
        health.drain();
        health.failed(EXCHANGE, error(ErrorKind.PERMANENT, 401, "AF10001", null));
        HealthEvent p = only(EXCHANGE);
        assertEquals("permission-missing", p.state());
        assertEquals("ActivityFeed.Read", p.details().get("permission"));
        StreamId dlp = new StreamId(TENANT, ContentType.DLP_ALL);
        assertEquals(
                StreamState.PERMISSION_MISSING,
                HealthMonitor.classify(ContentType.DLP_ALL, error(ErrorKind.PERMANENT, 401, null, null))
                        .state());
        assertEquals(
                "ActivityFeed.ReadDlp",
                HealthMonitor.classify(dlp.contentType(), error(ErrorKind.PERMANENT, 401, null, null))
                        .details()
                        .get("permission"));
        assertEquals(
                StreamState.SIGN_IN_FAILED,
                HealthMonitor.classify(ContentType.GENERAL, error(ErrorKind.AUTHENTICATION, 400, null, null))
                        .state());
        assertEquals(
                StreamState.AUDIT_OFF,
                HealthMonitor.classify(
                                ContentType.GENERAL,
                                new ApiException(
                                        ErrorKind.PERMANENT,
                                        400,
                                        null,
                                        "Starting the subscription: The audit service does not know this tenant: "
                                                + "unified audit logging may be off",
                                        null,
                                        null,
                                        null))
                        .state());
        assertEquals(
                StreamState.FAILED,
                HealthMonitor.classify(ContentType.GENERAL, error(ErrorKind.PERMANENT, 400, "AF20011", null))
                        .state());
    }

    @Test
    void aCaughtUpStreamThatListsNothingForTheQuietThresholdIsTenantQuiet() {
        health.progressed(EXCHANGE, true, Duration.ZERO, 0);
        health.drain();
        clock.advance(Duration.ofHours(23));
        health.progressed(EXCHANGE, true, Duration.ZERO, 0);
        assertTrue(events(EXCHANGE).isEmpty());
        clock.advance(Duration.ofHours(1));
        health.progressed(EXCHANGE, true, Duration.ZERO, 0);
        HealthEvent q = only(EXCHANGE);
        assertEquals("tenant-quiet", q.state());
        assertTrue(q.message().contains("audit"), q.message());
        health.progressed(EXCHANGE, true, Duration.ZERO, 2);
        assertEquals("caught-up", only(EXCHANGE).state());
    }

    @Test
    void pendingBlobsAreCountedWithTheAgeOfTheOldest() {
        ContentBlob a = blob("a", T0.plus(Duration.ofDays(7)));
        ContentBlob b = blob("b", T0.plus(Duration.ofDays(7)));
        health.listed(EXCHANGE, List.of(a));
        clock.advance(Duration.ofMinutes(3));
        health.listed(EXCHANGE, List.of(a, b)); // listed again: keeps its first listing time
        assertEquals(2, health.blobsPending(EXCHANGE));
        assertEquals(Duration.ofMinutes(3).toMillis(), health.oldestPendingAgeMs(EXCHANGE));
        health.delivered(EXCHANGE, a, clock.instant());
        assertEquals(1, health.blobsPending(EXCHANGE));
        assertEquals(0, health.oldestPendingAgeMs(EXCHANGE));
        health.pendingForgotten(EXCHANGE);
        assertEquals(0, health.blobsPending(EXCHANGE));
    }

    @Test
    void aBlobListedAndNotDeliveredCloseToItsExpiryIsWarnedAndClearedOnDelivery() {
        health.drain();
        ContentBlob risky = blob("risky", T0.plus(Duration.ofHours(30)));
        health.listed(EXCHANGE, List.of(risky, blob("safe", T0.plus(Duration.ofDays(6)))));
        health.tick();
        assertTrue(events(EXCHANGE).isEmpty(), "30 h from expiry is outside the 24 h margin");
        clock.advance(Duration.ofHours(7));
        health.tick();
        HealthEvent w = only(EXCHANGE);
        assertEquals(HealthEvent.Kind.WARNING, w.kind());
        assertEquals("blob-expiry-risk", w.state());
        assertEquals("risky", w.details().get("contentId"));
        assertEquals(risky.contentExpiration().toString(), w.details().get("contentExpiration"));
        health.tick();
        assertTrue(events(EXCHANGE).isEmpty(), "raised once");
        try (LogCapture log = LogCapture.open()) {
            assertTrue(health.delivered(EXCHANGE, risky, clock.instant()));
            assertEquals(
                    1,
                    log.lines().stream()
                            .filter(l -> l.contains("expiry risk") && l.contains("risky"))
                            .count(),
                    log.lines().toString());
        }
        assertEquals(1, health.blobExpiryRisks.sum());
        health.tick();
        HealthEvent cleared = only(EXCHANGE);
        assertEquals("cleared", cleared.state());
        assertEquals("blob-expiry-risk", cleared.previousState());
    }

    @Test
    void aBlobDeliveredWellBeforeItsExpiryIsNoRisk() {
        assertFalse(health.delivered(EXCHANGE, blob("x", T0.plus(Duration.ofDays(3))), T0));
        assertEquals(0, health.blobExpiryRisks.sum());
    }

    @Test
    void aCertificateCloseToItsNotAfterIsWarnedOnceAndARenewedOneIsValidAgain() {
        AtomicReference<Instant> notAfter = new AtomicReference<>(T0.plus(Duration.ofDays(9)));
        health.credential(TENANT, () -> Optional.of(notAfter.get()));
        health.drain();
        health.tick();
        List<HealthEvent> w = warnings();
        assertEquals(1, w.size(), w.toString());
        assertEquals(HealthEvent.Kind.WARNING, w.get(0).kind());
        assertEquals("credential-expiring", w.get(0).state());
        assertEquals(TENANT, w.get(0).key());
        assertEquals(notAfter.get().toString(), w.get(0).details().get("notAfter"));
        assertEquals(Duration.ofDays(9).toMillis(), w.get(0).details().get("expiresInMs"));
        clock.advance(Duration.ofMinutes(2));
        health.tick();
        assertTrue(warnings().isEmpty(), "warned once");
        notAfter.set(T0.plus(Duration.ofDays(365)));
        clock.advance(Duration.ofMinutes(2));
        health.tick();
        List<HealthEvent> c = warnings();
        assertEquals(1, c.size(), c.toString());
        assertEquals("credential-valid", c.get(0).state());
        assertEquals("credential-expiring", c.get(0).previousState());
    }

    @Test
    void aCertificateFarFromExpiryIsValidUntilTimeBringsItWithinTheHorizon() {
        health.credential(TENANT, () -> Optional.of(T0.plus(Duration.ofDays(20))));
        health.drain();
        health.tick();
        List<HealthEvent> first = warnings();
        assertEquals(1, first.size(), first.toString());
        assertEquals("credential-valid", first.get(0).state());
        assertNull(first.get(0).previousState());
        clock.advance(Duration.ofDays(5));
        health.tick();
        assertTrue(warnings().isEmpty(), "15 days left: still outside the 14-day horizon");
        clock.advance(Duration.ofDays(1).plusMinutes(1));
        health.tick();
        List<HealthEvent> w = warnings();
        assertEquals(1, w.size(), w.toString());
        assertEquals("credential-expiring", w.get(0).state());
        assertEquals("credential-valid", w.get(0).previousState());
    }

    @Test
    void anUnknownCredentialExpiryPublishesNothing() {
        health.credential(TENANT, Optional::empty);
        health.drain();
        health.tick();
        assertTrue(warnings().isEmpty());
    }

    @Test
    void theSummaryComesEveryIntervalWithEachStreamsState() {
        health.progressed(EXCHANGE, true, Duration.ofSeconds(5), 1);
        health.listed(GENERAL, List.of(blob("g", T0.plus(Duration.ofDays(7)))));
        health.drain();
        clock.advance(Duration.ofMinutes(4));
        health.tick();
        assertTrue(health.drain().isEmpty());
        clock.advance(Duration.ofMinutes(1));
        health.tick();
        List<HealthEvent> s = health.drain();
        assertEquals(1, s.size());
        HealthEvent sum = s.get(0);
        assertEquals(HealthEvent.Kind.SUMMARY, sum.kind());
        assertEquals("c/task-0", sum.key());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> streams =
                (List<Map<String, Object>>) sum.details().get("streams");
        assertEquals("caught-up", streams.get(0).get("state"));
        assertEquals(1, streams.get(1).get("blobsPending"));
        assertEquals(Duration.ofMinutes(5).toMillis(), streams.get(1).get("oldestPendingAgeMs"));
        assertEquals(Map.of("signing-in", 1, "caught-up", 1), sum.details().get("states"));
    }

    /**
     * The summary carries each content type's lateness figures as the engine measured them: every content type of the
     * task's streams (zeros before a blob was measured), each with its count, percentiles and maximum.
     */
    @Test
    void theSummaryCarriesTheLatenessFiguresOfEachContentType() {
        EngineMetrics metrics = new EngineMetrics();
        health.lateness(metrics::latenessSnapshots, Duration.ofHours(24));
        metrics.lateness("Audit.Exchange").record(Duration.ofSeconds(90));
        metrics.lateness("Audit.Exchange").record(Duration.ofHours(20));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> lateness =
                (Map<String, Map<String, Object>>) health.summary(T0).details().get("lateness");
        assertEquals(List.of("Audit.Exchange", "Audit.General"), List.copyOf(lateness.keySet()));
        Map<String, Object> exchange = lateness.get("Audit.Exchange");
        LatenessHistogram.Snapshot f = metrics.latenessSnapshot("Audit.Exchange");
        assertEquals(2L, exchange.get("count"));
        assertEquals(Duration.ofHours(20).toMillis(), exchange.get("maxMs"));
        assertEquals(f.p50Ms(), exchange.get("p50Ms"));
        assertEquals(f.p90Ms(), exchange.get("p90Ms"));
        assertEquals(f.p99Ms(), exchange.get("p99Ms"));
        assertTrue((long) exchange.get("p50Ms") < Duration.ofMinutes(2).toMillis(), "median of the prompt half");
        assertEquals(
                Map.of("count", 0L, "p50Ms", 0L, "p90Ms", 0L, "p99Ms", 0L, "maxMs", 0L), lateness.get("Audit.General"));
    }

    /**
     * A content type's standing against the coverage is published once measured, then the warning when the largest
     * lateness reaches 80 % of the coverage: once, keyed by the task and the content type, never cleared while the
     * task runs (its figures' maximum never falls).
     */
    @Test
    void lateBlobsNearTheCoverageRaiseCoverageRiskOnceAndItIsNeverClearedWhileTheTaskRuns() {
        EngineMetrics metrics = new EngineMetrics();
        health.lateness(metrics::latenessSnapshots, Duration.ofHours(24));
        health.drain();
        health.tick();
        assertTrue(warnings().isEmpty(), "nothing measured: no standing");
        metrics.lateness("Audit.Exchange").record(Duration.ofMinutes(10));
        health.tick();
        HealthEvent ok = onlyWarning();
        assertEquals(HealthMonitor.COVERAGE_OK, ok.state());
        assertNull(ok.previousState());
        assertEquals("c/task-0|Audit.Exchange", ok.key());
        assertEquals(TENANT, ok.tenant());
        assertEquals("Audit.Exchange", ok.contentType());
        assertNull(ok.stream());
        metrics.lateness("Audit.Exchange").record(Duration.ofHours(19)); // under 19.2 h, 80 % of a day
        health.tick();
        assertTrue(warnings().isEmpty(), "under the threshold: no change");
        metrics.lateness("Audit.Exchange").record(Duration.ofHours(20));
        clock.advance(Duration.ofMinutes(1));
        health.tick();
        HealthEvent risk = onlyWarning();
        assertEquals(HealthMonitor.WARNING_COVERAGE, risk.state());
        assertEquals(HealthMonitor.COVERAGE_OK, risk.previousState());
        assertEquals(ok.key(), risk.key());
        assertEquals(T0.plus(Duration.ofMinutes(1)), risk.since());
        assertEquals(Duration.ofHours(20).toMillis(), risk.details().get("maxMs"));
        assertEquals(3L, risk.details().get("count"));
        assertEquals(Duration.ofHours(24).toMillis(), risk.details().get("coverageMs"));
        assertEquals(Duration.ofMinutes(19 * 60 + 12).toMillis(), risk.details().get("thresholdMs"));
        assertEquals(List.of(TENANT), risk.details().get("tenants"));
        assertTrue(risk.message().contains("o365.straggler.coverage.ms"), risk.message());
        for (int i = 0; i < 3; i++) {
            metrics.lateness("Audit.Exchange").record(Duration.ofMinutes(1));
            clock.advance(Duration.ofHours(1));
            health.tick();
        }
        assertTrue(warnings().isEmpty(), "raised once, never cleared while the task runs");
        assertTrue(metrics.latenessSnapshots().keySet().stream().noneMatch(t -> t.equals("Audit.General")));
    }

    /**
     * A task's restart resets the figures: the new task's first standing of a content type is published with no
     * previous state under the same key, so on a compacted topic it replaces the previous run's warning.
     */
    @Test
    void aRestartedTasksFirstStandingReplacesThePreviousRunsCoverageRisk() {
        HealthMonitor restarted =
                new HealthMonitor(List.of(EXCHANGE, GENERAL), HealthSettings.DEFAULTS, clock, "c/task-0");
        EngineMetrics metrics = new EngineMetrics();
        restarted.lateness(metrics::latenessSnapshots, Duration.ofHours(2));
        metrics.lateness("Audit.General").record(Duration.ofMinutes(95)); // 80 % of 2 h is 96 min
        restarted.tick();
        List<HealthEvent> w = restarted.drain().stream()
                .filter(e -> e.kind() == HealthEvent.Kind.WARNING)
                .toList();
        assertEquals(1, w.size(), w.toString());
        assertEquals("c/task-0|Audit.General", w.get(0).key());
        assertEquals(HealthMonitor.COVERAGE_OK, w.get(0).state());
        assertNull(w.get(0).previousState());
        metrics.lateness("Audit.General").record(Duration.ofMinutes(96));
        restarted.tick();
        assertEquals(
                List.of(HealthMonitor.WARNING_COVERAGE),
                restarted.drain().stream()
                        .filter(e -> e.kind() == HealthEvent.Kind.WARNING)
                        .map(HealthEvent::state)
                        .toList(),
                "exactly at 80 % of the coverage");
    }

    /** A stream's first-seen drift value is one schema-drift record keyed by the stream, saying what drifted. */
    @Test
    void schemaDriftIsOneRecordKeyedByTheStreamSayingWhatDrifted() {
        health.drain();
        clock.advance(Duration.ofSeconds(7));
        health.schemaDrift(GENERAL, "record-type", "463", 463, "new RecordType 463 first seen in Audit.General");
        List<HealthEvent> e = health.drain();
        assertEquals(1, e.size(), e.toString());
        HealthEvent d = e.get(0);
        assertEquals(HealthEvent.Kind.SCHEMA_DRIFT, d.kind());
        assertEquals("schema-drift", d.kind().wireName());
        assertEquals(GENERAL.encode(), d.key());
        assertEquals(TENANT, d.tenant());
        assertEquals("Audit.General", d.contentType());
        assertEquals(HealthMonitor.SCHEMA_DRIFT, d.state());
        assertNull(d.previousState());
        assertEquals(T0.plusSeconds(7), d.since());
        assertEquals("new RecordType 463 first seen in Audit.General", d.message());
        assertEquals(Map.of("drift", "record-type", "value", "463", "recordType", 463), d.details());
        assertEquals(StreamState.SIGNING_IN, health.state(GENERAL), "drift is no change of the stream's state");
    }

    /**
     * Drift reported from several threads while another drains (the radar on the task thread, a drain at every poll)
     * is neither lost nor published twice.
     */
    @Test
    void driftReportedWhileAnotherThreadDrainsIsNeitherLostNorDuplicated() throws Exception {
        health.drain();
        int threads = 4;
        int each = 500;
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<Thread> reporters = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < each; i++) {
                    health.schemaDrift(EXCHANGE, "field", "F" + id + "_" + i, 2, "new field");
                }
            });
            th.start();
            reporters.add(th);
        }
        List<HealthEvent> drained = new java.util.ArrayList<>();
        go.countDown();
        while (reporters.stream().anyMatch(Thread::isAlive)) {
            drained.addAll(health.drain());
        }
        for (Thread th : reporters) {
            th.join();
        }
        drained.addAll(health.drain());
        assertEquals(threads * each, drained.size());
        assertEquals(
                threads * each,
                drained.stream().map(e -> e.details().get("value")).distinct().count(),
                "each value once");
    }

    HealthEvent onlyWarning() {
        List<HealthEvent> w = warnings();
        assertEquals(1, w.size(), "one warning: " + w);
        return w.get(0);
    }

    @Test
    void theFailureDescriptionNamesTheState() {
        health.failed(EXCHANGE, error(ErrorKind.PERMANENT, 401, "AF10001", null));
        String d = health.describe(EXCHANGE);
        assertTrue(d.contains("permission-missing") && d.contains("ActivityFeed.Read"), d);
    }

    static ContentBlob blob(String id, Instant expiration) {
        return new ContentBlob(
                "Audit.Exchange",
                id,
                "https://manage.office.com/x/" + id,
                expiration.minus(Duration.ofDays(7)),
                expiration);
    }

    /**
     * The history phase is a state of its own, {@code history}, with where it stands in the details; throttling of
     * audit search shows as {@code throttled} and returns to {@code history}; audit search's 403 is
     * {@code permission-missing} naming {@code AuditLogsQuery.Read.All}; the live part then moves on as usual.
     */
    @Test
    void theHistoryPhaseIsItsOwnStateAndItsErrorsMapToTheExistingStates() {
        health.drain();
        Instant start = T0.minus(Duration.ofDays(30));
        Instant seam = T0.minus(Duration.ofDays(7)).plus(Duration.ofMinutes(45));
        health.history(EXCHANGE, start, start, seam, 0);
        HealthEvent h = only(EXCHANGE);
        assertEquals("history", h.state());
        assertEquals(start.toString(), h.details().get("historyDoneUpTo"));
        assertEquals(seam.toString(), h.details().get("seam"));
        assertEquals(0, h.details().get("queriesRunning"));
        assertEquals(StreamState.HISTORY.code(), health.stateCode(EXCHANGE));
        assertTrue(StreamState.HISTORY.healthy());

        Instant later = start.plus(Duration.ofDays(3));
        health.history(EXCHANGE, start, later, seam, 4); // progress: no new record, the description follows
        assertEquals(List.of(), events(EXCHANGE));
        assertTrue(health.describe(EXCHANGE).contains(later.toString()), health.describe(EXCHANGE));
        assertTrue(health.describe(EXCHANGE).contains("4 queries running"), health.describe(EXCHANGE));

        health.retrying(
                EXCHANGE,
                new ApiException(
                        ErrorKind.TRANSIENT,
                        429,
                        null,
                        "Submitting an audit search was refused for now",
                        Duration.ofSeconds(30),
                        null,
                        null),
                T0);
        assertEquals("throttled", only(EXCHANGE).state());
        health.answered(EXCHANGE);
        HealthEvent back = only(EXCHANGE);
        assertEquals("history", back.state());
        assertEquals("throttled", back.previousState());

        health.failed(
                EXCHANGE,
                new ApiException(
                        ErrorKind.PERMANENT,
                        403,
                        null,
                        "Audit search is not permitted: grant the application the Microsoft Graph application "
                                + "permission AuditLogsQuery.Read.All (or the AuditLogsQuery-<service>.Read.All ones)",
                        null,
                        null,
                        null));
        HealthEvent denied = only(EXCHANGE);
        assertEquals("permission-missing", denied.state());
        assertEquals("AuditLogsQuery.Read.All", denied.details().get("permission"));

        health.progressed(EXCHANGE, false, Duration.ofMinutes(5), 3);
        assertEquals("collecting", only(EXCHANGE).state());
    }
}
