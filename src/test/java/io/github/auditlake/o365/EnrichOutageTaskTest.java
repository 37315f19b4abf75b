package io.github.auditlake.o365;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.records.RecordEnrichment;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.Faults;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import io.github.auditlake.o365.testkit.ConnectorConfigs;
import io.github.auditlake.o365.testkit.FakeTaskContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Acceptance: a Graph outage and a Graph throttling storm neither stall nor fail the stream. Every record is
 * delivered, the records whose GUIDs could not be looked up carry {@code o365.enrich.skipped} with the reason, and
 * once Graph is back, records are enriched again. The storm ends when enough records were marked (not at a time of
 * the simulated clock, which a loaded machine may pass before the first poll).
 */
class EnrichOutageTaskTest {
    static final String TENANT = TaskAgainstSimulatorTest.TENANT;
    static final String CLIENT = TaskAgainstSimulatorTest.CLIENT;
    static final Instant T0 = Instant.parse("2026-11-20T12:00:00Z");
    /** Records marked before the outage ends. */
    static final int MARKED_BEFORE_RECOVERY = 40;

    final SimClock clock = SimClock.fixed(T0);
    ManagementApiSimulator sim;

    @AfterEach
    void tearDown() {
        if (sim != null) {
            sim.close();
        }
    }

    void startSim() {
        sim = ManagementApiSimulator.builder()
                .clock(clock)
                .seed(7)
                .pageSize(20)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret("s3cret"))
                        .volumeAll(Volume.of(3, 8))
                        .backfill(Duration.ofHours(3)))
                .build()
                .start();
    }

    Map<String, String> props() {
        return ConnectorConfigs.forSimulator(sim.baseUrl())
                .tenant(TENANT)
                .client(CLIENT, "s3cret")
                .contentTypes(ContentType.AZURE_ACTIVE_DIRECTORY, ContentType.GENERAL)
                .lookback(Duration.ofHours(3))
                .noHeartbeats()
                .task(TENANT + "|Audit.AzureActiveDirectory," + TENANT + "|Audit.General", 100000)
                .with("o365.graph.url", sim.baseUrl())
                .with("o365.enrich.enabled", "true")
                // a bound no loaded test machine reaches: records are marked for the outage, not for a slow sign-in
                .with("o365.enrich.timeout.ms", "30000")
                .build();
    }

    static String skipped(SourceRecord r) {
        return EnrichTaskTest.header(r, RecordEnrichment.SKIPPED_HEADER);
    }

    static boolean hasGuid(SourceRecord r) throws Exception {
        return EnrichTaskTest.actorGuid((String) r.value()) != null;
    }

    /**
     * Runs the task with Graph failing from the start; {@code recover} ends the failure once
     * {@link #MARKED_BEFORE_RECOVERY} records were marked; then runs on for 90 simulated minutes. Returns the records
     * and, in {@code recoveredAt[0]}, how many had been delivered when Graph recovered.
     */
    List<SourceRecord> runThrough(Runnable recover, int[] recoveredAt) throws Exception {
        FakeTaskContext ctx = new FakeTaskContext(false);
        List<SourceRecord> delivered = new ArrayList<>();
        O365AuditSourceTask task = TaskAgainstSimulatorTest.start(sim, clock, ctx, props());
        Instant[] endAt = {null};
        try {
            TaskAgainstSimulatorTest.pollUntil(
                    task,
                    ctx,
                    delivered,
                    d -> {
                        if (recoveredAt[0] < 0
                                && d.stream().filter(r -> skipped(r) != null).count() >= MARKED_BEFORE_RECOVERY) {
                            recover.run();
                            recoveredAt[0] = d.size();
                            endAt[0] = clock.instant().plus(Duration.ofMinutes(90));
                        }
                        return endAt[0] != null && clock.instant().isAfter(endAt[0]);
                    },
                    false);
        } finally {
            task.stop();
        }
        return delivered;
    }

    /** Every record of the blobs created in the 3 hours before the start and the hour after is delivered. */
    void everyRecordDelivered(List<SourceRecord> delivered) {
        Set<String> expected = new HashSet<>();
        for (ContentType t : List.of(ContentType.AZURE_ACTIVE_DIRECTORY, ContentType.GENERAL)) {
            expected.addAll(
                    sim.expectedRecordIds(TENANT, t, T0.minus(Duration.ofHours(3)), T0.plus(Duration.ofHours(1))));
        }
        Set<Object> got = new HashSet<>();
        delivered.forEach(r -> got.add(r.key()));
        assertTrue(expected.size() > 100, "records expected: " + expected.size());
        for (String id : expected) {
            assertTrue(got.contains(id), "delivered: " + id);
        }
    }

    /**
     * Before recovery every record with a GUID is marked {@code reason}; after it, records are enriched again, and
     * once one is, no later record is marked.
     */
    void markedThenResumed(List<SourceRecord> delivered, int recoveredAt, String reason) throws Exception {
        assertTrue(recoveredAt > 0, "Graph recovered during the run");
        int marked = 0;
        for (SourceRecord r : delivered.subList(0, recoveredAt)) {
            if (hasGuid(r)) {
                assertEquals(reason, skipped(r), "marked while Graph failed: " + r.key());
                assertNull(EnrichTaskTest.header(r, "o365.actor.id"));
                marked++;
            }
        }
        assertTrue(marked >= MARKED_BEFORE_RECOVERY, "marked: " + marked);
        List<SourceRecord> after = delivered.subList(recoveredAt, delivered.size());
        int firstEnriched = -1;
        for (int i = 0; i < after.size(); i++) {
            if (EnrichTaskTest.header(after.get(i), "o365.actor.id") != null) {
                firstEnriched = i;
                break;
            }
        }
        assertTrue(firstEnriched >= 0, "enriched again after recovery: none of " + after.size());
        for (SourceRecord r : after.subList(firstEnriched, after.size())) {
            assertNull(skipped(r), "once resumed, no record is marked: " + r.key());
        }
    }

    @Test
    void aGraphOutageNeitherStallsNorFailsTheStreamAndEnrichmentResumesAfter() throws Exception {
        startSim();
        // every directory and batch request fails with 503 (a Graph outage) until recovery
        String graph = "/v1\\.0/(directoryObjects/getByIds|\\$batch|%24batch)/?";
        sim.faults().failNext(Integer.MAX_VALUE, graph, Faults.Kind.HTTP_503);
        int[] recoveredAt = {-1};
        List<SourceRecord> delivered = runThrough(() -> sim.faults().clear(), recoveredAt);
        everyRecordDelivered(delivered);
        markedThenResumed(delivered, recoveredAt[0], "error");
    }

    @Test
    void aThrottlingStormNeitherStallsNorFailsTheStreamAndEnrichmentResumesAfter() throws Exception {
        startSim();
        sim.directory().throttleAll(true, Duration.ofSeconds(60));
        int[] recoveredAt = {-1};
        List<SourceRecord> delivered =
                runThrough(() -> sim.directory().throttleAll(false, Duration.ofSeconds(60)), recoveredAt);
        everyRecordDelivered(delivered);
        markedThenResumed(delivered, recoveredAt[0], "throttled");
    }
}
