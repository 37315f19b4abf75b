package io.github.auditlake.o365.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.Directory;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.TenantSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Graph directory client and the enricher against the simulator's Graph: one sign-in, real HTTP. */
class EnrichAgainstSimulatorTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final String CLIENT = "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69";
    static final String SECRET = "s3cret~value";

    ManagementApiSimulator sim;

    void start(AppSpec app) {
        sim = ManagementApiSimulator.builder()
                .clock(SimClock.fixed(Instant.parse("2024-03-01T12:00:00Z")))
                .tenant(TenantSpec.of(TENANT).app(app))
                .build()
                .start();
    }

    @AfterEach
    void tearDown() {
        if (sim != null) {
            sim.close();
        }
    }

    ClientSettings settings() {
        return ClientSettings.builder()
                .tenantId(TENANT)
                .clientId(CLIENT)
                .clientSecret(SECRET)
                .apiBaseUrl(sim.baseUrl())
                .loginBaseUrl(sim.baseUrl())
                .graphBaseUrl(sim.baseUrl())
                .build();
    }

    Enricher enricher(Duration timeout) {
        return new Enricher(
                EnrichSettings.DEFAULTS.withTimeout(timeout), EnrichAccess.directory(settings()), Clock.systemUTC());
    }

    static List<String> guids(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(new UUID(0x5555_0000_0000_4000L + i, 0x8000_0000_0000_0000L + 31L * i).toString());
        }
        return ids;
    }

    static List<String> records(List<String> ids) {
        List<String> r = new ArrayList<>();
        for (String id : ids) {
            r.add("{\"Id\":\"" + UUID.randomUUID() + "\",\"Actor\":[{\"ID\":\"" + id + "\",\"Type\":2}]}");
        }
        return r;
    }

    @Test
    void recordsAreEnrichedAsTheDirectoryKnowsThem() {
        start(AppSpec.of(CLIENT).secret(SECRET));
        List<String> ids = guids(1500);
        try (Enricher e = enricher(Duration.ofSeconds(30))) {
            List<Enrichment> out = e.enrich(records(ids));
            assertEquals(ids.size(), out.size());
            int enriched = 0;
            for (int i = 0; i < ids.size(); i++) {
                Directory.DirObject expected = sim.directory().lookup(ids.get(i));
                DirectoryObject got = out.get(i).objects().get(EnrichField.ACTOR);
                assertNull(out.get(i).skipped());
                if (expected == null || expected.type().equals("application")) {
                    assertNull(got);
                } else {
                    enriched++;
                    assertEquals(expected.type(), got.kind().graphName());
                    assertEquals(expected.properties().get("displayName"), got.displayName());
                    assertEquals(expected.properties().get("userPrincipalName"), got.userPrincipalName());
                }
            }
            assertTrue(enriched > 1000, "most GUIDs are known: " + enriched);
            assertEquals(2, sim.directory().requestCount(), "1,500 ids in two getByIds calls");
            e.enrich(records(ids));
            assertEquals(2, sim.directory().requestCount(), "the second blob is answered by the cache");
        }
    }

    @Test
    void throttledRecordsGoOnMarkedAndNoRequestIsSentBeforeRetryAfter() {
        start(AppSpec.of(CLIENT).secret(SECRET));
        sim.directory().throttleAll(true, Duration.ofSeconds(3600));
        try (Enricher e = enricher(Duration.ofSeconds(30))) {
            List<Enrichment> out = e.enrich(records(guids(10)));
            assertEquals(10, out.size());
            assertTrue(out.stream().allMatch(x -> x.skipped() == Unenriched.THROTTLED));
            int asked = sim.directory().requestCount();
            e.enrich(records(guids(10)));
            assertEquals(asked, sim.directory().requestCount(), "Retry-After honoured");
            assertEquals(20, e.stats().unenriched(Unenriched.THROTTLED));
        }
    }

    @Test
    void withoutThePermissionRecordsGoOnMarkedDenied() {
        start(AppSpec.of(CLIENT).secret(SECRET).roles(AppSpec.ROLE_READ));
        try (Enricher e = enricher(Duration.ofSeconds(30))) {
            List<Enrichment> out = e.enrich(records(guids(5)));
            assertTrue(out.stream().allMatch(x -> x.skipped() == Unenriched.DENIED));
        }
    }

    @Test
    void aSlowGraphEndsInTimeoutNotInAWait() {
        start(AppSpec.of(CLIENT).secret(SECRET));
        try (Enricher e = enricher(Duration.ofMillis(300))) {
            e.enrich(records(guids(1))); // signs in
            sim.directory().delay(Duration.ofSeconds(5));
            List<Enrichment> out = e.enrich(records(guids(3).subList(1, 3)));
            assertEquals(2, out.size());
            assertTrue(out.stream().allMatch(x -> x.skipped() == Unenriched.TIMEOUT), out.toString());
        } finally {
            sim.directory().delay(Duration.ZERO);
        }
    }

    @Test
    void thePermissionCheckNamesWhatIsMissing() {
        start(AppSpec.of(CLIENT)
                .secret(SECRET)
                .roles(AppSpec.ROLE_READ, Directory.ROLE_USER, Directory.ROLE_APPLICATION));
        try (DirectoryApi dir = EnrichAccess.directory(settings())) {
            Optional<String> all = EnrichAccess.checkPermission(
                    dir,
                    EnumSet.of(ObjectKind.USER, ObjectKind.SERVICE_PRINCIPAL, ObjectKind.GROUP),
                    Duration.ofSeconds(30));
            assertTrue(all.orElseThrow().contains("GroupMember.Read.All"), all.get());
            assertTrue(!all.get().contains("User.Read.All"), all.get());
            assertEquals(
                    Optional.empty(),
                    EnrichAccess.checkPermission(dir, EnumSet.of(ObjectKind.USER), Duration.ofSeconds(30)));
        }
    }

    static List<String> signIns(List<String> appIds) {
        List<String> r = new ArrayList<>();
        for (String a : appIds) {
            r.add("{\"Id\":\"" + UUID.randomUUID() + "\",\"ApplicationId\":\"" + a + "\"}");
        }
        return r;
    }

    @Test
    void appIdsAreResolvedToServicePrincipalsThroughTheBatchEndpoint() {
        start(AppSpec.of(CLIENT).secret(SECRET));
        List<String> apps = guids(400);
        try (Enricher e = enricher(Duration.ofSeconds(30))) {
            List<Enrichment> out = e.enrich(signIns(apps));
            int found = 0;
            for (int i = 0; i < apps.size(); i++) {
                Directory.DirObject expected = sim.directory().servicePrincipalByAppId(apps.get(i));
                DirectoryObject got = out.get(i).objects().get(EnrichField.APP);
                assertNull(out.get(i).skipped());
                if (expected == null) {
                    assertNull(got);
                } else {
                    found++;
                    assertEquals(expected.id(), got.id());
                    assertEquals(apps.get(i), got.appId());
                    assertEquals(expected.properties().get("displayName"), got.displayName());
                }
            }
            assertTrue(found > 300, "most app ids are known: " + found);
            assertEquals(2, sim.directory().batchCount(), "400 app ids in two $batch requests");
            assertEquals(27, sim.directory().batchQueryCount(), "20 + 7 queries of at most 15 app ids");
            e.enrich(signIns(apps));
            assertEquals(2, sim.directory().batchCount(), "the second blob is answered by the cache");
        }
    }

    @Test
    void aThrottledQueryInsideABatchMarksItsAppIdsAndTheOthersAreEnriched() {
        start(AppSpec.of(CLIENT).secret(SECRET));
        sim.directory().unknownOneIn(0).throttleNext(1, Duration.ofSeconds(3600));
        List<String> apps = guids(30);
        try (Enricher e = enricher(Duration.ofSeconds(30))) {
            List<Enrichment> out = e.enrich(signIns(apps));
            for (int i = 0; i < 15; i++) {
                assertEquals(Unenriched.THROTTLED, out.get(i).skipped(), "the throttled query's app id " + i);
            }
            for (int i = 15; i < 30; i++) {
                assertEquals(
                        apps.get(i), out.get(i).objects().get(EnrichField.APP).appId());
            }
            int asked = sim.directory().requestCount();
            e.enrich(signIns(apps.subList(0, 15)));
            assertEquals(asked, sim.directory().requestCount(), "the query's Retry-After is honoured");
        }
    }

    @Test
    void withoutApplicationReadAllAppLookupsAreDenied() {
        start(AppSpec.of(CLIENT).secret(SECRET).roles(AppSpec.ROLE_READ, Directory.ROLE_USER));
        try (Enricher e = new Enricher(
                EnrichSettings.DEFAULTS
                        .withTimeout(Duration.ofSeconds(30))
                        .withKinds(EnumSet.of(ObjectKind.USER, ObjectKind.SERVICE_PRINCIPAL)),
                EnrichAccess.directory(settings()),
                Clock.systemUTC())) {
            List<Enrichment> out = e.enrich(signIns(guids(3)));
            assertTrue(out.stream().allMatch(x -> x.skipped() == Unenriched.DENIED), out.toString());
            assertEquals(1, sim.directory().batchCount());
        }
    }
}
