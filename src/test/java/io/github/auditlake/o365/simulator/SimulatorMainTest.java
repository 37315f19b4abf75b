package io.github.auditlake.o365.simulator;

import static io.github.auditlake.o365.simulator.SimTestSupport.apiPost;
import static io.github.auditlake.o365.simulator.SimTestSupport.assertApiError;
import static io.github.auditlake.o365.simulator.SimTestSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The standalone flags take effect (the process itself is {@code bin/simulator}). */
class SimulatorMainTest {

    @Test
    void flagsConfigureTheSimulator() {
        Map<String, String> o = SimulatorMain.parse(new String[] {
            "--port",
            "0",
            "--page-size",
            "3",
            "--blobs-per-hour=10",
            "--records-per-blob",
            "2",
            "--client-secret",
            "abc",
            "--throttle-rpm",
            "3",
            "--not-subscribed",
            "--seed",
            "7"
        });
        assertEquals("true", o.get("not-subscribed"));
        assertEquals("10", o.get("blobs-per-hour"));
        try (ManagementApiSimulator sim = SimulatorMain.create(o).start()) {
            String tenant = SimulatorMain.DEFAULT_TENANT;
            String token = SimTestSupport.token(sim, tenant, SimulatorMain.DEFAULT_CLIENT, "abc");
            String feed = sim.apiRoot(tenant);
            assertEquals("[]", get(feed + "/subscriptions/list", token).body());
            assertEquals(
                    200,
                    apiPost(feed + "/subscriptions/start?contentType=Audit.General", token, null)
                            .statusCode());
            HttpResponse<String> page = get(feed + "/subscriptions/content?contentType=Audit.General", token);
            assertEquals(200, page.statusCode(), page.body());
            assertEquals(3, SimTestSupport.json(page).size());
            assertTrue(page.headers().firstValue("NextPageUri").isPresent());
            assertApiError(get(feed + "/subscriptions/list", token), 403, "AF429");
        }
    }

    @Test
    void auditSearchLimitFlagSetsTheRecordLimit() {
        Map<String, String> o = SimulatorMain.parse(new String[] {"--port", "0", "--audit-search-limit", "5"});
        try (ManagementApiSimulator sim = SimulatorMain.create(o).start()) {
            String tenant = SimulatorMain.DEFAULT_TENANT;
            HttpResponse<String> t = SimTestSupport.post(
                    sim.tokenEndpointV2(tenant),
                    "application/x-www-form-urlencoded",
                    SimTestSupport.form(Map.of(
                            "grant_type",
                            "client_credentials",
                            "client_id",
                            SimulatorMain.DEFAULT_CLIENT,
                            "client_secret",
                            SimulatorMain.DEFAULT_SECRET,
                            "scope",
                            "https://graph.microsoft.com/.default")));
            String token = SimTestSupport.json(t).get("access_token").asText();
            HttpResponse<String> q = SimTestSupport.post(
                    sim.baseUrl() + "/v1.0/security/auditLog/queries",
                    "application/json",
                    "{\"filterStartDateTime\":\"2024-01-01T00:00:00Z\",\"filterEndDateTime\":\"2024-01-02T00:00:00Z\"}",
                    "Authorization",
                    "Bearer " + token);
            assertEquals(201, q.statusCode(), q.body());
            assertEquals(5, SimTestSupport.json(q).get("recordCountLimit").asInt());
        }
    }

    @Test
    void rejectsStrayArguments() {
        assertThrows(IllegalArgumentException.class, () -> SimulatorMain.parse(new String[] {"8080"}));
    }
}
