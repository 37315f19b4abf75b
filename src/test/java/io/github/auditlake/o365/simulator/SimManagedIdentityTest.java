package io.github.auditlake.o365.simulator;

import static io.github.auditlake.o365.simulator.SimTestSupport.OTHER_TENANT;
import static io.github.auditlake.o365.simulator.SimTestSupport.T0;
import static io.github.auditlake.o365.simulator.SimTestSupport.TENANT;
import static io.github.auditlake.o365.simulator.SimTestSupport.assertApiError;
import static io.github.auditlake.o365.simulator.SimTestSupport.get;
import static io.github.auditlake.o365.simulator.SimTestSupport.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The IMDS-shaped managed-identity token endpoint: request rules, error bodies, and tokens the API accepts. */
class SimManagedIdentityTest {
    static final String SYSTEM_ID = "bbbbbbbb-0000-4000-8000-000000000001";
    static final String USER_ID = "bbbbbbbb-0000-4000-8000-000000000002";
    static final String NO_ROLES_ID = "bbbbbbbb-0000-4000-8000-000000000003";

    SimClock clock;
    ManagementApiSimulator sim;

    @BeforeEach
    void setUp() {
        clock = SimClock.fixed(T0);
        sim = ManagementApiSimulator.builder()
                .clock(clock)
                .tokenLifetime(Duration.ofHours(24))
                .tenant(TenantSpec.of(TENANT)
                        .subscribedAll(true)
                        .app(AppSpec.of(SYSTEM_ID).systemAssignedIdentity())
                        .app(AppSpec.of(NO_ROLES_ID).userAssignedIdentity().noRoles()))
                .tenant(TenantSpec.of(OTHER_TENANT)
                        .subscribedAll(true)
                        .app(AppSpec.of(USER_ID).userAssignedIdentity()))
                .build()
                .start();
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    HttpResponse<String> imds(String query, boolean metadata) {
        String url = sim.identityEndpoint() + "?" + query;
        return metadata ? get(url, null, "Metadata", "true") : get(url, null);
    }

    static String q(String resource, String clientId) {
        return "api-version=2018-02-01&resource=" + URLEncoder.encode(resource, StandardCharsets.UTF_8)
                + (clientId == null ? "" : "&client_id=" + clientId);
    }

    @Test
    void systemAssignedTokenHasImdsShapeAndIsAcceptedForItsTenant() {
        HttpResponse<String> r = imds(q("https://manage.office.com", null), true);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode n = json(r);
        assertEquals("Bearer", n.path("token_type").asText());
        assertEquals("https://manage.office.com", n.path("resource").asText());
        assertEquals("86400", n.path("expires_in").asText());
        assertEquals(true, n.path("expires_in").isTextual(), "numbers as strings, like IMDS");
        assertEquals(
                Long.toString(T0.getEpochSecond() + 86400), n.path("expires_on").asText());
        assertEquals(SYSTEM_ID, n.path("client_id").asText());
        String token = n.path("access_token").asText();
        assertEquals(
                200, get(sim.apiRoot(TENANT) + "/subscriptions/list", token).statusCode());
        // a managed identity's token is for its own tenant only
        assertApiError(get(sim.apiRoot(OTHER_TENANT) + "/subscriptions/list", token), 401, "AF20010");
    }

    @Test
    void userAssignedIdentityIsChosenByClientId() {
        HttpResponse<String> r = imds(q("https://manage.office.com/", USER_ID), true);
        assertEquals(200, r.statusCode(), r.body());
        String token = json(r).path("access_token").asText();
        assertEquals(
                200,
                get(sim.apiRoot(OTHER_TENANT) + "/subscriptions/list", token).statusCode());
    }

    @Test
    void anIdentityWithoutTheAppRoleGetsATokenTheApiRefuses() {
        HttpResponse<String> r = imds(q("https://manage.office.com", NO_ROLES_ID), true);
        assertEquals(200, r.statusCode(), r.body());
        assertApiError(
                get(
                        sim.apiRoot(TENANT) + "/subscriptions/list",
                        json(r).path("access_token").asText()),
                401,
                "AF10001");
    }

    @Test
    void requestRulesAnswerImdsErrors() {
        assertImdsError(
                imds(q("https://manage.office.com", null), false),
                "invalid_request",
                "Required metadata header not specified");
        assertImdsError(
                imds(q("https://manage.office.com", "99999999-0000-4000-8000-000000000000"), true),
                "invalid_request",
                "Identity not found");
        assertImdsError(
                imds("api-version=2018-02-01", true), "invalid_request", "Required audience parameter not specified");
        HttpResponse<String> res = imds(q("https://vault.azure.net", null), true);
        assertEquals(400, res.statusCode());
        assertEquals("invalid_resource", json(res).path("error").asText());
        assertFalse(json(res).has("access_token"));
    }

    @Test
    void withoutASystemAssignedIdentityARequestWithoutClientIdIsRefused() {
        try (ManagementApiSimulator none = ManagementApiSimulator.builder()
                .clock(clock)
                .tenant(TenantSpec.of(TENANT).app(AppSpec.of(USER_ID).userAssignedIdentity()))
                .build()
                .start()) {
            HttpResponse<String> r =
                    get(none.identityEndpoint() + "?" + q("https://manage.office.com", null), null, "Metadata", "true");
            assertImdsError(r, "invalid_request", "Identity not found");
        }
    }

    static void assertImdsError(HttpResponse<String> r, String error, String description) {
        assertEquals(400, r.statusCode(), r.body());
        assertEquals(error, json(r).path("error").asText(), r.body());
        assertEquals(description, json(r).path("error_description").asText(), r.body());
    }
}
