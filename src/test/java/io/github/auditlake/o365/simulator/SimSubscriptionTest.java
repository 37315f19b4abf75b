package io.github.auditlake.o365.simulator;

import static io.github.auditlake.o365.simulator.SimTestSupport.CLIENT;
import static io.github.auditlake.o365.simulator.SimTestSupport.SECRET;
import static io.github.auditlake.o365.simulator.SimTestSupport.T0;
import static io.github.auditlake.o365.simulator.SimTestSupport.TENANT;
import static io.github.auditlake.o365.simulator.SimTestSupport.apiPost;
import static io.github.auditlake.o365.simulator.SimTestSupport.assertApiError;
import static io.github.auditlake.o365.simulator.SimTestSupport.feed;
import static io.github.auditlake.o365.simulator.SimTestSupport.get;
import static io.github.auditlake.o365.simulator.SimTestSupport.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.auditlake.o365.api.ContentType;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Subscription rules: start/stop/list, AF20022/23/24, the 15-minute rule, restart cut-off, audit off. */
class SimSubscriptionTest {

    static final String NO_AUDIT = "22222222-3333-4444-8555-666666666666";

    SimClock clock;
    ManagementApiSimulator sim;
    String token;

    @BeforeEach
    void setUp() {
        clock = SimClock.fixed(T0);
        sim = ManagementApiSimulator.builder()
                .clock(clock)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret(SECRET))
                        .volumeAll(Volume.of(6, 3)))
                .tenant(TenantSpec.of(NO_AUDIT)
                        .app(AppSpec.of(CLIENT).secret(SECRET))
                        .auditEnabled(false))
                .build()
                .start();
        token = SimTestSupport.token(sim);
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    private HttpResponse<String> start(String type, String body) {
        return apiPost(
                feed(sim) + "/subscriptions/start?contentType=" + type + "&PublisherIdentifier=" + TENANT, token, body);
    }

    private HttpResponse<String> content(String type) {
        return get(feed(sim) + "/subscriptions/content?contentType=" + type, token);
    }

    @Test
    void lifecycle() {
        HttpResponse<String> empty = get(feed(sim) + "/subscriptions/list", token);
        assertEquals(200, empty.statusCode());
        assertEquals("[]", empty.body());
        assertApiError(content("Audit.Exchange"), 400, "AF20022");

        HttpResponse<String> started = start("Audit.Exchange", null);
        assertEquals(200, started.statusCode(), started.body());
        JsonNode s = json(started);
        assertEquals("Audit.Exchange", s.get("contentType").asText());
        assertEquals("enabled", s.get("status").asText());
        assertTrue(s.get("webhook").isNull());
        assertEquals(200, content("Audit.Exchange").statusCode());
        assertTrue(json(content("Audit.Exchange")).size() > 0, "the first subscription sees the backfill");

        HttpResponse<String> again = start("Audit.Exchange", "");
        assertApiError(again, 400, "AF20024");
        assertEquals(
                "The subscription is already enabled. No property change.",
                json(again).at("/error/message").asText());

        JsonNode list = json(get(feed(sim) + "/subscriptions/list", token));
        assertEquals(1, list.size());
        assertEquals("enabled", list.get(0).get("status").asText());
        assertTrue(list.get(0).get("webhook").isNull());

        HttpResponse<String> stop = apiPost(feed(sim) + "/subscriptions/stop?contentType=Audit.Exchange", token, null);
        assertEquals(200, stop.statusCode());
        assertEquals("", stop.body());
        assertApiError(content("Audit.Exchange"), 400, "AF20023");
        assertEquals(
                "disabled",
                json(get(feed(sim) + "/subscriptions/list", token))
                        .get(0)
                        .get("status")
                        .asText());
    }

    @Test
    void fifteenMinuteRuleAndRestartCutOff() {
        assertEquals(200, start("Audit.SharePoint", null).statusCode());
        Instant before = clock.instant();
        String oldBlob =
                json(content("Audit.SharePoint")).get(0).get("contentUri").asText();
        assertEquals(200, get(oldBlob, token).statusCode());
        assertEquals(
                200,
                apiPost(feed(sim) + "/subscriptions/stop?contentType=Audit.SharePoint", token, null)
                        .statusCode());
        assertApiError(get(oldBlob, token), 400, "AF20023");

        clock.advance(Duration.ofMinutes(14));
        HttpResponse<String> tooSoon = start("Audit.SharePoint", null);
        assertApiError(tooSoon, 403, "AF429");
        assertTrue(json(tooSoon).at("/error/message").asText().contains("Method=StartSubscription"));

        clock.advance(Duration.ofMinutes(1));
        assertEquals(200, start("Audit.SharePoint", null).statusCode());
        Instant restart = clock.instant();
        // content created before the restart is gone: not listed, not retrievable
        assertApiError(get(oldBlob, token), 404, "AF20050");
        for (JsonNode item : json(content("Audit.SharePoint"))) {
            assertFalse(Instant.parse(item.get("contentCreated").asText()).isBefore(restart), item.toString());
        }
        clock.advance(Duration.ofHours(2));
        token = SimTestSupport.token(sim);
        JsonNode after = json(content("Audit.SharePoint"));
        assertTrue(after.size() > 0, "content created after the restart is listed");
        for (JsonNode item : after) {
            assertFalse(Instant.parse(item.get("contentCreated").asText()).isBefore(restart));
        }
        assertTrue(before.isBefore(restart));
        // the rule is per content type: another type can start at once
        assertEquals(200, start("Audit.General", null).statusCode());
    }

    @Test
    void invalidAndMissingContentType() {
        assertApiError(start("Audit.Nope", null), 400, "AF20020");
        assertApiError(start("audit.exchange", null), 400, "AF20020");
        assertApiError(apiPost(feed(sim) + "/subscriptions/start", token, null), 400, "AF20001");
        assertApiError(content("Audit.Nope"), 400, "AF20020");
        assertApiError(
                apiPost(feed(sim) + "/subscriptions/stop?contentType=Audit.General", token, null), 400, "AF20022");
    }

    @Test
    void auditDisabledTenantGivesTheMalformedError() {
        String t = SimTestSupport.token(sim, NO_AUDIT, CLIENT, SECRET);
        HttpResponse<String> r =
                apiPost(sim.apiRoot(NO_AUDIT) + "/subscriptions/start?contentType=Audit.General", t, null);
        assertEquals(400, r.statusCode());
        JsonNode e = json(r).get("error");
        assertTrue(e.get("code").asText().startsWith("StartSubscription [CorrId="), r.body());
        assertTrue(e.get("code").asText().endsWith("][AppId"), r.body());
        assertTrue(e.get("message").asText().contains("Tenant " + NO_AUDIT + " does not exist."));
        assertTrue(e.get("message").asText().contains("\r\n   at "));
        assertApiError(
                get(sim.apiRoot(NO_AUDIT) + "/subscriptions/content?contentType=Audit.General", t), 400, "AF20022");
    }

    @Test
    void subscribedPresetListsAllFive() {
        try (ManagementApiSimulator preset = ManagementApiSimulator.builder()
                .clock(clock)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret(SECRET))
                        .subscribedAll(true))
                .build()
                .start()) {
            JsonNode list = json(get(preset.apiRoot(TENANT) + "/subscriptions/list", SimTestSupport.token(preset)));
            assertEquals(ContentType.values().length, list.size());
            for (JsonNode s : list) {
                assertEquals("enabled", s.get("status").asText());
            }
        }
    }
}
