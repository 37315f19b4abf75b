package io.github.auditlake.o365.simulator;

import static io.github.auditlake.o365.simulator.SimTestSupport.CLIENT;
import static io.github.auditlake.o365.simulator.SimTestSupport.PUBLISHER;
import static io.github.auditlake.o365.simulator.SimTestSupport.SECRET;
import static io.github.auditlake.o365.simulator.SimTestSupport.T0;
import static io.github.auditlake.o365.simulator.SimTestSupport.TENANT;
import static io.github.auditlake.o365.simulator.SimTestSupport.assertApiError;
import static io.github.auditlake.o365.simulator.SimTestSupport.feed;
import static io.github.auditlake.o365.simulator.SimTestSupport.get;
import static io.github.auditlake.o365.simulator.SimTestSupport.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Throttling, injected faults and the request log. */
class SimFaultsTest {

    SimClock clock;
    ManagementApiSimulator sim;
    String token;
    String listUrl;

    @BeforeEach
    void setUp() {
        clock = SimClock.fixed(T0);
        sim = ManagementApiSimulator.builder()
                .clock(clock)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret(SECRET))
                        .subscribedAll(true)
                        .volumeAll(Volume.of(2, 30)))
                .build()
                .start();
        token = SimTestSupport.token(sim);
        listUrl = feed(sim) + "/subscriptions/content?contentType=Audit.Exchange";
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    private String blobUri() {
        SimBlob b = sim.visibleBlobs(TENANT, ContentType.EXCHANGE, T0.minus(Duration.ofHours(6)), T0)
                .get(0);
        return feed(sim) + "/audit/" + b.contentId();
    }

    @Test
    void throttlingPerTenantAndPublisher() {
        sim.faults().throttle(3);
        String withPub = blobUri() + "?PublisherIdentifier=" + PUBLISHER;
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get(withPub, token).statusCode());
        }
        HttpResponse<String> throttled = get(withPub, token);
        assertApiError(throttled, 403, "AF429");
        assertEquals(
                "Too many requests. Method=GetBlob, PublisherId=" + PUBLISHER,
                json(throttled).at("/error/message").asText());
        // no PublisherIdentifier: the shared pool, reported as the all-zero GUID
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get(listUrl, token).statusCode());
        }
        HttpResponse<String> shared = get(listUrl, token);
        assertApiError(shared, 403, "AF429");
        assertTrue(json(shared)
                .at("/error/message")
                .asText()
                .endsWith("Method=ListContent, PublisherId=00000000-0000-0000-0000-000000000000"));
        // the window slides with the simulated clock
        clock.advance(Duration.ofSeconds(59));
        assertApiError(get(withPub, token), 403, "AF429");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(200, get(withPub, token).statusCode());
        // optional 429 + Retry-After
        sim.faults().throttle(1).throttleAs429(true, Duration.ofSeconds(17));
        clock.advance(Duration.ofMinutes(2));
        get(listUrl, token);
        HttpResponse<String> r429 = get(listUrl, token);
        assertApiError(r429, 429, "AF429");
        assertEquals("17", r429.headers().firstValue("Retry-After").orElse(""));
    }

    @Test
    void peakPerMinuteCountsEveryRequestOfATenantAndExceedsTheBudgetOnlyWhenRefused() {
        sim.faults().throttle(3);
        String withPub = blobUri() + "?PublisherIdentifier=" + PUBLISHER;
        String key = TENANT.toLowerCase(java.util.Locale.ROOT) + "|" + PUBLISHER.toLowerCase(java.util.Locale.ROOT);
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get(withPub, token).statusCode());
        }
        assertEquals(3, sim.faults().peakRequestsPerMinute().get(key));
        assertEquals(0, sim.faults().refusedOverBudget());
        clock.advance(Duration.ofSeconds(61)); // the window slid: the next three stay at the budget
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get(withPub, token).statusCode());
        }
        assertEquals(3, sim.faults().peakRequestsPerMinute().get(key), "a sliding minute, not a total");
        assertApiError(get(withPub, token), 403, "AF429");
        assertEquals(4, sim.faults().peakRequestsPerMinute().get(key), "the refused request is counted");
        assertEquals(1, sim.faults().refusedOverBudget());
        sim.faults().clear();
        assertEquals(Map.of(), sim.faults().peakRequestsPerMinute());
        assertEquals(0, sim.faults().refusedOverBudget());
    }

    @Test
    void failNextRulesThenRecovery() {
        sim.faults()
                .failNext(2, ".*/subscriptions/content", Faults.Kind.HTTP_500)
                .failNext(1, ".*/subscriptions/content", Faults.Kind.HTTP_503)
                .failNext(1, ".*/subscriptions/content", Faults.Kind.HTTP_408)
                .failNext(1, ".*/subscriptions/content", Faults.Kind.THROTTLE);
        HttpResponse<String> e500 = get(listUrl, token);
        assertApiError(e500, 500, "AF50000");
        assertEquals(
                "An internal error occurred.  Retry the request.",
                json(e500).at("/error/message").asText());
        assertEquals(500, get(listUrl, token).statusCode());
        assertEquals(503, get(listUrl, token).statusCode());
        assertEquals(408, get(listUrl, token).statusCode());
        assertApiError(get(listUrl, token), 403, "AF429");
        assertEquals(200, get(listUrl, token).statusCode());
        // login paths can fail too
        sim.faults().failNext(1, "/.*/oauth2/v2\\.0/token", Faults.Kind.HTTP_503);
        assertThrows(AssertionError.class, () -> SimTestSupport.token(sim));
        SimTestSupport.token(sim);
    }

    @Test
    void aStallMidBodySendsHalfTheBlobThenDropsTheConnection() {
        String uri = blobUri();
        String path = java.net.URI.create(uri).getRawPath();
        String id = path.substring(path.lastIndexOf('/') + 1);
        sim.faults()
                .stall(java.time.Duration.ofMillis(300))
                .failNext(1, ".*/audit/" + java.util.regex.Pattern.quote(id), Faults.Kind.STALL_MID_BODY);
        assertThrows(UncheckedIOException.class, () -> get(uri, token));
        assertEquals(200, get(uri, token).statusCode());
    }

    @Test
    void connectionResetMidBody() {
        String uri = blobUri();
        sim.faults().failNext(1, ".*/activity/feed/audit/.*", Faults.Kind.RESET_MID_BODY);
        assertThrows(UncheckedIOException.class, () -> get(uri, token));
        assertEquals(0, sim.servedBlobs(TENANT, ContentType.EXCHANGE).size());
        // a reset of a small JSON answer
        sim.faults().failNext(1, ".*/subscriptions/content", Faults.Kind.RESET_MID_BODY);
        assertThrows(UncheckedIOException.class, () -> get(listUrl, token));
        assertEquals(200, get(uri, token).statusCode());
        assertEquals(1, sim.servedBlobs(TENANT, ContentType.EXCHANGE).size());
    }

    @Test
    void truncatedJsonBody() {
        String uri = blobUri();
        sim.faults().failNext(1, ".*/activity/feed/audit/.*", Faults.Kind.TRUNCATED_BODY);
        HttpResponse<String> r = get(uri, token);
        assertEquals(200, r.statusCode());
        assertThrows(IOException.class, () -> Jwts.JSON.readTree(r.body()));
        assertTrue(r.body().startsWith("[{"));
        assertEquals(0, sim.servedBlobs(TENANT, ContentType.EXCHANGE).size());
        assertEquals(200, get(uri, token).statusCode());
    }

    @Test
    void seededRates() {
        sim.faults().rate(Faults.Kind.HTTP_500, 1.0);
        assertEquals(500, get(listUrl, token).statusCode());
        sim.faults().rate(Faults.Kind.HTTP_500, 0.5);
        int failures = 0;
        for (int i = 0; i < 40; i++) {
            failures += get(listUrl, token).statusCode() == 500 ? 1 : 0;
        }
        assertTrue(failures > 5 && failures < 35, "about half fail: " + failures);
        // login is not subject to rates
        sim.faults().rate(Faults.Kind.HTTP_500, 1.0);
        SimTestSupport.token(sim);
        sim.faults().clear();
        assertEquals(200, get(listUrl, token).statusCode());
    }

    @Test
    void requestLogRecordsWhatATestNeeds() throws Exception {
        sim.resetLog();
        get(listUrl + "&publisheridentifier=" + PUBLISHER, token);
        List<RecordedRequest> log = sim.requests();
        assertEquals(1, log.size());
        assertEquals(1, sim.requestCount());
        RecordedRequest r = log.get(0);
        assertEquals("GET", r.method());
        assertEquals("/api/v1.0/" + TENANT + "/activity/feed/subscriptions/content", r.path());
        assertEquals(PUBLISHER, r.query("PublisherIdentifier").orElseThrow());
        assertEquals("Bearer <redacted>", r.header("Authorization").orElseThrow());
        assertFalse(r.headers().toString().contains(token));
        assertEquals(200, r.status());
        assertEquals(T0, r.start());
        assertTrue(r.isApi() && !r.isBlobFetch());
        assertTrue(r.inFlightAtStart() >= 1);

        // concurrency is observable: four requests held by a 1 s latency overlap
        sim.resetLog();
        sim.faults().latency(Duration.ofSeconds(1));
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calls.add(CompletableFuture.supplyAsync(() -> get(listUrl, token)));
        }
        for (CompletableFuture<HttpResponse<String>> c : calls) {
            assertEquals(200, c.get().statusCode());
        }
        int maxInFlight = sim.requests().stream()
                .mapToInt(RecordedRequest::inFlightAtStart)
                .max()
                .orElse(0);
        assertTrue(maxInFlight >= 2, "max in flight " + maxInFlight);
        // the latency fault was applied to each request (observed through the simulator, not by timing it)
        assertEquals(4, sim.faults().delayedRequests());
        assertEquals(Duration.ofSeconds(4), sim.faults().injectedLatency());
    }

    @Test
    void requestLogIsCapped() {
        try (ManagementApiSimulator capped = ManagementApiSimulator.builder()
                .clock(clock)
                .requestLogLimit(3)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret(SECRET))
                        .subscribedAll(true))
                .build()
                .start()) {
            String t = SimTestSupport.token(capped);
            for (int i = 0; i < 5; i++) {
                get(capped.apiRoot(TENANT) + "/subscriptions/list?n=" + i, t);
            }
            assertEquals(6, capped.requestCount());
            List<RecordedRequest> log = capped.requests();
            assertEquals(3, log.size());
            assertEquals("n=4", log.get(2).rawQuery());
        }
    }

    @Test
    void dlpSensitiveTypesAndAcceptLanguage() {
        String url = feed(sim) + "/resources/dlpSensitiveTypes";
        HttpResponse<String> en = get(url, token);
        assertEquals(200, en.statusCode());
        assertTrue(
                en.body().contains("\"id\":\"50842eb7-edc8-4019-85dd-5a5c1f2bb085\",\"name\":\"Credit Card Number\""));
        assertTrue(get(url, token, "Accept-Language", "de-DE").body().contains("Kreditkartennummer"));
        assertEquals(200, get(url, token, "Accept-Language", "fr-FR;q=0.8").statusCode());
        assertApiError(get(url, token, "Accept-Language", "en-US, de-DE"), 400, "AF20053");
        assertApiError(get(url, token, "Accept-Language", "en_US!"), 400, "AF20054");
        assertApiError(get(url, token, "Accept-Language", "en-US;q=abc"), 400, "AF20054");
    }
}
