package io.github.auditlake.o365.simulator;

import static io.github.auditlake.o365.simulator.SimTestSupport.CLIENT;
import static io.github.auditlake.o365.simulator.SimTestSupport.SECRET;
import static io.github.auditlake.o365.simulator.SimTestSupport.TENANT;
import static io.github.auditlake.o365.simulator.SimTestSupport.form;
import static io.github.auditlake.o365.simulator.SimTestSupport.get;
import static io.github.auditlake.o365.simulator.SimTestSupport.json;
import static io.github.auditlake.o365.simulator.SimTestSupport.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.auditlake.o365.api.ContentType;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Graph audit-search endpoints of the simulator: lifecycle, paging, limits, errors, and the seam's consistency. */
class SimAuditSearchTest {

    static final Instant NOW = Instant.parse("2024-03-01T12:00:00Z");
    static final String QUERIES = "/v1.0/security/auditLog/queries";

    SimClock clock;
    ManagementApiSimulator sim;

    @BeforeEach
    void setUp() {
        clock = SimClock.fixed(NOW);
        sim = ManagementApiSimulator.builder()
                .clock(clock)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret(SECRET))
                        .app(AppSpec.of("a0000000-0000-4000-8000-000000000001")
                                .secret(SECRET)
                                .roles(AppSpec.ROLE_READ))
                        .subscribedAll(true)
                        .volumeAll(Volume.of(2, 5))
                        .duplicates(0.3)
                        .backfill(Duration.ofDays(30)))
                .build()
                .start();
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    private String graphToken(String client) {
        HttpResponse<String> r = post(
                sim.tokenEndpointV2(TENANT),
                "application/x-www-form-urlencoded",
                form(Map.of(
                        "grant_type",
                        "client_credentials",
                        "client_id",
                        client,
                        "client_secret",
                        SECRET,
                        "scope",
                        "https://graph.microsoft.com/.default")));
        assertEquals(200, r.statusCode(), r.body());
        return json(r).get("access_token").asText();
    }

    private HttpResponse<String> create(String token, Instant from, Instant to) {
        return post(
                sim.baseUrl() + QUERIES,
                "application/json",
                "{\"displayName\":\"t\",\"filterStartDateTime\":\"" + from + "\",\"filterEndDateTime\":\"" + to + "\"}",
                "Authorization",
                "Bearer " + token);
    }

    private String status(String token, String id) {
        HttpResponse<String> r = get(sim.baseUrl() + QUERIES + "/" + id, token);
        assertEquals(200, r.statusCode(), r.body());
        return json(r).get("status").asText();
    }

    /** Every page of a succeeded query: the raw auditData text by Id, in order. */
    private Map<String, String> allRecords(String token, String id, List<String> order) throws Exception {
        Map<String, String> out = new HashMap<>();
        String url = sim.baseUrl() + QUERIES + "/" + id + "/records?$top=7";
        int pages = 0;
        while (url != null) {
            HttpResponse<String> r = get(url, token);
            assertEquals(200, r.statusCode(), r.body());
            pages++;
            byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
            try (JsonParser p = Jwts.JSON.getFactory().createParser(body)) {
                String recordId = null;
                int depth = 0;
                JsonToken t;
                while ((t = p.nextToken()) != null) {
                    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                        depth++;
                    } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                        depth--;
                    } else if (t == JsonToken.FIELD_NAME
                            && depth == 3
                            && p.currentName().equals("id")) {
                        p.nextToken();
                        recordId = p.getText();
                    } else if (t == JsonToken.FIELD_NAME
                            && depth == 3
                            && p.currentName().equals("auditData")) {
                        p.nextToken();
                        int start = (int) p.currentTokenLocation().getByteOffset();
                        p.skipChildren();
                        int end = (int) p.currentLocation().getByteOffset();
                        out.put(recordId, new String(body, start, end - start, StandardCharsets.UTF_8));
                        order.add(recordId);
                    }
                }
            }
            JsonNode next = json(r).get("@odata.nextLink");
            url = next == null ? null : next.asText();
        }
        assertTrue(pages > 1, "paged");
        return out;
    }

    @Test
    void queryRunsByTheSimulatorsClockThenServesPagedRecords() throws Exception {
        String token = graphToken(CLIENT);
        HttpResponse<String> created = create(token, NOW.minus(Duration.ofDays(20)), NOW.minus(Duration.ofDays(19)));
        assertEquals(201, created.statusCode(), created.body());
        String id = json(created).get("id").asText();
        assertEquals("notStarted", json(created).get("status").asText());
        HttpResponse<String> early = get(sim.baseUrl() + QUERIES + "/" + id + "/records", token);
        assertEquals(400, early.statusCode());
        clock.advance(Duration.ofSeconds(30));
        assertEquals("running", status(token, id));
        clock.advance(Duration.ofMinutes(5));
        assertEquals("succeeded", status(token, id));
        List<String> order = new ArrayList<>();
        Map<String, String> records = allRecords(token, id, order);
        assertEquals(order.size(), records.size(), "each Id once");
        assertEquals(
                sim.auditSearch().recordIds(TENANT, NOW.minus(Duration.ofDays(20)), NOW.minus(Duration.ofDays(19))),
                order);
        assertTrue(order.size() > 100, "a day of 5 types x 2 blobs/h x 5 records: " + order.size());
    }

    @Test
    void recordsMatchTheManagementApiByteForByte() throws Exception {
        // within the last 7 days, where both sources serve the same records
        Instant from = NOW.minus(Duration.ofDays(2));
        Instant to = from.plus(Duration.ofHours(3));
        String token = graphToken(CLIENT);
        String id = json(create(token, from, to)).get("id").asText();
        clock.advance(Duration.ofMinutes(10));
        Map<String, String> graph = allRecords(token, id, new ArrayList<>());
        String mgmt = SimTestSupport.token(sim);
        Map<String, String> fromBlobs = new HashMap<>();
        for (ContentType type : ContentType.values()) {
            for (SimBlob b : sim.blobs(TENANT, type, from.minus(Duration.ofHours(1)), to.plus(Duration.ofHours(1)))) {
                HttpResponse<String> r = get(sim.apiRoot(TENANT) + "/audit/" + b.contentId(), mgmt);
                assertEquals(200, r.statusCode(), r.body());
                byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
                try (JsonParser p = Jwts.JSON.getFactory().createParser(body)) {
                    p.nextToken();
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        int start = (int) p.currentTokenLocation().getByteOffset();
                        p.skipChildren();
                        int end = (int) p.currentLocation().getByteOffset();
                        String text = new String(body, start, end - start, StandardCharsets.UTF_8);
                        JsonNode n = Jwts.JSON.readTree(text);
                        Instant t = Instant.parse(n.get("CreationTime").asText() + "Z");
                        if (!t.isBefore(from) && t.isBefore(to)) {
                            fromBlobs.put(n.get("Id").asText(), text);
                        }
                    }
                }
            }
        }
        assertFalse(fromBlobs.isEmpty());
        assertEquals(fromBlobs, graph);
    }

    @Test
    void queryOverTheRecordLimitSucceedsTruncatedWithItsFlag() {
        sim.auditSearch().recordLimit(50);
        String token = graphToken(CLIENT);
        String id = json(create(token, NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(9))))
                .get("id")
                .asText();
        clock.advance(Duration.ofMinutes(10));
        JsonNode q = json(get(sim.baseUrl() + QUERIES + "/" + id, token));
        assertEquals("succeeded", q.get("status").asText());
        assertTrue(q.get("isRecordCountLimitExceeded").asBoolean());
        assertEquals(50, q.get("approximateReturnedRecordCount").asInt());
        assertEquals(50, q.get("recordCountLimit").asInt());
        JsonNode page = json(get(sim.baseUrl() + QUERIES + "/" + id + "/records", token));
        assertEquals(50, page.get("value").size());
        assertNotNull(page.get("value").get(0).get("auditData"));
    }

    @Test
    void failedAndCancelledQueriesEndSo() {
        sim.auditSearch().failNext(1).cancelNext(1);
        String token = graphToken(CLIENT);
        String failed = json(create(token, NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(9))))
                .get("id")
                .asText();
        String cancelled = json(create(token, NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(9))))
                .get("id")
                .asText();
        String fine = json(create(token, NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(9))))
                .get("id")
                .asText();
        clock.advance(Duration.ofMinutes(10));
        assertEquals("failed", status(token, failed));
        assertEquals("cancelled", status(token, cancelled));
        assertEquals("succeeded", status(token, fine));
        assertEquals(
                400,
                get(sim.baseUrl() + QUERIES + "/" + failed + "/records", token).statusCode());
    }

    @Test
    void throttledRequestsGet429WithRetryAfter() {
        sim.auditSearch().throttleNext(1, Duration.ofSeconds(7));
        String token = graphToken(CLIENT);
        HttpResponse<String> r = create(token, NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(9)));
        assertEquals(429, r.statusCode());
        assertEquals("7", r.headers().firstValue("Retry-After").orElseThrow());
        assertEquals("TooManyRequests", json(r).get("error").get("code").asText());
        assertEquals(
                201,
                create(token, NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(9)))
                        .statusCode());
    }

    @Test
    void dailySubmissionBudgetIsEnforcedPerTenant() {
        sim.auditSearch().dailyQueries(2);
        String token = graphToken(CLIENT);
        Instant from = NOW.minus(Duration.ofDays(10));
        assertEquals(201, create(token, from, from.plusSeconds(60)).statusCode());
        clock.advance(Duration.ofMinutes(50));
        assertEquals(201, create(token, from, from.plusSeconds(60)).statusCode());
        HttpResponse<String> third = create(token, from, from.plusSeconds(60));
        assertEquals(429, third.statusCode());
        assertEquals(
                Duration.ofHours(23).plusMinutes(10).toSeconds(),
                Long.parseLong(third.headers().firstValue("Retry-After").orElseThrow()));
        clock.advance(Duration.ofHours(23).plusMinutes(10));
        assertEquals(201, create(graphToken(CLIENT), from, from.plusSeconds(60)).statusCode());
        assertEquals(3, sim.auditSearch().queries().size());
    }

    @Test
    void appWithoutAuditLogsQueryPermissionIsForbidden() {
        String token = graphToken("a0000000-0000-4000-8000-000000000001");
        HttpResponse<String> r = create(token, NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(9)));
        assertEquals(403, r.statusCode());
        assertTrue(json(r).get("error").get("message").asText().contains("AuditLogsQuery.Read.All"));
    }

    @Test
    void managementApiTokenIsNotAcceptedByGraphNorTheOtherWay() {
        HttpResponse<String> r =
                create(SimTestSupport.token(sim), NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(9)));
        assertEquals(401, r.statusCode());
        HttpResponse<String> list = get(sim.apiRoot(TENANT) + "/subscriptions/list", graphToken(CLIENT));
        assertEquals(401, list.statusCode());
    }

    @Test
    void betaPathServesTheSameQueries() {
        String token = graphToken(CLIENT);
        HttpResponse<String> r = post(
                sim.baseUrl() + "/beta/security/auditLog/auditLogQueries",
                "application/json",
                "{\"filterStartDateTime\":\"" + NOW.minus(Duration.ofDays(9)) + "\",\"filterEndDateTime\":\""
                        + NOW.minus(Duration.ofDays(8)) + "\"}",
                "Authorization",
                "Bearer " + token);
        assertEquals(201, r.statusCode(), r.body());
        String id = json(r).get("id").asText();
        assertEquals(
                200,
                get(sim.baseUrl() + "/beta/security/auditLog/auditLogQueries/" + id, token)
                        .statusCode());
    }
}
