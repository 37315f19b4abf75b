package io.github.auditlake.o365;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.config.O365SourceTaskConfig;
import io.github.auditlake.o365.testkit.Await;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import io.github.auditlake.o365.testkit.FakeTaskContext;
import io.github.auditlake.o365.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The task's health records: what they carry as a position, and a failed task's last word. */
class TaskHealthRecordsTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final String HEALTH = "audit-health";
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final ObjectMapper JSON = new ObjectMapper();
    final ManualClock clock = new ManualClock(NOW);
    final FakeManagementApi api = new FakeManagementApi(TENANT, clock);
    final List<O365AuditSourceTask> tasks = new ArrayList<>();

    @AfterEach
    void stop() {
        tasks.forEach(O365AuditSourceTask::stop);
    }

    O365AuditSourceTask start(FakeTaskContext ctx) {
        return start(ctx, Map.of());
    }

    O365AuditSourceTask start(FakeTaskContext ctx, Map<String, String> more) {
        Map<String, String> p = new HashMap<>();
        p.put("name", "conn");
        p.put("o365.tenant.id", TENANT);
        p.put("o365.client.id", "app");
        p.put("o365.client.secret", "s3cret");
        p.put("o365.initial.lookback.ms", Long.toString(Duration.ofDays(1).toMillis()));
        p.put("o365.heartbeat.interval.ms", "0");
        p.put("o365.health.topic", HEALTH);
        p.put("topic", "audit.${contentType}");
        p.put(O365SourceTaskConfig.TASK_STREAMS_CONFIG, TENANT + "|Audit.Exchange," + TENANT + "|Audit.General");
        p.put(O365SourceTaskConfig.TASK_REQUESTS_PER_MINUTE_CONFIG, "100");
        p.putAll(more);
        O365AuditSourceTask t = new O365AuditSourceTask((c, rpm, v) -> api, clock, clock.sleeper());
        tasks.add(t);
        t.initialize(ctx);
        t.start(p);
        return t;
    }

    /**
     * A health record never moves a stream's position: it carries the offset of the last record the task handed to
     * Connect for its stream (re-committing it changes nothing), or, before any, no partition and no offset (a null
     * offset with the stream's partition would be a tombstone resetting the stream).
     */
    @Test
    void healthRecordsCarryTheLastHandedOverPositionAndNeverOneAhead() throws Exception {
        api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(2)), 3);
        FakeTaskContext ctx = new FakeTaskContext(false);
        O365AuditSourceTask t = start(ctx);
        List<SourceRecord> all = new ArrayList<>();
        Await.untilBlocking(
                Duration.ofSeconds(20),
                Await.checked(() -> {
                    List<SourceRecord> batch = t.poll();
                    if (batch != null) {
                        all.addAll(batch);
                    }
                    return all.stream()
                                    .filter(r -> r.topic().equals(HEALTH))
                                    .filter(r -> r.key().equals(TENANT + "|Audit.Exchange"))
                                    .anyMatch(r -> ((String) r.value()).contains("\"caught-up\""))
                            && all.stream()
                                            .filter(r -> !r.topic().equals(HEALTH))
                                            .count()
                                    == 3;
                }),
                () -> "records so far: " + all.size());
        Map<Map<String, ?>, Map<String, ?>> lastHanded = new HashMap<>();
        int health = 0;
        for (SourceRecord r : all) {
            if (!r.topic().equals(HEALTH)) {
                lastHanded.put(r.sourcePartition(), r.sourceOffset());
                continue;
            }
            health++;
            JsonNode v = JSON.readTree((String) r.value());
            assertEquals(r.key(), v.path("key").asText());
            if (r.sourceOffset() == null) {
                assertNull(r.sourcePartition(), "no offset, no partition: " + v);
                if (v.hasNonNull("contentType")) {
                    String stream = v.path("key").asText();
                    assertTrue(
                            lastHanded.keySet().stream()
                                    .noneMatch(p -> stream.equals(p.get("tenant") + "|" + p.get("contentType"))),
                            "a stream with a handed-over position carries it: " + v);
                }
            } else {
                assertEquals(lastHanded.get(r.sourcePartition()), r.sourceOffset(), "the last handed position: " + v);
            }
        }
        assertTrue(health >= 4, "signing-in and a later state for each stream: " + health);
    }

    /**
     * A single-tenant task fails on a permanent error: its last poll() hands over the stream's health record, and the
     * failure (the task's status trace) names the stream's state.
     */
    @Test
    void aFailingTaskPublishesTheStateThenFailsWithItInItsMessage() throws Exception {
        api.failListing(new ApiException(
                ErrorKind.PERMANENT,
                401,
                "AF10001",
                "The permission set () sent in the request did not include the expected permission "
                        + "ActivityFeed.Read.",
                null,
                null,
                null));
        FakeTaskContext ctx = new FakeTaskContext(false);
        O365AuditSourceTask t = start(ctx);
        List<SourceRecord> health = new ArrayList<>();
        ConnectException e = assertThrows(
                ConnectException.class,
                () -> Await.untilBlocking(
                        Duration.ofSeconds(20),
                        Await.checked(() -> {
                            List<SourceRecord> batch = t.poll();
                            if (batch != null) {
                                health.addAll(batch);
                            }
                            return false;
                        }),
                        () -> "no failure"));
        assertTrue(e.getMessage().contains("Health:") && e.getMessage().contains("permission-missing"), e.getMessage());
        assertTrue(
                health.stream()
                        .map(r -> (String) r.value())
                        .anyMatch(v -> v.contains("\"permission-missing\"") && v.contains("ActivityFeed.Read")),
                health.toString());
    }

    /**
     * With connector-defined transactions, a poll that returns only health records ends the transaction on the last
     * of them: an idle stream sends nothing else that would, and a read_committed consumer would never see them.
     */
    @Test
    void withConnectorTransactionsEveryPollsLastHealthRecordEndsTheTransaction() throws Exception {
        FakeTaskContext ctx = new FakeTaskContext(true);
        O365AuditSourceTask t = start(ctx);
        List<List<SourceRecord>> polls = new ArrayList<>();
        Await.untilBlocking(
                Duration.ofSeconds(20),
                Await.checked(() -> {
                    List<SourceRecord> batch = t.poll();
                    if (batch != null) {
                        polls.add(batch);
                    }
                    return polls.stream()
                            .flatMap(List::stream)
                            .anyMatch(r -> ((String) r.value()).contains("\"caught-up\""));
                }),
                () -> "polls so far: " + polls);
        for (List<SourceRecord> batch : polls) {
            SourceRecord last = batch.get(batch.size() - 1);
            assertEquals(HEALTH, last.topic(), "nothing to deliver: only health records");
            assertTrue(ctx.transactions.commitsOn.contains(last), "the transaction ends on " + last.value());
        }
    }

    /** Polls {@code t} until a health record's value satisfies {@code done}; returns every health value seen. */
    static List<JsonNode> pollHealthUntil(O365AuditSourceTask t, java.util.function.Predicate<JsonNode> done)
            throws Exception {
        List<JsonNode> seen = new ArrayList<>();
        Await.untilBlocking(
                Duration.ofSeconds(30),
                Await.checked(() -> {
                    List<SourceRecord> batch = t.poll();
                    boolean found = false;
                    for (SourceRecord r : batch == null ? List.<SourceRecord>of() : batch) {
                        if (r.topic().equals(HEALTH)) {
                            JsonNode v = JSON.readTree((String) r.value());
                            seen.add(v);
                            found |= done.test(v);
                        }
                    }
                    return found;
                }),
                () -> "health records so far: " + seen);
        return seen;
    }

    /**
     * The task's periodic summary on the health topic carries the lateness its engine measured: a blob that becomes
     * visible 10 minutes after its contentCreated, listed by the caught-up stream, shows in its content type's figures.
     */
    @Test
    void theSummaryOnTheHealthTopicCarriesTheLatenessTheEngineMeasured() throws Exception {
        api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(2)), 1);
        // created after the start (so not in the initial backlog), visible 10 minutes later, when the stream is caught
        // up
        api.addBlob(ContentType.EXCHANGE, NOW.plus(Duration.ofMinutes(20)), NOW.plus(Duration.ofMinutes(30)), 1);
        O365AuditSourceTask t = start(
                new FakeTaskContext(false),
                Map.of(
                        "o365.health.summary.interval.ms",
                        "60000",
                        O365SourceTaskConfig.TASK_STREAMS_CONFIG,
                        TENANT + "|Audit.Exchange"));
        List<JsonNode> seen = pollHealthUntil(
                t,
                v -> v.path("kind").asText().equals("summary")
                        && v.path("details")
                                        .path("lateness")
                                        .path("Audit.Exchange")
                                        .path("count")
                                        .asLong()
                                > 0);
        JsonNode summary = seen.get(seen.size() - 1);
        JsonNode exchange = summary.path("details").path("lateness").path("Audit.Exchange");
        assertEquals(1, exchange.path("count").asLong(), summary.toString());
        long max = exchange.path("maxMs").asLong();
        assertTrue(max >= Duration.ofMinutes(10).toMillis(), summary.toString());
        assertEquals(max, exchange.path("p99Ms").asLong(), "one blob: every percentile is its lateness");
        assertEquals(max, exchange.path("p50Ms").asLong(), "one blob: every percentile is its lateness");
    }

    /**
     * The coverage-risk warning reaches the health topic with the task's coverage: with a coverage of one hour, a blob
     * that becomes visible 50 minutes after its contentCreated (over 48 minutes, 80 % of it) raises it, after a prompt
     * blob published the content type's first standing (coverage-ok).
     */
    @Test
    void aBlobVisibleNearlyAsLateAsTheCoverageRaisesCoverageRiskOnTheHealthTopic() throws Exception {
        // both created after the start (so not in the initial backlog) and listed by the caught-up stream
        api.addBlob(ContentType.EXCHANGE, NOW.plus(Duration.ofMinutes(20)), NOW.plus(Duration.ofMinutes(21)), 1);
        api.addBlob(ContentType.EXCHANGE, NOW.plus(Duration.ofMinutes(25)), NOW.plus(Duration.ofMinutes(75)), 1);
        O365AuditSourceTask t = start(
                new FakeTaskContext(false),
                Map.of(
                        "o365.straggler.coverage.ms",
                        Long.toString(Duration.ofHours(1).toMillis()),
                        O365SourceTaskConfig.TASK_STREAMS_CONFIG,
                        TENANT + "|Audit.Exchange"));
        List<JsonNode> seen = pollHealthUntil(t, v -> v.path("state").asText().equals("coverage-risk"));
        List<JsonNode> coverage = seen.stream()
                .filter(v -> v.path("key").asText().equals("conn/task-0|Audit.Exchange"))
                .toList();
        // the first standing is coverage-ok when the 1-minute straggler is measured in a tick of its own, else the
        // first measurement already holds the 50-minute one (how the streams' turns fall in simulated time)
        List<String> states =
                coverage.stream().map(v -> v.path("state").asText()).toList();
        assertTrue(
                states.equals(List.of("coverage-ok", "coverage-risk")) || states.equals(List.of("coverage-risk")),
                states.toString());
        JsonNode risk = coverage.get(coverage.size() - 1);
        assertEquals("warning", risk.path("kind").asText());
        assertEquals("Audit.Exchange", risk.path("contentType").asText());
        assertEquals(TENANT, risk.path("tenant").asText());
        if (states.size() == 2) {
            assertEquals("coverage-ok", risk.path("previousState").asText(), risk.toString());
        } else {
            // the first standing: no previous state (JSON null)
            assertTrue(risk.path("previousState").isNull(), risk.toString());
        }
        assertEquals(
                Duration.ofHours(1).toMillis(),
                risk.path("details").path("coverageMs").asLong());
        assertTrue(
                risk.path("details").path("maxMs").asLong()
                        >= Duration.ofMinutes(50).toMillis(),
                risk.toString());
    }

    /**
     * The schema-drift radar's first sighting reaches the health topic: a record with a RecordType missing from the
     * table is delivered, and a schema-drift record keyed by its stream follows it, carrying the position of that
     * record (handed over in the same poll or an earlier one), never one ahead.
     */
    @Test
    void anUnknownRecordTypeIsDeliveredAndItsFirstSightingIsASchemaDriftRecord() throws Exception {
        String unknown = "{\"CreationTime\":\"2026-11-20T09:59:30\",\"Id\":\"r9\",\"Operation\":\"Brand.New\","
                + "\"RecordType\":999,\"Workload\":\"Next\"}";
        api.addRawBlob(
                ContentType.EXCHANGE,
                NOW.minus(Duration.ofHours(2)),
                NOW.minus(Duration.ofHours(2)),
                List.of(
                        new io.github.auditlake.o365.api.AuditRecord(
                                unknown, "r9", "2026-11-20T09:59:30", "Next", 999, "Brand.New"),
                        new io.github.auditlake.o365.api.AuditRecord(
                                unknown.replace("r9", "r10"), "r10", "2026-11-20T09:59:30", "Next", 999, "Brand.New")));
        O365AuditSourceTask t = start(new FakeTaskContext(false));
        List<SourceRecord> all = new ArrayList<>();
        Await.untilBlocking(
                Duration.ofSeconds(20),
                Await.checked(() -> {
                    List<SourceRecord> batch = t.poll();
                    if (batch != null) {
                        all.addAll(batch);
                    }
                    return all.stream().filter(r -> !r.topic().equals(HEALTH)).count() == 2
                            && all.stream()
                                    .filter(r -> r.topic().equals(HEALTH))
                                    .anyMatch(r -> ((String) r.value()).contains("\"drift\":\"operation\""));
                }),
                () -> "records so far: " + all);
        List<JsonNode> drift = new ArrayList<>();
        Map<Map<String, ?>, Map<String, ?>> lastHanded = new HashMap<>();
        for (SourceRecord r : all) {
            if (!r.topic().equals(HEALTH)) {
                lastHanded.put(r.sourcePartition(), r.sourceOffset());
                continue;
            }
            JsonNode v = JSON.readTree((String) r.value());
            if (v.path("kind").asText().equals("schema-drift")) {
                drift.add(v);
                assertEquals(TENANT + "|Audit.Exchange", r.key());
                assertEquals(lastHanded.get(r.sourcePartition()), r.sourceOffset(), "the position handed over: " + v);
                assertTrue(r.sourceOffset() != null, "the drifting record was handed over first: " + v);
            }
        }
        assertEquals(
                List.of("record-type", "operation"),
                drift.stream()
                        .map(v -> v.path("details").path("drift").asText())
                        .toList(),
                "each value once per stream (json-bytes parses no fields): " + drift);
        JsonNode rt = drift.get(0);
        assertEquals("schema-drift", rt.path("state").asText());
        assertEquals("Audit.Exchange", rt.path("contentType").asText());
        assertEquals("999", rt.path("details").path("value").asText());
        assertEquals(999, rt.path("details").path("recordType").asInt());
        assertEquals(
                "new RecordType 999 first seen in Audit.Exchange",
                rt.path("message").asText());
        assertEquals("Brand.New", drift.get(1).path("details").path("value").asText());
    }
}
