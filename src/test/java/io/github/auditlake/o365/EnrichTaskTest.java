package io.github.auditlake.o365;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.records.RecordEnrichment;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.Directory;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import io.github.auditlake.o365.testkit.ConnectorConfigs;
import io.github.auditlake.o365.testkit.FakeTaskContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The task with Graph enrichment on, against the simulator's Management API and Graph: records carry who is behind
 * their GUIDs as headers, the value stays byte for byte, and a throttled or denied Graph marks records without
 * losing one.
 */
class EnrichTaskTest {
    static final String TENANT = TaskAgainstSimulatorTest.TENANT;
    static final String CLIENT = TaskAgainstSimulatorTest.CLIENT;
    static final Instant T0 = Instant.parse("2026-11-20T12:00:00Z");
    static final ObjectMapper JSON = new ObjectMapper();

    final SimClock clock = SimClock.fixed(T0);
    ManagementApiSimulator sim;

    void startSim(AppSpec app) {
        sim = ManagementApiSimulator.builder()
                .clock(clock)
                .seed(7)
                .pageSize(20)
                .tenant(TenantSpec.of(TENANT)
                        .app(app)
                        .volumeAll(Volume.of(3, 8))
                        .backfill(Duration.ofHours(3)))
                .build()
                .start();
    }

    @AfterEach
    void tearDown() {
        if (sim != null) {
            sim.close();
        }
    }

    Map<String, String> props(boolean enrich, String valueFormat) {
        ConnectorConfigs c = ConnectorConfigs.forSimulator(sim.baseUrl())
                .tenant(TENANT)
                .client(CLIENT, "s3cret")
                .contentTypes(ContentType.AZURE_ACTIVE_DIRECTORY, ContentType.GENERAL)
                .lookback(Duration.ofHours(3))
                .noHeartbeats()
                .task(TENANT + "|Audit.AzureActiveDirectory," + TENANT + "|Audit.General", 100000)
                .with("o365.graph.url", sim.baseUrl())
                .with("o365.enrich.enabled", Boolean.toString(enrich));
        if (valueFormat != null) {
            c.with("o365.value.format", valueFormat);
        }
        return c.build();
    }

    List<SourceRecord> run(Map<String, String> props, Instant until) throws Exception {
        FakeTaskContext ctx = new FakeTaskContext(false);
        List<SourceRecord> delivered = new ArrayList<>();
        O365AuditSourceTask task = TaskAgainstSimulatorTest.start(sim, clock, ctx, props);
        try {
            TaskAgainstSimulatorTest.pollUntil(
                    task, ctx, delivered, d -> clock.instant().isAfter(until), false);
        } finally {
            task.stop();
        }
        return delivered;
    }

    static String header(SourceRecord r, String key) {
        Header h = r.headers().lastWithName(key);
        return h == null ? null : (String) h.value();
    }

