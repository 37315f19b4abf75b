package io.github.auditlake.o365.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.cursor.WindowPlanner;
import io.github.auditlake.o365.metrics.EngineMetrics;
import io.github.auditlake.o365.metrics.LatenessHistogram;
import io.github.auditlake.o365.settings.EngineMapping;
import io.github.auditlake.o365.settings.Resolved;
import io.github.auditlake.o365.settings.Setting;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import io.github.auditlake.o365.testkit.FakeManagementApi.FakeBlob;
import io.github.auditlake.o365.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Stragglers within minutes (issue 23), with the connector's default settings, in simulated time on a deterministic
 * timeline: the clock moves only when the test advances it, once the stream is asleep, so every record is stamped with
 * the simulated time it was handed over at. Promises: a blob that becomes visible up to a day late is delivered within
 * 5 minutes of becoming visible, exactly once; a quiet tenant's listings cost no more per hour than the frontier's one
 * listing a minute; and the lateness of blobs shows in the metrics.
 */
class StragglerDelayTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final StreamId EXCHANGE = new StreamId(TENANT, ContentType.EXCHANGE);
    static final Duration PROMISED = Duration.ofMinutes(5);

    final ManualClock truth = new ManualClock(NOW);
    final FakeManagementApi api = new FakeManagementApi(TENANT, truth);
    final List<CollectionEngine> engines = new ArrayList<>();

    @AfterEach
    void close() {
        engines.forEach(CollectionEngine::close);
    }

    /** The catalogue's defaults: the settings a connector gets when it sets none of these keys. */
    static final Resolved DEFAULTS = new Resolved() {
        @Override
        public <T> T value(Setting<T> s) {
            return s.defaultValue();
        }
    };

    /** The default engine settings, except a shorter initial lookback. */
    static EngineSettings defaults() {
        return defaults(Duration.ofHours(3));
    }

    static EngineSettings defaults(Duration lookback) {
        EngineSettings d = EngineMapping.from(DEFAULTS).build();
        return EngineSettings.builder(d.planner(), lookback)
                .pollInterval(d.pollInterval())
                .fetchConcurrency(d.fetchConcurrency())
                .bufferMaxBytes(d.bufferMaxBytes())
                .outputCapacity(d.outputCapacity())
                .heartbeatInterval(d.heartbeatInterval())
                .manageSubscriptions(d.manageSubscriptions())
                .backoff(d.backoffInitial(), d.backoffMax())
                .build();
    }

    CollectionEngine engine(EngineSettings s, EngineMetrics metrics) {
        CollectionEngine e = new CollectionEngine(
                List.of(EXCHANGE), t -> api, Map.of(), s, truth, truth.waitingSleeper(), new Random(3), metrics);
        engines.add(e);
        e.start();
        return e;
    }

    /**
     * Runs the engine until {@code until} on the test's timeline: waits (real time, with a deadline) until the stream
     * is asleep, takes everything it handed over, stamped with the simulated time, then advances the clock 15 seconds
     * (the engine's sleeps here are whole minutes, so its timeline is the same as with smaller steps).
     */
    static Map<String, List<Instant>> run(CollectionEngine e, ManualClock truth, Instant until) throws Exception {
        Map<String, List<Instant>> deliveredAt = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        while (truth.instant().isBefore(until)) {
            assertTrue(System.nanoTime() < deadline, "timed out at " + truth.instant());
            drain(e, truth, deliveredAt, Duration.ofMillis(1));
            if (truth.sleepers() > 0) {
                // asleep: everything of its last round is in the output queue
                drain(e, truth, deliveredAt, Duration.ZERO);
                truth.advance(Duration.ofSeconds(15));
            }
        }
        return deliveredAt;
    }

    static void drain(CollectionEngine e, ManualClock truth, Map<String, List<Instant>> into, Duration wait)
            throws Exception {
        for (Emission m : e.poll(wait, 10_000)) {
            if (m instanceof Emission.Event ev) {
                into.computeIfAbsent(ev.record().id(), k -> new ArrayList<>()).add(truth.instant());
            }
        }
    }

    /** A blob every 10 minutes over {@code [from, to)}, each visible when created. */
    List<FakeBlob> schedule(Instant from, Instant to) {
        List<FakeBlob> out = new ArrayList<>();
        for (Instant t = from; t.isBefore(to); t = t.plus(Duration.ofMinutes(10))) {
            out.add(api.addBlob(ContentType.EXCHANGE, t, t, 3));
        }
        return out;
    }

    @Test
    void theDefaultsAreTheOnesPromisedFor() {
        WindowPlanner p = defaults().planner();
        assertEquals(Duration.ofMinutes(3), p.sweepInterval(), "the day sweep's interval");
        assertEquals(Duration.ofHours(24), p.coverage());
        assertEquals(Duration.ofMinutes(1), defaults().pollInterval());
    }

    @Test
    void stragglersOneAndAHalfAndTwentyHoursLateAreDeliveredWithinFiveMinutesExactlyOnceWithDefaults()
            throws Exception {
        List<FakeBlob> blobs = schedule(NOW.minus(Duration.ofHours(3)), NOW.plus(Duration.ofHours(23)));
        // created between two scheduled blobs, visible 1.5 h and 20 h later, at odd seconds
        FakeBlob late90m = api.addBlob(
                ContentType.EXCHANGE,
                NOW.plus(Duration.ofMinutes(61)),
                NOW.plus(Duration.ofMinutes(61 + 90)).plusSeconds(17),
                2);
        FakeBlob late20h = api.addBlob(
                ContentType.EXCHANGE,
                NOW.plus(Duration.ofMinutes(122)),
                NOW.plus(Duration.ofMinutes(122)).plus(Duration.ofHours(20)).plusSeconds(41),
                2);
        EngineMetrics metrics = new EngineMetrics();
        CollectionEngine e = engine(defaults(), metrics);
        Map<String, List<Instant>> at = run(e, truth, NOW.plus(Duration.ofHours(23)));

        for (FakeBlob s : List.of(late90m, late20h)) {
            for (String id : s.recordIds()) {
                List<Instant> times = at.getOrDefault(id, List.of());
                assertEquals(1, times.size(), id + " delivered exactly once: " + times);
                Duration delay = Duration.between(s.visibleAt(), times.get(0));
                assertTrue(
                        !delay.isNegative() && delay.compareTo(PROMISED) <= 0,
                        id + " became visible at " + s.visibleAt() + " and was delivered " + delay + " later");
            }
        }
        for (FakeBlob b : blobs) {
            if (b.blob().contentCreated().isBefore(NOW.plus(Duration.ofHours(22)))) {
                for (String id : b.recordIds()) {
                    assertEquals(1, at.getOrDefault(id, List.of()).size(), id + " delivered exactly once");
                }
            }
        }
        assertEquals(2, metrics.stragglersFound.sum(), "both were found by the day sweep, and only they");
        LatenessHistogram.Snapshot l = metrics.latenessSnapshot("Audit.Exchange");
        assertTrue(l.maxMs() >= Duration.ofHours(20).toMillis(), "the 20-hour straggler is the largest lateness: " + l);
        assertTrue(
                l.maxMs() <= Duration.ofHours(20).plus(PROMISED).plusMinutes(1).toMillis(), l.toString());
        // the others are listed by the next frontier listing: within a minute (read to within the histogram's 10 %)
        assertTrue(l.p50Ms() <= Duration.ofSeconds(66).toMillis(), "most blobs are listed within a minute: " + l);
        assertEquals(blobs.size() - 3 * 6 + 2, l.count(), "each blob listed by the caught-up stream measured once");
    }

    @Test
    void aStragglerTwoDaysLateIsDeliveredWithinAnHourWithAWeekOfCoverage() throws Exception {
        schedule(NOW.minus(Duration.ofHours(3)), NOW.plus(Duration.ofHours(52)));
        FakeBlob late2d = api.addBlob(
                ContentType.EXCHANGE,
                NOW.plus(Duration.ofMinutes(61)),
                NOW.plus(Duration.ofMinutes(61)).plus(Duration.ofHours(48)).plusSeconds(23),
                2);
        EngineSettings d = defaults();
        WindowPlanner p = d.planner();
        WindowPlanner week = new WindowPlanner(
                Duration.ofHours(1),
                Duration.ofDays(7).minus(Duration.ofMinutes(15)),
                Duration.ofMinutes(15),
                p.sweepInterval());
        EngineSettings s = EngineSettings.builder(week, d.initialLookback())
                .pollInterval(d.pollInterval())
                .outputCapacity(d.outputCapacity())
                .build();
        CollectionEngine e = engine(s, new EngineMetrics());
        Map<String, List<Instant>> at = run(e, truth, NOW.plus(Duration.ofHours(51)));
        for (String id : late2d.recordIds()) {
            List<Instant> times = at.getOrDefault(id, List.of());
            assertEquals(1, times.size(), id + " delivered exactly once: " + times);
            Duration delay = Duration.between(late2d.visibleAt(), times.get(0));
            assertTrue(
                    delay.compareTo(Duration.ofHours(1)) <= 0, id + " delivered " + delay + " after it became visible");
        }
    }

    @Test
    void aQuietTenantsListingsCostOneRequestAMinuteWithTheDaySweepIncluded() throws Exception {
        // a quiet tenant: one blob an hour, and one straggler 5 hours late
        for (Instant t = NOW.minus(Duration.ofHours(3));
                t.isBefore(NOW.plus(Duration.ofHours(8)));
                t = t.plus(Duration.ofHours(1))) {
            api.addBlob(ContentType.EXCHANGE, t.plusSeconds(90), t.plusSeconds(90), 2);
        }
        FakeBlob late = api.addBlob(
                ContentType.EXCHANGE, NOW.plus(Duration.ofMinutes(30)), NOW.plus(Duration.ofMinutes(330)), 2);
        CollectionEngine e = engine(defaults(Duration.ofHours(25)), new EngineMetrics());
        Map<String, List<Instant>> at = run(e, truth, NOW.plus(Duration.ofHours(7)));

        Instant from = NOW.plus(Duration.ofHours(1));
        Instant to = NOW.plus(Duration.ofHours(7));
        long listings = api.windows().stream()
                .filter(w -> !w[2].isBefore(from) && w[2].isBefore(to))
                .count();
        long daySpans = api.windows().stream()
                .filter(w -> !w[2].isBefore(from) && w[2].isBefore(to))
                .filter(w -> Duration.between(w[0], w[1]).compareTo(Duration.ofHours(20)) > 0)
                .count();
        double hours = Duration.between(from, to).toMinutes() / 60.0;
        // one listing a minute (the frontier), every third one reaching back over the day: no request of its own
        assertTrue(listings / hours <= 61, "listings per hour: " + listings / hours);
        assertTrue(daySpans / hours >= 19, "the day is swept about every 3 minutes: " + daySpans / hours + "/h");
        assertEquals(1, at.get(late.recordIds().get(0)).size(), "the straggler, once");
    }
}
