package io.github.auditlake.o365.simulator;

import static io.github.auditlake.o365.simulator.SimTestSupport.CLIENT;
import static io.github.auditlake.o365.simulator.SimTestSupport.SECRET;
import static io.github.auditlake.o365.simulator.SimTestSupport.T0;
import static io.github.auditlake.o365.simulator.SimTestSupport.TENANT;
import static io.github.auditlake.o365.simulator.SimTestSupport.assertApiError;
import static io.github.auditlake.o365.simulator.SimTestSupport.feed;
import static io.github.auditlake.o365.simulator.SimTestSupport.get;
import static io.github.auditlake.o365.simulator.SimTestSupport.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.auditlake.o365.api.ContentType;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Blob retrieval: generated content, determinism, immutability, expiry, errors, streaming of huge blobs. */
class SimBlobTest {

    static final Pattern CREATION_TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}");
    static final Pattern GUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    static final Instant FROM = T0.minus(Duration.ofHours(12));

    SimClock clock;
    ManagementApiSimulator sim;
    String token;

    static ManagementApiSimulator.Builder builder(SimClock clock, long seed, TenantSpec spec) {
        return ManagementApiSimulator.builder().clock(clock).seed(seed).tenant(spec);
    }

    static TenantSpec tenant() {
        return TenantSpec.of(TENANT)
                .app(AppSpec.of(CLIENT).secret(SECRET))
                .subscribedAll(true)
                .volumeAll(Volume.of(4, 25));
    }

    @BeforeEach
    void setUp() {
        clock = SimClock.fixed(T0);
        sim = builder(clock, 42, tenant()).build().start();
        token = SimTestSupport.token(sim);
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    private String uri(ManagementApiSimulator s, SimBlob b) {
        return s.apiRoot(TENANT) + "/audit/" + b.contentId();
    }

    @Test
    void blobsAreJsonArraysOfRealisticRecords() throws Exception {
        Map<ContentType, Set<Integer>> recordTypes = new HashMap<>();
        boolean crlf = false;
        boolean stringJson = false;
        Set<String> results = new HashSet<>();
        for (ContentType type : ContentType.values()) {
            for (SimBlob b : sim.visibleBlobs(TENANT, type, FROM, T0)) {
                HttpResponse<String> r = get(uri(sim, b) + "?PublisherIdentifier=" + TENANT, token);
                assertEquals(200, r.statusCode(), r.body());
                assertEquals(
                        "application/json; charset=utf-8",
                        r.headers().firstValue("Content-Type").orElse(""));
                JsonNode arr = json(r);
                assertTrue(arr.isArray());
                assertEquals(25, arr.size());
                List<String> ids = new ArrayList<>();
                for (JsonNode rec : arr) {
                    ids.add(rec.get("Id").asText());
                    assertTrue(GUID.matcher(rec.get("Id").asText()).matches());
                    assertTrue(
                            CREATION_TIME
                                    .matcher(rec.get("CreationTime").asText())
                                    .matches(),
                            rec.toString());
                    assertEquals(TENANT, rec.get("OrganizationId").asText());
                    assertTrue(rec.has("Operation") && rec.has("UserType") && rec.has("Workload"));
                    recordTypes
                            .computeIfAbsent(type, k -> new HashSet<>())
                            .add(rec.get("RecordType").asInt());
                    crlf |= rec.path("OriginatingServer").asText().endsWith("\r\n");
                    if (rec.has("OperationProperties")) {
                        assertTrue(rec.get("OperationProperties").isTextual());
                        assertTrue(Jwts.JSON
                                .readTree(rec.get("OperationProperties").asText())
                                .isArray());
                        stringJson = true;
                    }
                    if (rec.has("ResultStatus")) {
                        results.add(rec.get("ResultStatus").asText());
                    }
                }
                assertEquals(b.recordIds(), ids);
            }
        }
        assertEquals(Set.of(1, 2), recordTypes.get(ContentType.EXCHANGE));
        assertEquals(Set.of(6, 14), recordTypes.get(ContentType.SHAREPOINT));
        assertEquals(Set.of(8, 15), recordTypes.get(ContentType.AZURE_ACTIVE_DIRECTORY));
        assertEquals(Set.of(11, 13), recordTypes.get(ContentType.DLP_ALL));
        Set<Integer> general = recordTypes.get(ContentType.GENERAL);
        assertTrue(general.containsAll(Set.of(20, 22, 25)), general.toString());
        assertTrue(general.stream().anyMatch(t -> t >= 500), "an unknown RecordType now and then: " + general);
        assertTrue(crlf, "OriginatingServer with CR LF");
        assertTrue(stringJson, "JSON inside a string");
        assertTrue(results.size() >= 5, results.toString());
    }

    @Test
    void immutableAndDeterministic() {
        SimBlob b = sim.visibleBlobs(TENANT, ContentType.SHAREPOINT, FROM, T0).get(3);
        String first = get(uri(sim, b), token).body();
        assertEquals(first, get(uri(sim, b), token).body());
        // a client that percent-encodes the '$' gets the same blob
        assertEquals(first, get(uri(sim, b).replace("$", "%24"), token).body());
        try (ManagementApiSimulator twin =
                        builder(SimClock.fixed(T0), 42, tenant()).build().start();
                ManagementApiSimulator other =
                        builder(SimClock.fixed(T0), 43, tenant()).build().start()) {
            List<SimBlob> twinBlobs = twin.visibleBlobs(TENANT, ContentType.SHAREPOINT, FROM, T0);
            assertEquals(b.contentId(), twinBlobs.get(3).contentId());
            assertEquals(
                    first,
                    get(uri(twin, twinBlobs.get(3)), SimTestSupport.token(twin)).body());
            List<SimBlob> otherBlobs = other.visibleBlobs(TENANT, ContentType.SHAREPOINT, FROM, T0);
            assertNotEquals(b.contentId(), otherBlobs.get(3).contentId());
            assertNotEquals(
                    first,
                    get(uri(other, otherBlobs.get(3)), SimTestSupport.token(other))
                            .body());
        }
    }

    @Test
    void servedIdsMatchExpectedIdsAndAreUnique() {
        List<SimBlob> blobs = sim.visibleBlobs(TENANT, ContentType.EXCHANGE, FROM, T0);
        int records = 0;
        for (SimBlob b : blobs) {
            assertEquals(200, get(uri(sim, b), token).statusCode());
            records += b.recordCount();
        }
        Set<String> expected = sim.expectedRecordIds(TENANT, ContentType.EXCHANGE, FROM, T0);
        assertEquals(records, expected.size(), "no duplicates configured: every Id is unique");
        assertEquals(expected, sim.servedRecordIds(TENANT, ContentType.EXCHANGE));
        assertEquals(Set.of(), sim.servedRecordIds(TENANT, ContentType.GENERAL));
        sim.resetLog();
        assertEquals(Set.of(), sim.servedRecordIds(TENANT, ContentType.EXCHANGE));
    }

    @Test
    void concurrentFetchesServeEverythingOnce() throws Exception {
        List<SimBlob> blobs = new ArrayList<>();
        for (ContentType t : ContentType.values()) {
            blobs.addAll(sim.visibleBlobs(TENANT, t, FROM, T0));
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
            for (SimBlob b : blobs) {
                results.add(pool.submit(() -> json(get(uri(sim, b), token)).size()));
            }
            for (java.util.concurrent.Future<Integer> f : results) {
                assertEquals(25, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        for (ContentType t : ContentType.values()) {
            assertEquals(sim.expectedRecordIds(TENANT, t, FROM, T0), sim.servedRecordIds(TENANT, t), t.wireName());
        }
        assertEquals(
                blobs.size(),
                sim.requests().stream().filter(RecordedRequest::isBlobFetch).count());
    }

    @Test
    void duplicateRecordsAcrossBlobs() {
        try (ManagementApiSimulator dup =
                builder(clock, 7, tenant().duplicates(1.0)).build().start()) {
            String t = SimTestSupport.token(dup);
            Map<String, Integer> seen = new HashMap<>();
            for (SimBlob b : dup.visibleBlobs(TENANT, ContentType.GENERAL, FROM, T0)) {
                List<String> ids = new ArrayList<>();
                for (JsonNode rec : json(get(uri(dup, b), t))) {
                    seen.merge(rec.toString(), 1, Integer::sum);
                    ids.add(rec.get("Id").asText());
                }
                assertEquals(b.recordIds(), ids, "ids of chained duplicates");
            }
            assertTrue(seen.values().stream().anyMatch(n -> n > 1), "identical records in two blobs");
        }
    }

    @Test
    void recordSizeIsConfigurable() {
        try (ManagementApiSimulator big = builder(
                        clock,
                        1,
                        TenantSpec.of(TENANT)
                                .app(AppSpec.of(CLIENT).secret(SECRET))
                                .subscribedAll(true)
                                .volumeAll(new Volume(2, 40, 2000)))
                .build()
                .start()) {
            SimBlob b = big.visibleBlobs(TENANT, ContentType.AZURE_ACTIVE_DIRECTORY, FROM, T0)
                    .get(0);
            String body = get(uri(big, b), SimTestSupport.token(big)).body();
            double avg = body.length() / 40.0;
            assertTrue(avg > 1800 && avg < 2300, "average record size " + avg);
        }
    }

    @Test
    void explicitBlobsAreServedVerbatim() {
        String id = UUID.randomUUID().toString();
        String rec = SimTestSupport.recordJson(id, "2024-03-01T11:00:00");
        SimBlob b = sim.addBlob(TENANT, ContentType.EXCHANGE, T0.minusSeconds(60), T0.minusSeconds(60), List.of(rec));
        assertEquals("[" + rec + "]", get(uri(sim, b), token).body());
        assertEquals(Set.of(id), sim.servedRecordIds(TENANT, ContentType.EXCHANGE));
    }

    @Test
    void blobErrors() {
        assertApiError(get(feed(sim) + "/audit/not-a-content-id", token), 400, "AF20052");
        HttpResponse<String> missing = get(
                feed(sim) + "/audit/20240301080512345678901$20240301083044123456789"
                        + "$audit_exchange$Audit_Exchange$na0017",
                token);
        assertApiError(missing, 404, "AF20050");
        SimBlob b = sim.visibleBlobs(TENANT, ContentType.EXCHANGE, FROM, T0).get(0);
        // not yet visible
        SimBlob future = sim.addBlob(TENANT, ContentType.EXCHANGE, T0, T0.plusSeconds(60), SimTestSupport.records(1));
        assertApiError(get(uri(sim, future), token), 404, "AF20050");
        clock.advance(Duration.ofDays(7).minus(Duration.ofHours(13)));
        assertEquals(200, get(uri(sim, b), SimTestSupport.token(sim)).statusCode());
        clock.advance(Duration.ofHours(12));
        HttpResponse<String> expired = get(uri(sim, b), SimTestSupport.token(sim));
        assertApiError(expired, 400, "AF20051");
        assertTrue(json(expired).at("/error/message").asText().contains("Content older than 7 days"));
    }

    /**
     * A blob larger than this JVM's maximum heap goes through: the simulator cannot have built it in memory (server
     * and client share the JVM). The body is counted, and checked record by record, while streaming.
     */
    @Test
    void hugeBlobIsStreamed() throws Exception {
        long max = Runtime.getRuntime().maxMemory();
        int records = (int) (max * 1.1 / 1000) + 1;
        try (ManagementApiSimulator huge = builder(
                        clock,
                        5,
                        TenantSpec.of(TENANT)
                                .app(AppSpec.of(CLIENT).secret(SECRET))
                                .subscribedAll(true)
                                .volumeAll(Volume.NONE)
                                .volume(ContentType.SHAREPOINT, new Volume(1, records, 1000)))
                .build()
                .start()) {
            SimBlob b =
                    huge.visibleBlobs(TENANT, ContentType.SHAREPOINT, FROM, T0).get(0);
            HttpResponse<InputStream> r = SimTestSupport.stream(uri(huge, b), SimTestSupport.token(huge));
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Length").isEmpty(), "chunked");
            long bytes = 0;
            long objects = 0;
            int depth = 0;
            boolean inString = false;
            boolean escape = false;
            byte[] buf = new byte[1 << 16];
            try (InputStream in = r.body()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    bytes += n;
                    for (int i = 0; i < n; i++) {
                        byte c = buf[i];
                        if (inString) {
                            if (escape) {
                                escape = false;
                            } else if (c == '\\') {
                                escape = true;
                            } else if (c == '"') {
                                inString = false;
                            }
                        } else if (c == '"') {
                            inString = true;
                        } else if (c == '{' || c == '[') {
                            depth++;
                        } else if (c == '}' || c == ']') {
                            depth--;
                            if (depth == 1 && c == '}') {
                                objects++;
                            }
                        }
                    }
                }
            }
            assertEquals(0, depth, "balanced JSON");
            assertEquals(records, objects);
            assertTrue(bytes > max, bytes + " bytes served with a max heap of " + max);
            assertFalse(inString);
            assertEquals(1, huge.servedBlobs(TENANT, ContentType.SHAREPOINT).size());
        }
    }
}
