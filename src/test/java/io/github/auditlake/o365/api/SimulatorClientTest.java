package io.github.auditlake.o365.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.auth.MsalTokenProviderTest;
import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.client.ManagementApis;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.Faults;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.RecordedRequest;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import java.io.FileInputStream;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real client (MSAL sign-in + OkHttp adapter) against the Management API simulator. */
class SimulatorClientTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final String CLIENT = "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69";
    static final String SECRET = "sim-secret-value";
    static final Instant NOW = Instant.parse("2024-03-01T12:00:00Z");

    private ManagementApiSimulator sim;
    private final SimClock clock = SimClock.fixed(NOW);
    private final Sleeper sleeper = clock::advance;

    @AfterEach
    void tearDown() {
        if (sim != null) {
            sim.close();
        }
    }

    private ManagementApiSimulator start(TenantSpec tenant, int pageSize) {
        sim = ManagementApiSimulator.builder()
                .clock(clock)
                .seed(7)
                .pageSize(pageSize)
                .tenant(tenant)
                .build()
                .start();
        return sim;
    }

    private ClientSettings.Builder settings() {
        return ClientSettings.builder()
                .tenantId(TENANT)
                .clientId(CLIENT)
                .clientSecret(SECRET)
                .apiBaseUrl(sim.baseUrl())
                .loginBaseUrl(sim.baseUrl())
                .clock(clock)
                .sleeper(sleeper)
                .random(new Random(3))
                .retry(5, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(5));
    }

    private static TenantSpec tenant() {
        return TenantSpec.of(TENANT)
                .app(AppSpec.of(CLIENT).secret(SECRET))
                .volume(ContentType.EXCHANGE, Volume.of(12, 4));
    }

    private List<RecordedRequest> api() {
        return sim.requests().stream().filter(RecordedRequest::isApi).toList();
    }

    @Test
    void everyOperationWithPagingAndPublisherIdentifier() {
        start(tenant(), 3);
        try (ManagementApi api = ManagementApis.create(settings().build())) {
            Subscription s = api.startSubscription(ContentType.EXCHANGE, null);
            assertTrue(s.enabled());
            assertEquals("Audit.Exchange", s.contentType());
            assertTrue(api.listSubscriptions().stream()
                    .anyMatch(x -> x.contentType().equals("Audit.Exchange")));
            Instant from = NOW.minus(Duration.ofHours(6));
            List<ContentBlob> blobs = api.listAllContent(ContentType.EXCHANGE, from, NOW);
            assertTrue(blobs.size() > 3, "needs several pages: " + blobs.size());
            Set<String> ids = new HashSet<>();
            for (ContentBlob b : blobs) {
                try (AuditRecordStream r = api.openBlob(b)) {
                    r.forEachRemaining(rec -> ids.add(rec.id()));
                }
            }
            assertEquals(sim.expectedRecordIds(TENANT, ContentType.EXCHANGE, from, NOW), ids);
            assertTrue(api.listNotifications(ContentType.EXCHANGE, from, NOW).isEmpty());
            assertFalse(api.dlpSensitiveTypes("en-US").isEmpty());
            api.stopSubscription(ContentType.EXCHANGE);
            assertEquals(
                    ErrorKind.RESUBSCRIBE,
                    assertThrows(ApiException.class, () -> api.listContent(ContentType.EXCHANGE, from, NOW))
                            .kind());
        }
        List<RecordedRequest> calls = api();
        assertTrue(calls.stream().anyMatch(r -> r.query("nextpage").isPresent()), "paging happened");
        for (RecordedRequest r : calls) {
            assertEquals(TENANT, r.query("PublisherIdentifier").orElse(null), r.path() + "?" + r.rawQuery());
        }
        assertTrue(calls.stream().anyMatch(RecordedRequest::isBlobFetch));
    }

    @Test
    void alreadyEnabledStartIsSuccess() {
        start(tenant().subscribedAll(true), 600);
        try (ManagementApi api = ManagementApis.create(settings().build())) {
            assertTrue(api.startSubscription(ContentType.GENERAL, null).enabled());
        }
    }

    @Test
    void tokenRefreshedAheadOfExpiryOnTheSimulatorsClock() {
        start(tenant().subscribedAll(true), 600);
        try (ManagementApi api = ManagementApis.create(settings().build())) {
            api.listSubscriptions();
            api.listSubscriptions();
            assertEquals(1, tokenRequests());
            clock.advance(Duration.ofMinutes(56)); // token lifetime 3599 s: within 5 min of expiry
            api.listSubscriptions();
            assertEquals(2, tokenRequests());
            clock.advance(Duration.ofMinutes(30));
            api.listSubscriptions();
            assertEquals(2, tokenRequests());
        }
        assertTrue(api().stream().allMatch(r -> r.status() == 200), "no 401 needed");
    }

    private long tokenRequests() {
        return sim.requests().stream()
                .filter(r -> r.path().endsWith("/oauth2/v2.0/token"))
                .count();
    }

    @Test
    void certificateSignIn(@TempDir Path dir) throws Exception {
        Path p12 = MsalTokenProviderTest.pkcs12(dir);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(p12.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        X509Certificate cert = (X509Certificate) ks.getCertificate("app");
        // MSAL signs the client assertion with the real clock (nbf/exp), so this simulator must run on it too
        clock.set(java.time.Instant.now());
        start(TenantSpec.of(TENANT).app(AppSpec.of(CLIENT).certificate(cert)).subscribedAll(true), 600);
        try (ManagementApi api = ManagementApis.create(settings()
                .certificate(p12, "changeit")
                .allowedPaths(AllowedPaths.of(dir.toString()))
                .build())) {
            assertFalse(api.listSubscriptions().isEmpty());
        }
        Path pem = MsalTokenProviderTest.pem(dir, p12);
        try (ManagementApi api = ManagementApis.create(settings()
                .certificate(pem, null)
                .allowedPaths(AllowedPaths.of(dir.toString()))
                .build())) {
            assertFalse(api.listSubscriptions().isEmpty());
        }
        // inline, as o365.client.certificate.pem gives it: no file, no allowed directory needed
        try (ManagementApi api = ManagementApis.create(settings()
                .certificatePem(java.nio.file.Files.readString(pem), null)
                .allowedPaths(AllowedPaths.of(""))
                .build())) {
            assertFalse(api.listSubscriptions().isEmpty());
        }
    }

    @Test
    void wrongSecretIsAuthentication() {
        start(tenant().subscribedAll(true), 600);
        try (ManagementApi api =
                ManagementApis.create(settings().clientSecret("nope").build())) {
            assertEquals(
                    ErrorKind.AUTHENTICATION,
                    assertThrows(ApiException.class, api::listSubscriptions).kind());
        }
    }

    @Test
    void throttlingAndServerErrorsAreRetried() {
        start(tenant().subscribedAll(true), 600);
        sim.faults()
                .failNext(1, ".*subscriptions/content.*", Faults.Kind.THROTTLE)
                .failNext(1, ".*subscriptions/content.*", Faults.Kind.HTTP_500)
                .failNext(1, ".*subscriptions/content.*", Faults.Kind.HTTP_503);
        try (ManagementApi api = ManagementApis.create(settings().build())) {
            api.listContent(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(2)), NOW);
        }
        List<Integer> statuses = api().stream().map(RecordedRequest::status).toList();
        assertEquals(4, statuses.size(), statuses.toString());
        assertEquals(200, statuses.get(3));
    }

    @Test
    void midBodyResetIsTransient() {
        start(tenant().subscribedAll(true), 600);
        try (ManagementApi api = ManagementApis.create(settings().build())) {
            List<ContentBlob> blobs = api.listAllContent(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(2)), NOW);
            assertFalse(blobs.isEmpty());
            sim.faults().failNext(1, ".*/activity/feed/audit/.*", Faults.Kind.RESET_MID_BODY);
            ApiException e = assertThrows(ApiException.class, () -> {
                try (AuditRecordStream s = api.openBlob(blobs.get(0))) {
                    s.forEachRemaining(r -> {});
                }
            });
            assertEquals(ErrorKind.TRANSIENT, e.kind());
            sim.faults().failNext(1, ".*/activity/feed/audit/.*", Faults.Kind.TRUNCATED_BODY);
            ApiException t = assertThrows(ApiException.class, () -> {
                try (AuditRecordStream s = api.openBlob(blobs.get(0))) {
                    s.forEachRemaining(r -> {});
                }
            });
            assertEquals(ErrorKind.TRANSIENT, t.kind());
        }
    }

    @Test
    void windowErrorsCarryServerDate() {
        start(tenant().subscribedAll(true), 600);
        try (ManagementApi api = ManagementApis.create(settings().build())) {
            ApiException e = assertThrows(
                    ApiException.class,
                    () -> api.listContent(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(30)), NOW));
            assertEquals(ErrorKind.WINDOW, e.kind());
            assertTrue(e.serverDate().isPresent());
        }
    }

    @Test
    void dlpWithoutReadDlpIsPermanentAndSaysSo() {
        start(
                TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret(SECRET).roles(AppSpec.ROLE_READ))
                        .subscribedAll(true),
                600);
        try (ManagementApi api = ManagementApis.create(settings().build())) {
            ApiException e = assertThrows(
                    ApiException.class,
                    () -> api.listContent(ContentType.DLP_ALL, NOW.minus(Duration.ofHours(2)), NOW));
            assertEquals(ErrorKind.PERMANENT, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("ActivityFeed.ReadDlp"), e.getMessage());
        }
    }

    @Test
    void auditOffTenantIsExplained() {
        start(tenant().auditEnabled(false), 600);
        try (ManagementApi api = ManagementApis.create(settings().build())) {
            ApiException e = assertThrows(ApiException.class, () -> api.startSubscription(ContentType.GENERAL, null));
            assertEquals(ErrorKind.PERMANENT, e.kind());
            assertTrue(e.getMessage().contains("unified audit logging may be off"), e.getMessage());
        }
    }

    @Test
    void requestBudgetHoldsInTheSimulatorsLog() {
        start(tenant().subscribedAll(true), 600);
        try (ManagementApi api =
                ManagementApis.create(settings().requestsPerMinute(5).build())) {
            for (int i = 0; i < 17; i++) {
                api.listSubscriptions();
            }
        }
        List<Instant> starts = api().stream().map(RecordedRequest::start).toList();
        assertEquals(17, starts.size());
        for (Instant s : starts) {
            long inWindow = starts.stream()
                    .filter(t -> !t.isBefore(s) && t.isBefore(s.plusSeconds(60)))
                    .count();
            assertTrue(inWindow <= 5, "window from " + s + " had " + inWindow);
        }
        assertFalse(clock.instant().isBefore(NOW.plusSeconds(180)), "the limiter had to wait: " + clock.instant());
    }
}
