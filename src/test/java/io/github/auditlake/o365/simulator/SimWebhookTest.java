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
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.github.auditlake.o365.api.ContentType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Webhook validation, notification delivery and /subscriptions/notifications. */
class SimWebhookTest {

    record Received(Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }
    }

    SimClock clock;
    ManagementApiSimulator sim;
    String token;
    HttpServer receiver;
    final List<Received> received = new CopyOnWriteArrayList<>();
    final AtomicInteger answer = new AtomicInteger(200);
    String hook;

    @BeforeEach
    void setUp() throws Exception {
        clock = SimClock.fixed(T0);
        sim = ManagementApiSimulator.builder()
                .clock(clock)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret(SECRET))
                        .volumeAll(Volume.of(6, 2)))
                .build()
                .start();
        token = SimTestSupport.token(sim);
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", ex -> {
            received.add(new Received(
                    Map.copyOf(ex.getRequestHeaders()),
                    new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            ex.sendResponseHeaders(answer.get(), -1);
            ex.close();
        });
        receiver.start();
        hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    @AfterEach
    void tearDown() {
        sim.close();
        receiver.stop(0);
    }

    private HttpResponse<String> start(String type, String body) {
        return apiPost(feed(sim) + "/subscriptions/start?contentType=" + type, token, body);
    }

    @Test
    void validationThenNotifications() {
        String body =
                "{\"webhook\":{\"address\":\"" + hook + "\",\"authId\":\"my-shared-secret\",\"expiration\":\"\"}}";
        HttpResponse<String> r = start("Audit.SharePoint", body);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode w = json(r).get("webhook");
        assertEquals("enabled", w.get("status").asText());
        assertEquals(hook, w.get("address").asText());
        assertEquals("my-shared-secret", w.get("authId").asText());

        assertEquals(1, received.size());
        Received validation = received.get(0);
        String code = validation.header("Webhook-ValidationCode");
        assertTrue(code != null && !code.isEmpty());
        assertEquals(code, parse(validation.body()).get("validationCode").asText());
        assertEquals("my-shared-secret", validation.header("Webhook-AuthID"));

        JsonNode listed = json(get(feed(sim) + "/subscriptions/list", token)).get(0);
        assertEquals("", listed.at("/webhook/expiration").asText());
        assertEquals("enabled", listed.at("/webhook/status").asText());
        assertEquals("my-shared-secret", listed.at("/webhook/authId").asText());

        assertApiError(start("Audit.SharePoint", body), 400, "AF20024");

        // nothing new yet
        assertEquals(0, sim.deliverNotifications());
        clock.advance(Duration.ofHours(1));
        int expected = sim.visibleBlobs(TENANT, ContentType.SHAREPOINT, T0, clock.instant())
                .size();
        assertTrue(expected > 0);
        assertEquals(expected, sim.deliverNotifications());
        Set<String> notified = new HashSet<>();
        for (Received n : received.subList(1, received.size())) {
            assertEquals("my-shared-secret", n.header("Webhook-AuthID"));
            for (JsonNode item : parse(n.body())) {
                assertEquals(TENANT, item.get("tenantId").asText());
                assertEquals(CLIENT, item.get("clientId").asText());
                assertEquals("Audit.SharePoint", item.get("contentType").asText());
                assertTrue(item.get("contentUri").asText().startsWith(sim.baseUrl()));
                notified.add(item.get("contentId").asText());
            }
        }
        assertEquals(expected, notified.size());
        assertEquals(0, sim.deliverNotifications(), "each blob is notified once");

        token = SimTestSupport.token(sim);
        JsonNode history = json(get(feed(sim) + "/subscriptions/notifications?contentType=Audit.SharePoint", token));
        assertEquals(expected, history.size());
        for (JsonNode h : history) {
            assertEquals("success", h.get("notificationStatus").asText());
            assertEquals("2024-03-01T13:00:00.000Z", h.get("notificationSent").asText());
            assertTrue(notified.contains(h.get("contentId").asText()));
        }
    }

    private static JsonNode parse(String s) {
        try {
            return Jwts.JSON.readTree(s);
        } catch (java.io.IOException e) {
            throw new AssertionError(s, e);
        }
    }

    @Test
    void failedDeliveriesAreRetriedWithBackOffThenDisabled() {
        assertEquals(
                200,
                start("Audit.General", "{\"webhook\":{\"address\":\"" + hook + "\"}}")
                        .statusCode());
        assertEquals(null, received.get(0).header("Webhook-AuthID"));
        answer.set(500);
        clock.advance(Duration.ofHours(1));
        int attempts = 0;
        int sent = sim.deliverNotifications();
        assertEquals(visibleGeneral(), sent, "every blob visible since the start");
        attempts += sent;
        assertEquals(0, sim.deliverNotifications(), "backing off");
        clock.advance(Duration.ofMinutes(1));
        sent = sim.deliverNotifications();
        assertEquals(visibleGeneral(), sent, "first retry after 1 min: the failed ones plus new ones");
        attempts += sent;
        clock.advance(Duration.ofMinutes(1));
        assertEquals(0, sim.deliverNotifications(), "second retry only after 2 min");
        clock.advance(Duration.ofMinutes(1));
        attempts += sim.deliverNotifications();
        token = SimTestSupport.token(sim);
        JsonNode history = json(get(feed(sim) + "/subscriptions/notifications?contentType=Audit.General", token));
        assertEquals(attempts, history.size(), "one entry per attempt");
        for (JsonNode h : history) {
            assertEquals("failed", h.get("notificationStatus").asText());
        }
        // two more failures (after 4 and 8 minutes) disable the webhook
        clock.advance(Duration.ofMinutes(4));
        assertTrue(sim.deliverNotifications() > 0);
        clock.advance(Duration.ofMinutes(8));
        assertTrue(sim.deliverNotifications() > 0);
        clock.advance(Duration.ofHours(1));
        assertEquals(0, sim.deliverNotifications());
        token = SimTestSupport.token(sim);
        assertEquals(
                "disabled",
                json(get(feed(sim) + "/subscriptions/list", token))
                        .get(0)
                        .at("/webhook/status")
                        .asText());
        // /start with the same webhook re-enables it (not AF20024); pending and new blobs then arrive
        answer.set(200);
        clock.advance(Duration.ofMinutes(15));
        assertEquals(
                200,
                start("Audit.General", "{\"webhook\":{\"address\":\"" + hook + "\"}}")
                        .statusCode());
        assertEquals(visibleGeneral(), sim.deliverNotifications(), "everything pending is delivered");
        int successes = 0;
        for (JsonNode h : json(get(feed(sim) + "/subscriptions/notifications?contentType=Audit.General", token))) {
            successes += h.get("notificationStatus").asText().equals("success") ? 1 : 0;
        }
        assertEquals(visibleGeneral(), successes);
        assertEquals(0, sim.deliverNotifications());
    }

    private int visibleGeneral() {
        return sim.visibleBlobs(TENANT, ContentType.GENERAL, T0, clock.instant().plusMillis(1))
                .size();
    }

    @Test
    void notificationHistoryPagesDoNotSplitRetries() {
        try (ManagementApiSimulator paged = ManagementApiSimulator.builder()
                .clock(clock)
                .pageSize(2)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret(SECRET))
                        .volumeAll(Volume.of(3, 1)))
                .build()
                .start()) {
            String t = SimTestSupport.token(paged);
            assertEquals(
                    200,
                    apiPost(
                                    paged.apiRoot(TENANT) + "/subscriptions/start?contentType=Audit.Exchange",
                                    t,
                                    "{\"webhook\":{\"address\":\"" + hook + "\"}}")
                            .statusCode());
            answer.set(500);
            clock.advance(Duration.ofHours(2));
            int blobs = paged.deliverNotifications();
            clock.advance(Duration.ofMinutes(1));
            paged.deliverNotifications();
            clock.advance(Duration.ofMinutes(2));
            paged.deliverNotifications();
            t = SimTestSupport.token(paged);
            String url = paged.apiRoot(TENANT) + "/subscriptions/notifications?contentType=Audit.Exchange";
            int total = 0;
            int pages = 0;
            while (url != null) {
                HttpResponse<String> r = get(url, t);
                assertEquals(200, r.statusCode(), r.body());
                total += json(r).size();
                url = r.headers().firstValue("NextPageUri").orElse(null);
                assertTrue(++pages <= blobs, "terminates");
            }
            assertEquals(3 * blobs, total);
        }
    }

    @Test
    void expiredWebhookStopsDelivery() {
        assertEquals(
                200,
                start(
                                "Audit.Exchange",
                                "{\"webhook\":{\"address\":\"" + hook + "\",\"expiration\":\"2024-03-01T13:00:00Z\"}}")
                        .statusCode());
        clock.advance(Duration.ofHours(2));
        assertEquals(0, sim.deliverNotifications());
        assertEquals(
                "expired",
                json(get(feed(sim) + "/subscriptions/list", SimTestSupport.token(sim)))
                        .get(0)
                        .at("/webhook/status")
                        .asText());
    }

    @Test
    void validationFailures() {
        answer.set(500);
        HttpResponse<String> r = start("Audit.Exchange", "{\"webhook\":{\"address\":\"" + hook + "\"}}");
        assertApiError(r, 400, "AF20021");
        assertTrue(json(r).at("/error/message").asText().endsWith("The endpoint did not return HTTP 200."));
        assertEquals("[]", get(feed(sim) + "/subscriptions/list", token).body(), "no subscription was created");
        assertApiError(get(feed(sim) + "/subscriptions/content?contentType=Audit.Exchange", token), 400, "AF20022");

        HttpResponse<String> plain =
                start("Audit.Exchange", "{\"webhook\":{\"address\":\"http://hooks.example.net/x\"}}");
        assertApiError(plain, 400, "AF20021");
        assertTrue(json(plain).at("/error/message").asText().endsWith("The address must begin with HTTPS."));

        answer.set(200);
        assertApiError(
                start(
                        "Audit.Exchange",
                        "{\"webhook\":{\"address\":\"" + hook + "\",\"expiration\":\"2020-01-01T00:00:00Z\"}}"),
                400,
                "AF20003");
        assertEquals(
                200,
                start(
                                "Audit.Exchange",
                                "{\"webhook\":{\"address\":\"" + hook + "\",\"expiration\":\"2030-01-01T00:00:00Z\"}}")
                        .statusCode());
    }

    @Test
    void autoNotifyOnClockAdvance() {
        try (ManagementApiSimulator auto = ManagementApiSimulator.builder()
                .clock(clock)
                .autoNotify(true, null)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret(SECRET))
                        .volumeAll(Volume.of(6, 2)))
                .build()
                .start()) {
            String t = SimTestSupport.token(auto);
            assertEquals(
                    200,
                    apiPost(
                                    auto.apiRoot(TENANT) + "/subscriptions/start?contentType=Audit.Exchange",
                                    t,
                                    "{\"webhook\":{\"address\":\"" + hook + "\"}}")
                            .statusCode());
            assertEquals(1, received.size());
            clock.advance(Duration.ofHours(1));
            assertTrue(received.size() > 1, "notified during advance()");
            int count = 0;
            for (Received n : received.subList(1, received.size())) {
                count += parse(n.body()).size();
            }
            assertEquals(
                    auto.visibleBlobs(TENANT, ContentType.EXCHANGE, T0, clock.instant())
                            .size(),
                    count);
        }
        int before = received.size();
        clock.advance(Duration.ofHours(1));
        assertEquals(before, received.size(), "a closed simulator no longer listens to the clock");
    }

    @Test
    void stoppedSubscriptionsGetNoNotifications() {
        assertEquals(
                200,
                start("DLP.All", "{\"webhook\":{\"address\":\"" + hook + "\"}}").statusCode());
        assertEquals(
                200,
                apiPost(feed(sim) + "/subscriptions/stop?contentType=DLP.All", token, null)
                        .statusCode());
        clock.advance(Duration.ofHours(2));
        assertEquals(0, sim.deliverNotifications());
        assertEquals(1, received.size(), "only the validation");
    }
}
