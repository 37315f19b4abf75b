package io.github.auditlake.o365.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ErrorClassifier;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.Sleeper;
import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.client.ManagementApis;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.engine.health.HealthEvent;
import io.github.auditlake.o365.engine.health.HealthMonitor;
import io.github.auditlake.o365.engine.health.HealthSettings;
import io.github.auditlake.o365.metrics.EngineMetrics;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.RecordedRequest;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.TenantSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The subscription keeper with the real client against the simulator, which enforces the API's rules: a start of an
 * enabled subscription answers AF20024, and a second start of a content type within 15 minutes answers AF429.
 */
class SubscriptionKeeperTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final String CLIENT = "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69";
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

    final SimClock clock = SimClock.fixed(NOW);
    final Sleeper sleeper = clock::advance;
    final EngineMetrics metrics = new EngineMetrics();
    ManagementApiSimulator sim;
    ManagementApi api;

    @AfterEach
    void close() {
        if (api != null) {
            api.close();
        }
        if (sim != null) {
            sim.close();
        }
    }

    void start(boolean subscribed) {
        sim = ManagementApiSimulator.builder()
                .clock(clock)
                .seed(3)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret("s3cret"))
                        .subscribedAll(subscribed))
                .build()
                .start();
        // one attempt per call: the keeper, not the client's retries, must respect the 15-minute rule
        api = ManagementApis.create(ClientSettings.builder()
                .tenantId(TENANT)
                .clientId(CLIENT)
                .clientSecret("s3cret")
                .apiBaseUrl(sim.baseUrl())
                .loginBaseUrl(sim.baseUrl())
                .clock(clock)
                .sleeper(sleeper)
                .random(new Random(1))
                .retry(1, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1))
                .build());
    }

    SubscriptionKeeper keeper(boolean manage) {
        return new SubscriptionKeeper(api, manage, clock, sleeper, metrics);
    }

    List<RecordedRequest> starts(ContentType type) {
        return sim.requests().stream()
                .filter(r -> r.path().endsWith("/subscriptions/start"))
                .filter(r -> type.wireName().equals(r.query("contentType").orElse(null)))
                .toList();
    }

    List<RecordedRequest> lists() {
        return sim.requests().stream()
                .filter(r -> r.path().endsWith("/subscriptions/list"))
                .toList();
    }

    static ApiException disabled(ContentType type) {
        return ErrorClassifier.classify(
                ErrorClassifier.Call.LIST_CONTENT,
                type.wireName(),
                400,
                "{\"error\":{\"code\":\"AF20023\",\"message\":\"The subscription was disabled by its owner.\"}}",
                null,
                null);
    }

    @Test
    void startsAMissingSubscriptionOnceAndListsOnlyOnce() throws Exception {
        start(false);
        SubscriptionKeeper k = keeper(true);

        k.ensure(ContentType.EXCHANGE);
        k.ensure(ContentType.EXCHANGE);
        k.ensure(ContentType.GENERAL);

        assertEquals(1, lists().size(), "the subscriptions are listed once");
        assertEquals(1, starts(ContentType.EXCHANGE).size());
        assertEquals(200, starts(ContentType.EXCHANGE).get(0).status());
        assertEquals(1, starts(ContentType.GENERAL).size());
        assertEquals(2, metrics.subscriptionsStarted.sum());
        assertTrue(
                api.listSubscriptions().stream()
                        .filter(s -> s.contentType().equals("Audit.Exchange"))
                        .allMatch(s -> s.enabled()),
                "enabled on the service");
    }

    @Test
    void anEnabledSubscriptionIsNotStartedAgain() throws Exception {
        start(true);
        keeper(true).ensure(ContentType.EXCHANGE);
        assertEquals(List.of(), starts(ContentType.EXCHANGE));
    }

    /**
     * The service reports the subscription lost twice in a row: the second start waits until 15 minutes after the
     * first (by the clock), so the service never answers AF429; another content type is started at once.
     */
    @Test
    void restartsALostSubscriptionAtMostOncePer15MinutesPerContentType() throws Exception {
        start(false);
        SubscriptionKeeper k = keeper(true);
        k.ensure(ContentType.EXCHANGE);
        api.stopSubscription(ContentType.EXCHANGE);

        clock.advance(Duration.ofMinutes(2));
        k.lost(ContentType.EXCHANGE, disabled(ContentType.EXCHANGE));
        Instant lostAgainAt = clock.instant();
        k.lost(ContentType.GENERAL, disabled(ContentType.GENERAL));

        List<RecordedRequest> exchange = starts(ContentType.EXCHANGE);
        assertEquals(2, exchange.size(), "started, then restarted");
        assertFalse(
                exchange.get(1).start().isBefore(exchange.get(0).start().plus(Duration.ofMinutes(15))),
                "the restart waited for the 15-minute rule: " + exchange.get(0).start() + " then "
                        + exchange.get(1).start());
        exchange.forEach(r -> assertEquals(200, r.status(), "no AF429 for starting too early"));
        List<RecordedRequest> general = starts(ContentType.GENERAL);
        assertEquals(1, general.size());
        assertTrue(
                general.get(0).start().isBefore(lostAgainAt.plus(SubscriptionKeeper.START_JITTER)),
                "another content type does not wait for the 15-minute rule, only the jitter: " + lostAgainAt + " then "
                        + general.get(0).start());
        assertEquals(3, metrics.subscriptionsStarted.sum());
    }

    /**
     * Several connectors on one tenant: another one already started the subscription again, so the listing after the
     * jitter says it is enabled and this keeper starts nothing (no AF20024, no AF429 for a second start).
     */
    @Test
    void aSubscriptionAnotherClientStartedAgainIsNotStartedTwice() throws Exception {
        start(true);
        SubscriptionKeeper k = keeper(true);
        StreamId s = new StreamId(TENANT, ContentType.EXCHANGE);
        HealthMonitor health = new HealthMonitor(List.of(s), HealthSettings.DEFAULTS, clock, "t");
        k.reportTo(health);

        k.lost(ContentType.EXCHANGE, disabled(ContentType.EXCHANGE));

        assertEquals(List.of(), starts(ContentType.EXCHANGE));
        assertEquals(0, metrics.subscriptionsStarted.sum());
        List<String> states = health.drain().stream().map(HealthEvent::state).toList();
        assertEquals(List.of("signing-in", "disabled", "subscribed"), states);
    }

    /**
     * A subscription disabled while running, with a webhook registered through the CLI: it is started again at once
     * (no start within 15 minutes), the start carries the webhook so it stays registered, and the health states say
     * so.
     */
    @Test
    void aDisabledSubscriptionIsStartedAgainKeepingItsWebhook() throws Exception {
        start(true);
        com.sun.net.httpserver.HttpServer hook =
                com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        hook.start();
        try {
            String address = "http://127.0.0.1:" + hook.getAddress().getPort() + "/hook";
            api.startSubscription(
                    ContentType.EXCHANGE, new ManagementApi.WebhookRequest(address, "shared-secret", null));
            clock.advance(Duration.ofMinutes(16));
            assertTrue(sim.disableSubscription(TENANT, CLIENT, ContentType.EXCHANGE));
            SubscriptionKeeper k = keeper(true);
            StreamId s = new StreamId(TENANT, ContentType.EXCHANGE);
            HealthMonitor health = new HealthMonitor(List.of(s), HealthSettings.DEFAULTS, clock, "t");
            k.reportTo(health);

            k.lost(ContentType.EXCHANGE, disabled(ContentType.EXCHANGE));

            assertEquals(
                    java.util.Optional.of("enabled"), sim.subscriptionStatus(TENANT, CLIENT, ContentType.EXCHANGE));
            assertEquals(
                    java.util.Optional.of(address),
                    sim.subscriptionWebhook(TENANT, CLIENT, ContentType.EXCHANGE),
                    "the webhook is still registered");
            List<RecordedRequest> exchange = starts(ContentType.EXCHANGE);
            assertEquals(2, exchange.size(), "the CLI's start, then the keeper's");
            assertEquals(200, exchange.get(1).status());
            List<HealthEvent> events = health.drain();
            assertEquals(
                    List.of("signing-in", "disabled", "subscribed"),
                    events.stream().map(HealthEvent::state).toList());
            assertEquals("AF20023", events.get(1).details().get("errorCode"));
            assertEquals(true, events.get(2).details().get("startedByConnector"));
            assertEquals(true, events.get(2).details().get("webhookKept"));
        } finally {
            hook.stop(0);
        }
    }

    @Test
    void withManagementDisabledALostSubscriptionFailsWithAClearMessageAndNothingIsStarted() throws Exception {
        start(false);
        SubscriptionKeeper k = keeper(false);

        k.ensure(ContentType.EXCHANGE);
        ApiException e =
                assertThrows(ApiException.class, () -> k.lost(ContentType.EXCHANGE, disabled(ContentType.EXCHANGE)));

        assertEquals(ErrorKind.PERMANENT, e.kind());
        assertTrue(e.getMessage().contains("Audit.Exchange") || e.getMessage().contains("EXCHANGE"), e.getMessage());
        assertTrue(e.getMessage().contains("o365.subscriptions.manage.enabled=true"), e.getMessage());
        assertTrue(e.getMessage().contains("AF20023"), "the service's answer is quoted: " + e.getMessage());
        assertEquals(
                List.of(),
                sim.requests().stream().filter(RecordedRequest::isApi).toList(),
                "no request: the subscriptions are managed elsewhere");
    }

    @Test
    void aStartTheServiceAnsweredWithAnErrorDoesNotCostFifteenMinutes() throws Exception {
        start(false);
        sim.faults().failNext(1, ".*/subscriptions/start", io.github.auditlake.o365.simulator.Faults.Kind.HTTP_500);
        SubscriptionKeeper k = keeper(true);
        Instant before = clock.instant();
        org.junit.jupiter.api.Assertions.assertThrows(ApiException.class, () -> k.ensure(ContentType.EXCHANGE));
        k.ensure(ContentType.EXCHANGE);
        org.junit.jupiter.api.Assertions.assertEquals(
                2, starts(ContentType.EXCHANGE).size());
        org.junit.jupiter.api.Assertions.assertTrue(
                clock.instant().isBefore(before.plus(Duration.ofMinutes(1))),
                "retried at once, not after 15 minutes: " + clock.instant());
    }
}