    /** The GUID the connector resolves as the actor: UserKey when a GUID, else the first GUID in Actor[].ID. */
    static String actorGuid(String json) throws Exception {
        JsonNode n = JSON.readTree(json);
        String key = n.path("UserKey").asText("");
        if (key.matches("[0-9a-fA-F-]{36}")) {
            return key.toLowerCase(Locale.ROOT);
        }
        for (JsonNode a : n.path("Actor")) {
            String id = a.path("ID").asText("");
            if (id.matches("[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}") && !id.startsWith("00000000-0000-0000-0000")) {
                return id.toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    static Map<Object, Object> valuesByKey(List<SourceRecord> records) {
        Map<Object, Object> m = new HashMap<>();
        records.forEach(r -> m.put(r.key(), r.value()));
        return m;
    }

    @Test
    void recordsCarryWhoIsBehindTheirGuidsAndTheValueStaysByteForByte() throws Exception {
        startSim(AppSpec.of(CLIENT).secret("s3cret"));
        Instant until = T0.plus(Duration.ofMinutes(20));
        List<SourceRecord> plain = run(props(false, null), until);
        clock.set(T0);
        List<SourceRecord> enriched = run(props(true, null), until);
        Map<Object, Object> before = valuesByKey(plain);
        Map<Object, Object> after = valuesByKey(enriched);
        Set<String> expected = new java.util.HashSet<>();
        for (ContentType t : List.of(ContentType.AZURE_ACTIVE_DIRECTORY, ContentType.GENERAL)) {
            expected.addAll(sim.expectedRecordIds(TENANT, t, T0.minus(Duration.ofHours(3)), T0));
        }
        assertTrue(expected.size() > 100);
        for (String id : expected) {
            assertNotNull(after.get(id), "delivered with enrichment on: " + id);
            assertEquals(before.get(id), after.get(id), "the value byte for byte: " + id);
        }
        int withActor = 0;
        for (SourceRecord r : enriched) {
            assertNull(header(r, RecordEnrichment.SKIPPED_HEADER));
            String guid = actorGuid((String) r.value());
            Directory.DirObject o = guid == null ? null : sim.directory().lookup(guid);
            if (o == null) {
                assertNull(header(r, "o365.actor.id"));
                continue;
            }
            withActor++;
            assertEquals(guid, header(r, "o365.actor.id"));
            assertEquals(o.type(), header(r, "o365.actor.type"));
            assertEquals(o.properties().get("displayName"), header(r, "o365.actor.displayName"));
            assertEquals(o.properties().get("userPrincipalName"), header(r, "o365.actor.upn"));
        }
        assertTrue(withActor > 50, "records enriched: " + withActor);
        // batched per poll and cached: far fewer lookups than records (how many polls a run takes depends on the
        // engine's batches, so the bound leaves room: one request per record, or per batch without a cache, fails it)
        assertTrue(
                sim.directory().requestCount() * 10 < enriched.size(),
                sim.directory().requestCount() + " Graph requests for " + enriched.size() + " records");
    }

    @Test
    void aThrottledGraphMarksRecordsAndLosesNone() throws Exception {
        startSim(AppSpec.of(CLIENT).secret("s3cret"));
        sim.directory().throttleAll(true, Duration.ofHours(2));
        Instant until = T0.plus(Duration.ofMinutes(20));
        List<SourceRecord> delivered = run(props(true, null), until);
        Set<String> expected = new java.util.HashSet<>();
        for (ContentType t : List.of(ContentType.AZURE_ACTIVE_DIRECTORY, ContentType.GENERAL)) {
            expected.addAll(sim.expectedRecordIds(TENANT, t, T0.minus(Duration.ofHours(3)), T0));
        }
        Set<Object> got = delivered.stream().map(SourceRecord::key).collect(Collectors.toSet());
        assertTrue(got.containsAll(expected), "every record delivered");
        int marked = 0;
        for (SourceRecord r : delivered) {
            if (actorGuid((String) r.value()) != null) {
                assertEquals("throttled", header(r, RecordEnrichment.SKIPPED_HEADER));
                assertNull(header(r, "o365.actor.id"));
                marked++;
            }
        }
        assertTrue(marked > 50, "records marked: " + marked);
    }

    @Test
    void withoutTheGraphPermissionRecordsGoOnMarkedDenied() throws Exception {
        startSim(AppSpec.of(CLIENT).secret("s3cret").roles(AppSpec.ROLE_READ));
        List<SourceRecord> delivered = run(props(true, null), T0.plus(Duration.ofMinutes(10)));
        assertTrue(delivered.size() > 50);
        for (SourceRecord r : delivered) {
            if (actorGuid((String) r.value()) != null) {
                assertEquals("denied", header(r, RecordEnrichment.SKIPPED_HEADER));
            }
        }
    }

    @Test
    void theStructValueCarriesTheEnrichmentField() throws Exception {
        startSim(AppSpec.of(CLIENT).secret("s3cret"));
        List<SourceRecord> delivered = run(props(true, "struct"), T0.plus(Duration.ofMinutes(10)));
        int found = 0;
        for (SourceRecord r : delivered) {
            Struct s = (Struct) r.value();
            String upn = header(r, "o365.actor.upn");
            Struct e = s.getStruct("enrichment");
            if (header(r, "o365.actor.id") == null) {
                continue;
            }
            assertNotNull(e);
            assertEquals(header(r, "o365.actor.id"), e.getStruct("actor").getString("id"));
            assertEquals(upn, e.getStruct("actor").getString("upn"));
            found++;
        }
        assertTrue(found > 20, "struct values enriched: " + found);
    }

    @Test
    void enrichmentResumesAfterAThrottlingStorm() throws Exception {
        startSim(AppSpec.of(CLIENT).secret("s3cret"));
        sim.directory().throttleAll(true, Duration.ofSeconds(60));
        Instant calm = T0.plus(Duration.ofMinutes(10));
        FakeTaskContext ctx = new FakeTaskContext(false);
        List<SourceRecord> delivered = new ArrayList<>();
        // a bound no loaded test machine reaches: the records are marked for the storm, never for a slow sign-in
        Map<String, String> props = new HashMap<>(props(true, null));
        props.put("o365.enrich.timeout.ms", "30000");
        O365AuditSourceTask task = TaskAgainstSimulatorTest.start(sim, clock, ctx, props);
        int[] stormEnd = {-1};
        try {
            TaskAgainstSimulatorTest.pollUntil(
                    task,
                    ctx,
                    delivered,
                    d -> {
                        if (stormEnd[0] < 0 && clock.instant().isAfter(calm)) {
                            sim.directory().throttleAll(false, Duration.ofSeconds(60));
                            stormEnd[0] = d.size();
                        }
                        return clock.instant().isAfter(T0.plus(Duration.ofMinutes(90)));
                    },
                    false);
        } finally {
            task.stop();
        }
        assertTrue(stormEnd[0] > 0);
        long throttled = delivered.subList(0, stormEnd[0]).stream()
                .filter(r -> "throttled".equals(header(r, RecordEnrichment.SKIPPED_HEADER)))
                .count();
        List<SourceRecord> after = delivered.subList(stormEnd[0], delivered.size());
        long enrichedAfter =
                after.stream().filter(r -> header(r, "o365.actor.id") != null).count();
        assertTrue(throttled > 50, "marked during the storm: " + throttled);
        assertTrue(enrichedAfter > 0, "enriched after the storm: " + enrichedAfter + " of " + after.size());
    }
}
