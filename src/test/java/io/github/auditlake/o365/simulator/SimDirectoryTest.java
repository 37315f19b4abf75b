package io.github.auditlake.o365.simulator;

import static io.github.auditlake.o365.simulator.SimTestSupport.CLIENT;
import static io.github.auditlake.o365.simulator.SimTestSupport.SECRET;
import static io.github.auditlake.o365.simulator.SimTestSupport.TENANT;
import static io.github.auditlake.o365.simulator.SimTestSupport.form;
import static io.github.auditlake.o365.simulator.SimTestSupport.json;
import static io.github.auditlake.o365.simulator.SimTestSupport.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulator's Graph directory: getByIds, its types, limits, permissions and throttling. */
class SimDirectoryTest {
    static final String NO_GRAPH = "a0000000-0000-4000-8000-000000000001";
    static final String USERS_ONLY = "a0000000-0000-4000-8000-000000000002";

    ManagementApiSimulator sim;

    @BeforeEach
    void setUp() {
        sim = ManagementApiSimulator.builder()
                .clock(SimClock.fixed(Instant.parse("2024-03-01T12:00:00Z")))
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret(SECRET))
                        .app(AppSpec.of(NO_GRAPH).secret(SECRET).roles(AppSpec.ROLE_READ))
                        .app(AppSpec.of(USERS_ONLY).secret(SECRET).roles(AppSpec.ROLE_READ, Directory.ROLE_USER)))
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

    private HttpResponse<String> getByIds(String token, List<String> ids, String types) {
        StringBuilder b = new StringBuilder("{\"ids\":[");
        for (int i = 0; i < ids.size(); i++) {
            b.append(i == 0 ? "" : ",").append('"').append(ids.get(i)).append('"');
        }
        b.append(']');
        if (types != null) {
            b.append(",\"types\":").append(types);
        }
        b.append('}');
        return post(
                sim.baseUrl() + "/v1.0/directoryObjects/getByIds",
                "application/json",
                b.toString(),
                "Authorization",
                "Bearer " + token);
    }

    private static List<String> ids(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(new UUID(0x1234_0000_0000_4000L + i, 0x8000_0000_0000_0000L + 7L * i).toString());
        }
        return ids;
    }

    @Test
    void resolvesKnownIdsWithTheirTypedFieldsAndLeavesUnknownOnesOut() {
        List<String> ids = ids(200);
        HttpResponse<String> r = getByIds(graphToken(CLIENT), ids, null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode value = json(r).get("value");
        int known = 0;
        for (String id : ids) {
            if (sim.directory().lookup(id) != null) {
                known++;
            }
        }
        assertEquals(known, value.size());
        assertTrue(known < ids.size() && known > ids.size() / 2, "some unknown, most known: " + known);
        for (JsonNode o : value) {
            String type = o.get("@odata.type").asText();
            switch (type) {
                case "#microsoft.graph.user" -> {
                    assertNotNull(o.get("userPrincipalName"));
                    assertNotNull(o.get("displayName"));
                    assertNotNull(o.get("department"));
                    assertNotNull(o.get("jobTitle"));
                }
                case "#microsoft.graph.servicePrincipal" -> assertNotNull(o.get("appId"));
                case "#microsoft.graph.group" -> assertNotNull(o.get("displayName"));
                default -> throw new AssertionError(type);
            }
        }
        assertEquals(ids.size(), sim.directory().idsRequested());
    }

    @Test
    void typesFilterTheAnswer() {
        List<String> ids = ids(100);
        JsonNode value = json(getByIds(graphToken(CLIENT), ids, "[\"group\"]")).get("value");
        assertTrue(value.size() > 0);
        for (JsonNode o : value) {
            assertEquals("#microsoft.graph.group", o.get("@odata.type").asText());
        }
    }

    @Test
    void theGraphAppAndRemovedIdsAreAsDeclared() {
        assertEquals(
                "Microsoft Graph",
                sim.directory().lookup(Directory.GRAPH_APP_ID).properties().get("displayName"));
        String id = ids(1).get(0);
        sim.directory().remove(id);
        assertNull(sim.directory().lookup(id));
    }

    @Test
    void moreThanAThousandIdsIsABadRequest() {
        assertEquals(400, getByIds(graphToken(CLIENT), ids(1001), null).statusCode());
    }

    @Test
    void withoutAGraphPermissionTheAnswerIs403() {
        HttpResponse<String> r = getByIds(graphToken(NO_GRAPH), ids(3), null);
        assertEquals(403, r.statusCode());
        assertEquals(
                "Authorization_RequestDenied", json(r).get("error").get("code").asText());
    }

    @Test
    void userReadAllReadsUsersOnly() {
        String token = graphToken(USERS_ONLY);
        assertEquals(200, getByIds(token, ids(3), "[\"user\"]").statusCode());
        assertEquals(403, getByIds(token, ids(3), "[\"user\",\"group\"]").statusCode());
        assertEquals(403, getByIds(token, ids(3), null).statusCode());
    }

    @Test
    void throttlingAnswers429WithRetryAfter() {
        sim.directory().throttleNext(1, Duration.ofSeconds(7));
        String token = graphToken(CLIENT);
        HttpResponse<String> r = getByIds(token, ids(2), null);
        assertEquals(429, r.statusCode());
        assertEquals("7", r.headers().firstValue("Retry-After").orElseThrow());
        assertEquals(200, getByIds(token, ids(2), null).statusCode());
    }

    @Test
    void managementApiTokensCarryNoGraphRole() {
        HttpResponse<String> r = post(
                sim.tokenEndpointV2(TENANT),
                "application/x-www-form-urlencoded",
                form(Map.of(
                        "grant_type",
                        "client_credentials",
                        "client_id",
                        CLIENT,
                        "client_secret",
                        SECRET,
                        "scope",
                        "https://manage.office.com/.default")));
        String token = json(r).get("access_token").asText();
        assertEquals(401, getByIds(token, ids(1), null).statusCode());
    }

    private HttpResponse<String> batch(String token, List<String> urls) {
        StringBuilder b = new StringBuilder("{\"requests\":[");
        for (int i = 0; i < urls.size(); i++) {
            b.append(i == 0 ? "" : ",")
                    .append("{\"id\":\"")
                    .append(i + 1)
                    .append("\",\"method\":\"GET\",\"url\":\"")
                    .append(urls.get(i))
                    .append("\"}");
        }
        b.append("]}");
        return post(
                sim.baseUrl() + "/v1.0/$batch", "application/json", b.toString(), "Authorization", "Bearer " + token);
    }

    private static String in(List<String> appIds) {
        StringBuilder b = new StringBuilder("/servicePrincipals?$filter=appId%20in%20(");
        for (int i = 0; i < appIds.size(); i++) {
            b.append(i == 0 ? "" : ",").append('\'').append(appIds.get(i)).append('\'');
        }
        return b.append(")&$select=id,appId,displayName").toString();
    }

    /** The answer to request {@code id} of a batch answer. */
    private static JsonNode response(HttpResponse<String> r, String id) {
        for (JsonNode n : json(r).get("responses")) {
            if (n.get("id").asText().equals(id)) {
                return n;
            }
        }
        throw new AssertionError("no response " + id + " in " + r.body());
    }

    @Test
    void aBatchAnswersEachRequestOnItsOwnWithServicePrincipalsByAppId() {
        List<String> apps = ids(40);
        String token = graphToken(CLIENT);
        HttpResponse<String> r = batch(
                token,
                List.of(
                        in(apps.subList(0, 15)),
                        in(apps.subList(15, 31)),
                        "/servicePrincipals(appId='" + Directory.GRAPH_APP_ID + "')",
                        "/users?$top=1"));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode first = response(r, "1");
        assertEquals(200, first.get("status").asInt());
        int found = 0;
        for (JsonNode sp : first.path("body").path("value")) {
            Directory.DirObject expected =
                    sim.directory().servicePrincipalByAppId(sp.get("appId").asText());
            assertNotNull(expected, sp.toString());
            assertEquals(expected.id(), sp.get("id").asText());
            assertTrue(apps.subList(0, 15).contains(sp.get("appId").asText()));
            found++;
        }
        assertTrue(found >= 10, "most app ids are known: " + found);
        assertEquals(400, response(r, "2").get("status").asInt(), "16 values: beyond Graph's 15");
        assertTrue(response(r, "2")
                .path("body")
                .path("error")
                .path("message")
                .asText()
                .contains("Max allowed: 15"));
        assertEquals(
                "Microsoft Graph",
                response(r, "3").path("body").path("displayName").asText());
        assertEquals(400, response(r, "4").get("status").asInt(), "not served");
        assertEquals(1, sim.directory().batchCount());
        assertEquals(4, sim.directory().batchQueryCount());
    }

    @Test
    void throttlingAndPermissionApplyToEachRequestOfABatch() {
        List<String> apps = ids(30);
        sim.directory().throttleNext(1, Duration.ofSeconds(9));
        HttpResponse<String> r = batch(graphToken(CLIENT), List.of(in(apps.subList(0, 15)), in(apps.subList(15, 30))));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(429, response(r, "1").get("status").asInt());
        assertEquals("9", response(r, "1").path("headers").path("Retry-After").asText());
        assertEquals(200, response(r, "2").get("status").asInt());

        HttpResponse<String> denied = batch(graphToken(USERS_ONLY), List.of(in(apps.subList(0, 1))));
        assertEquals(200, denied.statusCode());
        assertEquals(403, response(denied, "1").get("status").asInt(), "needs Application.Read.All");

        List<String> many = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            many.add(in(apps.subList(i, i + 1)));
        }
        assertEquals(400, batch(graphToken(CLIENT), many).statusCode(), "at most 20 requests a batch");
        assertEquals(401, batch("not-a-token", List.of(in(apps.subList(0, 1)))).statusCode());
    }
}
