package io.github.auditlake.o365.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.StubServer.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OkHttpManagementApiTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final String PUB = "11111111-2222-3333-4444-555555555555";
    static final String FEED = "/api/v1.0/" + TENANT + "/activity/feed/";

    private StubServer stub;
    private FakeTime time;
    private FixedTokens tokens;
    private OkHttpManagementApi api;
    private OkHttpClient http;

    @BeforeEach
    void setUp() throws Exception {
        stub = new StubServer();
        time = new FakeTime(Instant.parse("2024-03-01T12:00:00Z"));
        tokens = new FixedTokens();
        http = new OkHttpClient();
        api = new OkHttpManagementApi(
                http,
                tokens,
                TENANT,
                stub.baseUrl(),
                PUB,
                new RequestLimiter(1000, time, time, true),
                new RetryPolicy(4, Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofMinutes(2)),
                time,
                time,
                new Random(1),
                "test-agent",
                false);
    }

    @AfterEach
    void tearDown() {
        api.close();
        stub.close();
        http.dispatcher().executorService().shutdown();
    }

    private String blobJson(String id, String created) {
        String uri = stub.baseUrl() + FEED + "audit/" + id;
        return "{\"contentUri\":\"" + uri + "\",\"contentId\":\"" + id + "\",\"contentType\":\"Audit.Exchange\","
                + "\"contentCreated\":\"" + created + "\",\"contentExpiration\":\"2024-03-08T08:05:12.345Z\"}";
    }

    @Test
    void listContentSendsWindowPublisherAndBearer() {
        stub.enqueue(Reply.json(200, "[" + blobJson("b$1", "2024-03-01T08:30:44.123Z") + "]"));
        ContentPage page = api.listContent(
                ContentType.EXCHANGE, Instant.parse("2024-03-01T00:00:00Z"), Instant.parse("2024-03-01T01:00:00.5Z"));
        assertEquals(1, page.blobs().size());
        ContentBlob b = page.blobs().get(0);
        assertEquals("b$1", b.contentId());
        assertEquals(Instant.parse("2024-03-01T08:30:44.123Z"), b.contentCreated());
        assertTrue(page.nextPageUri().isEmpty());
        StubServer.Recorded r = stub.requests().get(0);
        assertEquals("GET", r.method());
        assertEquals(
                FEED + "subscriptions/content?contentType=Audit.Exchange&startTime=2024-03-01T00%3A00%3A00.000Z"
                        + "&endTime=2024-03-01T01%3A00%3A00.500Z&PublisherIdentifier=" + PUB,
                r.rawPathAndQuery());
        assertEquals("Bearer tok-1", r.header("Authorization"));
        assertEquals("test-agent", r.header("User-Agent"));
    }

    @Test
    void pagingQuirks() {
        String next1 = stub.baseUrl() + FEED + "subscriptions/content?contenttype=Audit.Exchange"
                + "&endtime=2024-03-01T01:00:00.0000000Z&starttime=2024-03-01T00:00:00.0000000Z"
                + "&nextpage=20240301001806300068349$20240301000000000000000$na0022";
        String next2 = stub.baseUrl() + FEED + "subscriptions/content?contenttype=Audit.Exchange&nextpage=p$3"
                + "&publisheridentifier=" + PUB;
        stub.enqueue(Reply.json(200, "[" + blobJson("b1", "2024-03-01T00:10:00.000Z") + "]")
                .with("nextpageuri", next1));
        stub.enqueue(Reply.json(200, "[]").with("NextPageUrl", next2)); // empty page that still links on
        stub.enqueue(Reply.json(200, "[" + blobJson("b2", "2024-03-01T00:20:00Z") + "]"));
        List<ContentBlob> all = api.listAllContent(
                ContentType.EXCHANGE, Instant.parse("2024-03-01T00:00:00Z"), Instant.parse("2024-03-01T01:00:00Z"));
        assertEquals(
                List.of("b1", "b2"), all.stream().map(ContentBlob::contentId).toList());
        assertEquals(3, stub.requests().size());
        // used exactly as given ($ unescaped, lower-case names) plus the re-appended PublisherIdentifier
        assertEquals(
                next1.substring(stub.baseUrl().length()) + "&PublisherIdentifier=" + PUB,
                stub.requests().get(1).rawPathAndQuery());
        // already present in another spelling: not appended again
        assertEquals(
                next2.substring(stub.baseUrl().length()), stub.requests().get(2).rawPathAndQuery());
    }

    @Test
    void pagingLoopIsGuarded() {
        String loop = stub.baseUrl() + FEED + "subscriptions/content?contenttype=Audit.Exchange&nextpage=x";
        stub.handler((ex, r) -> StubServer.send(ex, Reply.json(200, "[]").with("NextPageUri", loop)));
        ApiException e = assertThrows(
                ApiException.class,
                () -> api.listAllContent(
                        ContentType.EXCHANGE,
                        Instant.parse("2024-03-01T00:00:00Z"),
                        Instant.parse("2024-03-01T01:00:00Z")));
        assertTrue(e.getMessage().contains("loops"), e.getMessage());
        assertEquals(2, stub.requests().size()); // first page, then the link once; its repeat is refused
    }

    @Test
    void notificationsFollowPagesAndAreLoopGuarded() {
        String n = "{\"contentType\":\"Audit.SharePoint\",\"contentId\":\"c1\",\"contentUri\":\"" + stub.baseUrl()
                + FEED + "audit/c1\",\"contentCreated\":\"2024-03-01T08:30:44.123Z\","
                + "\"contentExpiration\":\"2024-03-08T08:05:12.345Z\",\"notificationSent\":\"2024-03-01T08:31:40.000Z\","
                + "\"notificationStatus\":\"success\"}";
        String next = stub.baseUrl() + FEED + "subscriptions/notifications?contenttype=Audit.SharePoint&nextpage=2";
        stub.enqueue(Reply.json(200, "[" + n + "]").with("NextPageUri", next));
        stub.enqueue(Reply.json(200, "[" + n + "]"));
        List<Notification> all = api.listNotifications(
                ContentType.SHAREPOINT, Instant.parse("2024-03-01T00:00:00Z"), Instant.parse("2024-03-01T12:00:00Z"));
        assertEquals(2, all.size());
        assertEquals("success", all.get(0).notificationStatus());
        assertEquals(Instant.parse("2024-03-01T08:31:40Z"), all.get(0).notificationSent());
        assertTrue(stub.requests().get(1).rawPathAndQuery().endsWith("&PublisherIdentifier=" + PUB));

        stub.handler((ex, r) -> StubServer.send(ex, Reply.json(200, "[]").with("NextPageUri", next)));
        ApiException e = assertThrows(
                ApiException.class,
                () -> api.listNotifications(
                        ContentType.SHAREPOINT,
                        Instant.parse("2024-03-01T00:00:00Z"),
                        Instant.parse("2024-03-01T12:00:00Z")));
        assertTrue(e.getMessage().contains("loops"), e.getMessage());
    }

    @Test
    void startWithWebhookAndAlreadyEnabled() {
        stub.enqueue(Reply.json(
                200,
                "{\"contentType\":\"Audit.SharePoint\",\"status\":\"enabled\",\"webhook\":"
                        + "{\"status\":\"enabled\",\"address\":\"https://hooks.example.net/o365/\",\"authId\":\"s\","
                        + "\"expiration\":null}}"));
        Subscription s = api.startSubscription(
                ContentType.SHAREPOINT,
                new ManagementApi.WebhookRequest(
                        "https://hooks.example.net/o365/", "s", Instant.parse("2024-04-01T00:00:00Z")));
        assertTrue(s.enabled());
        assertEquals("https://hooks.example.net/o365/", s.webhook().address());
        StubServer.Recorded r = stub.requests().get(0);
        assertEquals("POST", r.method());
        assertEquals(
                FEED + "subscriptions/start?contentType=Audit.SharePoint&PublisherIdentifier=" + PUB,
                r.rawPathAndQuery());
        assertEquals(
                "{\"webhook\":{\"address\":\"https://hooks.example.net/o365/\",\"authId\":\"s\","
                        + "\"expiration\":\"2024-04-01T00:00:00.000Z\"}}",
                r.body());

        stub.enqueue(Reply.json(
                400,
                "{\"error\":{\"code\":\"AF20024\",\"message\":\"The subscription is already "
                        + "enabled. No property change.\"}}"));
        stub.enqueue(Reply.json(
                200,
                "[{\"contentType\":\"Audit.Exchange\",\"status\":\"enabled\",\"webhook\":null},"
                        + "{\"contentType\":\"Audit.General\",\"status\":\"enabled\",\"webhook\":null}]"));
        Subscription g = api.startSubscription(ContentType.GENERAL, null);
        assertEquals("Audit.General", g.contentType());
        assertTrue(g.enabled());
        assertNull(g.webhook());
        assertEquals("", stub.requests().get(1).body());
        assertEquals(
                FEED + "subscriptions/list?PublisherIdentifier=" + PUB,
                stub.requests().get(2).rawPathAndQuery());
    }

    @Test
    void stopAndDlpTypes() {
        stub.enqueue(Reply.json(200, ""));
        api.stopSubscription(ContentType.DLP_ALL);
        assertEquals(
                FEED + "subscriptions/stop?contentType=DLP.All&PublisherIdentifier=" + PUB,
                stub.requests().get(0).rawPathAndQuery());
        stub.enqueue(
                Reply.json(200, "[{\"id\":\"50842eb7-edc8-4019-85dd-5a5c1f2bb085\",\"name\":\"CreditCardNumber\"}]"));
        List<SensitiveType> types = api.dlpSensitiveTypes("de-DE");
        assertEquals("CreditCardNumber", types.get(0).name());
        assertEquals("de-DE", stub.requests().get(1).header("Accept-Language"));
        assertEquals(
                FEED + "resources/dlpSensitiveTypes?PublisherIdentifier=" + PUB,
                stub.requests().get(1).rawPathAndQuery());
    }

    @Test
    void blobFetchCarriesPublisherAndStreams() {
        String uri = stub.baseUrl() + FEED + "audit/2024$x$audit_exchange";
        stub.enqueue(Reply.json(200, "[{\"Id\":\"r1\",\"RecordType\":2},{\"Id\":\"r2\"}]"));
        List<String> ids = new ArrayList<>();
        try (AuditRecordStream s = api.openBlob(new ContentBlob(
                "Audit.Exchange",
                "2024$x$audit_exchange",
                uri,
                Instant.parse("2024-03-01T08:00:00Z"),
                Instant.parse("2024-03-08T08:00:00Z")))) {
            s.forEachRemaining(r -> ids.add(r.id()));
        }
        assertEquals(List.of("r1", "r2"), ids);
        assertEquals(
                FEED + "audit/2024$x$audit_exchange?PublisherIdentifier=" + PUB,
                stub.requests().get(0).rawPathAndQuery());
    }

    @Test
    void blobErrorsSkip() {
        String uri = stub.baseUrl() + FEED + "audit/gone";
        ContentBlob blob = new ContentBlob(
                "Audit.Exchange",
                "gone",
                uri,
                Instant.parse("2024-03-01T08:00:00Z"),
                Instant.parse("2024-03-08T08:00:00Z"));
        stub.enqueue(Reply.json(404, ""));
        assertEquals(
                ErrorKind.SKIP_BLOB,
                assertThrows(ApiException.class, () -> api.openBlob(blob)).kind());
        stub.enqueue(Reply.json(400, "{\"error\":{\"code\":\"AF20051\",\"message\":\"expired\"}}"));
        assertEquals(
                ErrorKind.SKIP_BLOB,
                assertThrows(ApiException.class, () -> api.openBlob(blob)).kind());
        // expired by our clock: not fetched at all
        time.advance(Duration.ofDays(8));
        assertEquals(
                ErrorKind.SKIP_BLOB,
                assertThrows(ApiException.class, () -> api.openBlob(blob)).kind());
        assertEquals(2, stub.requests().size());
    }

    @Test
    void refusesToSendTokenToAnotherHost() {
        ContentBlob blob = new ContentBlob(
                "Audit.Exchange", "x", "https://evil.example.com/x", Instant.parse("2024-03-01T08:00:00Z"), null);
        assertEquals(
                ErrorKind.PERMANENT,
                assertThrows(ApiException.class, () -> api.openBlob(blob)).kind());
        assertTrue(stub.requests().isEmpty());
    }

    /** A URL on a Microsoft API host over plain http is not Microsoft: the bearer token never goes there. */
    @Test
    void refusesPlainHttpUrlsOnAMicrosoftApiHostWithOrWithoutAnOverride() {
        String plain = "http://manage.office.com" + FEED + "audit/b$1";
        assertEquals(
                ErrorKind.PERMANENT,
                assertThrows(ApiException.class, () -> api.checkedAbsolute(plain))
                        .kind());
        OkHttpManagementApi proxied = new OkHttpManagementApi(
                        http,
                        tokens,
                        TENANT,
                        stub.baseUrl() + "/o365",
                        PUB,
                        new RequestLimiter(1000, time, time, true),
                        RetryPolicy.DEFAULT,
                        time,
                        time,
                        new Random(1),
                        "t",
                        false)
                .rewritingCloudUrls();
        assertEquals(
                ErrorKind.PERMANENT,
                assertThrows(ApiException.class, () -> proxied.checkedAbsolute(plain))
                        .kind());
        assertTrue(
                proxied.checkedAbsolute("https://manage.office.com" + FEED + "audit/b$1")
                        .startsWith(stub.baseUrl() + "/o365"),
                "https on the same host is rewritten to the override");
    }

    @Test
    void withAnOverrideCloudUrlsAreRewrittenToItSoAReverseProxySeesEveryCall() {
        OkHttpManagementApi proxied = new OkHttpManagementApi(
                        http,
                        tokens,
                        TENANT,
                        stub.baseUrl() + "/o365",
                        PUB,
                        new RequestLimiter(1000, time, time, true),
                        RetryPolicy.DEFAULT,
                        time,
                        time,
                        new Random(1),
                        "t",
                        false)
                .rewritingCloudUrls();
        String next = "https://manage.office.com" + FEED + "subscriptions/content?contenttype=Audit.Exchange"
                + "&nextpage=20240301$x";
        stub.enqueue(Reply.json(200, "[]").with("NextPageUri", next));
        stub.enqueue(Reply.json(200, "[]"));
        stub.enqueue(Reply.json(200, "[{\"Id\":\"r1\"}]"));
        proxied.listAllContent(
                ContentType.EXCHANGE, Instant.parse("2024-03-01T00:00:00Z"), Instant.parse("2024-03-01T01:00:00Z"));
        ContentBlob blob = new ContentBlob(
                "Audit.Exchange",
                "b$1",
                "https://manage.office.com" + FEED + "audit/b$1",
                Instant.parse("2024-03-01T00:10:00Z"),
                null);
        try (AuditRecordStream records = proxied.openBlob(blob)) {
            assertEquals("r1", records.next().id());
        }
        assertEquals(3, stub.requests().size(), "every call went to the override");
        assertTrue(
                stub.requests()
                        .get(1)
                        .rawPathAndQuery()
                        .startsWith(
                                "/o365" + FEED
                                        + "subscriptions/content?contenttype=Audit.Exchange&nextpage=20240301$x&PublisherIdentifier="),
                stub.requests().get(1).rawPathAndQuery());
        assertTrue(
                stub.requests().get(2).rawPathAndQuery().startsWith("/o365" + FEED + "audit/b$1?PublisherIdentifier="),
                stub.requests().get(2).rawPathAndQuery());
        // any other host is still refused
        ContentBlob evil = new ContentBlob(
                "Audit.Exchange", "x", "https://evil.example.com/x", Instant.parse("2024-03-01T08:00:00Z"), null);
        assertEquals(
                ErrorKind.PERMANENT,
                assertThrows(ApiException.class, () -> proxied.openBlob(evil)).kind());
        assertEquals(3, stub.requests().size());
    }

    @Test
    void transientRetriedWithRetryAfterThenSucceeds() {
        stub.enqueue(Reply.json(
                        403,
                        "{'error':{'code':'AF429','message':'Too many requests. Method=GetBlob, ".replace('\'', '"')
                                + "PublisherId=0\"}}")
                .with("Retry-After", "7"));
        stub.enqueue(Reply.json(500, "{\"error\":{\"code\":\"AF50000\",\"message\":\"An internal error occurred.\"}}"));
        stub.enqueue(Reply.json(200, "[]"));
        api.listSubscriptions();
        assertEquals(3, stub.requests().size());
        assertEquals(Duration.ofSeconds(7), time.sleeps.get(0));
        assertTrue(
                time.sleeps.get(1).compareTo(Duration.ofSeconds(2)) <= 0,
                "full jitter of attempt 2: " + time.sleeps.get(1));
    }

    @Test
    void transientBudgetExhaustedThrowsClassified() {
        stub.handler((ex, r) -> StubServer.send(ex, Reply.json(503, "down")));
        ApiException e = assertThrows(ApiException.class, api::listSubscriptions);
        assertEquals(ErrorKind.TRANSIENT, e.kind());
        assertEquals(503, e.httpStatus());
        assertEquals(4, stub.requests().size());
        assertEquals(3, time.sleeps.size());
    }

    @Test
    void unauthorizedRefreshesOnceThenRetries() {
        stub.enqueue(Reply.json(401, ""));
        stub.enqueue(Reply.json(200, "[]"));
        api.listSubscriptions();
        assertEquals(1, tokens.invalidations.get());
        assertEquals("Bearer tok-1", stub.requests().get(0).header("Authorization"));
        assertEquals("Bearer tok-2", stub.requests().get(1).header("Authorization"));

        stub.enqueue(Reply.json(401, ""));
        stub.enqueue(Reply.json(401, ""));
        ApiException e = assertThrows(ApiException.class, api::listSubscriptions);
        assertEquals(ErrorKind.AUTHENTICATION, e.kind());
        assertEquals(2, tokens.invalidations.get());
        assertEquals(4, stub.requests().size());
    }

    @Test
    void windowErrorExposesServerDate() {
        stub.enqueue(Reply.json(400, "{\"error\":{\"code\":\"AF20055\",\"message\":\"Start time and end time ...\"}}")
                .with("Date", "Fri, 01 Mar 2024 12:07:30 GMT"));
        ApiException e = assertThrows(
                ApiException.class,
                () -> api.listContent(
                        ContentType.GENERAL,
                        Instant.parse("2024-02-20T00:00:00Z"),
                        Instant.parse("2024-02-20T01:00:00Z")));
        assertEquals(ErrorKind.WINDOW, e.kind());
        // the JDK HttpServer always writes its own (real) Date header: it must be the server's, not our clock
        Instant serverDate = e.serverDate().orElseThrow();
        assertFalse(serverDate.equals(time.instant()));
        assertTrue(serverDate.isAfter(Instant.parse("2025-01-01T00:00:00Z")), serverDate.toString());
        assertEquals(1, stub.requests().size());
    }

    /**
     * A client whose answers all carry {@code date} as their {@code Date} (a proxy or a hostile answer rewrites it; the
     * JDK server behind the stub always writes the real time), learning the service's time into {@code clock}.
     */
    private OkHttpManagementApi answeringWithDate(String date, ServiceClock clock) {
        OkHttpClient rewriting = http.newBuilder()
                .addNetworkInterceptor(chain -> chain.proceed(chain.request())
                        .newBuilder()
                        .header("Date", date)
                        .build())
                .build();
        return new OkHttpManagementApi(
                        rewriting,
                        tokens,
                        TENANT,
                        stub.baseUrl(),
                        PUB,
                        new RequestLimiter(1000, time, time, true),
                        new RetryPolicy(4, Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofMinutes(2)),
                        time,
                        time,
                        new Random(1),
                        "test-agent",
                        false)
                .observingServiceTime(clock);
    }

    private ServiceClock serviceClock() {
        return new ServiceClock(time, () -> time.millis() * 1_000_000L);
    }

    @Test
    void aRejectedWindowsDateIsNeverLearnedNeitherPlausibleNorOf2100() {
        for (String date : List.of("Fri, 01 Mar 2024 13:00:00 GMT", "Fri, 01 Jan 2100 00:00:00 GMT")) {
            ServiceClock clock = serviceClock();
            OkHttpManagementApi a = answeringWithDate(date, clock);
            try {
                stub.enqueue(Reply.json(400, "{\"error\":{\"code\":\"AF20055\",\"message\":\"Start time ...\"}}"));
                ApiException e = assertThrows(
                        ApiException.class,
                        () -> a.listContent(
                                ContentType.GENERAL,
                                Instant.parse("2024-02-20T00:00:00Z"),
                                Instant.parse("2024-02-20T01:00:00Z")));
                assertEquals(ErrorKind.WINDOW, e.kind());
                assertEquals(time.instant(), clock.now(), "the error's Date " + date + " is not learned");
                assertFalse(clock.synced());
            } finally {
                a.close();
            }
        }
    }

    @Test
    void aSuccessfulAnswerDated2100IsIgnoredAndCounted() {
        ServiceClock clock = serviceClock();
        try (OkHttpManagementApi a = answeringWithDate("Fri, 01 Jan 2100 00:00:00 GMT", clock)) {
            stub.enqueue(Reply.json(200, "[]"));
            a.listSubscriptions();
            assertEquals(time.instant(), clock.now(), "the Date of 2100 is not learned");
            assertEquals(1, clock.datesRejected());
        }
    }

    @Test
    void aSuccessfulAnswersPlausibleDateIsLearned() {
        ServiceClock clock = serviceClock();
        try (OkHttpManagementApi a = answeringWithDate("Fri, 01 Mar 2024 11:00:00 GMT", clock)) {
            stub.enqueue(Reply.json(200, "[]"));
            a.listSubscriptions();
            assertEquals(Instant.parse("2024-03-01T11:00:00Z"), clock.now(), "a worker clock an hour ahead");
            assertEquals(0, clock.datesRejected());
        }
    }

    @Test
    void resubscribeAndPermanentAreNotRetried() {
        stub.enqueue(Reply.json(400, "{\"error\":{\"code\":\"AF20022\",\"message\":\"No subscription found\"}}"));
        assertEquals(
                ErrorKind.RESUBSCRIBE,
                assertThrows(ApiException.class, () -> api.listContent(ContentType.GENERAL, null, null))
                        .kind());
        stub.enqueue(Reply.json(401, "{\"error\":{\"code\":\"AF10001\",\"message\":\"The permission set ()\"}}"));
        stub.enqueue(Reply.json(401, "{\"error\":{\"code\":\"AF10001\",\"message\":\"The permission set ()\"}}"));
        ApiException e = assertThrows(ApiException.class, () -> api.listContent(ContentType.GENERAL, null, null));
        assertEquals(ErrorKind.PERMANENT, e.kind());
        assertEquals(3, stub.requests().size());
        assertFalse(stub.requests().get(0).rawPathAndQuery().contains("startTime"));
    }

    @Test
    void everyRequestTakesAPermit() {
        FakeTime t = new FakeTime(Instant.parse("2024-03-01T00:00:00Z"));
        RequestLimiter limiter = new RequestLimiter(2, t, t);
        OkHttpManagementApi limited = new OkHttpManagementApi(
                http,
                tokens,
                TENANT,
                stub.baseUrl(),
                PUB,
                limiter,
                new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofMinutes(5)),
                t,
                t,
                new Random(1),
                null,
                false);
        stub.enqueue(Reply.json(503, ""));
        stub.enqueue(Reply.json(200, "[]"));
        stub.enqueue(Reply.json(200, "[]"));
        limited.listSubscriptions(); // 2 requests (one retry)
        limited.listSubscriptions(); // must wait for the window
        assertEquals(3, stub.requests().size());
        assertTrue(t.instant().isAfter(Instant.parse("2024-03-01T00:00:59Z")), "waited: " + t.instant());
    }

    /** Streams {@code bytes} bytes of {@code fill} between {@code head} and {@code tail}; counts what was written. */
    private static StubServer.Handler streaming(
            int status, String head, char fill, long bytes, String tail, long[] served) {
        return (ex, r) -> {
            ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
            ex.sendResponseHeaders(status, 0);
            try (java.io.OutputStream os = ex.getResponseBody()) {
                os.write(head.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                byte[] chunk = new byte[8192];
                java.util.Arrays.fill(chunk, (byte) fill);
                for (long left = bytes; left > 0; left -= chunk.length) {
                    os.write(chunk, 0, (int) Math.min(chunk.length, left));
                    served[0] += Math.min(chunk.length, left);
                }
                os.write(tail.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (java.io.IOException stoppedReading) {
                // the client closed the connection: expected when it stops reading
            }
        };
    }

    @Test
    void aListingPageLargerThanItsCapFailsClearly() {
        long[] served = {0};
        long size = 4L * BodyLimits.RESPONSE_MAX_BYTES;
        // valid JSON (an empty array padded with whitespace), far larger than any real listing page
        stub.handler(streaming(200, "[", ' ', size, "]", served));
        ApiException e = assertThrows(
                ApiException.class,
                () -> api.listContent(
                        ContentType.EXCHANGE,
                        Instant.parse("2024-03-01T00:00:00Z"),
                        Instant.parse("2024-03-01T01:00:00Z")));
        assertEquals(ErrorKind.TRANSIENT, e.kind(), e.getMessage());
        assertTrue(
                e.getMessage().contains("larger than its limit of " + BodyLimits.RESPONSE_MAX_BYTES), e.getMessage());
        assertTrue(e.getMessage().startsWith("Listing content for Audit.Exchange"), e.getMessage());
        assertEquals(1, stub.requests().size(), "not retried by the adapter: the caller backs off");
    }

    @Test
    void aGzipBombListingFailsClearlyAfterTheCapOfDecompressedBytes() throws Exception {
        // 64 MiB of JSON whitespace compresses to some 64 KiB
        java.io.ByteArrayOutputStream compressed = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(compressed)) {
            gz.write('[');
            byte[] spaces = new byte[1024 * 1024];
            java.util.Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < 64; i++) {
                gz.write(spaces);
            }
            gz.write(']');
        }
        byte[] bomb = compressed.toByteArray();
        assertTrue(bomb.length < BodyLimits.RESPONSE_MAX_BYTES / 16, "a small compressed body: " + bomb.length);
        stub.handler((ex, r) -> {
            ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
            ex.getResponseHeaders().add("Content-Encoding", "gzip");
            ex.sendResponseHeaders(200, bomb.length);
            try (java.io.OutputStream os = ex.getResponseBody()) {
                os.write(bomb);
            } catch (java.io.IOException stoppedReading) {
                // expected
            }
        });
        ApiException e = assertThrows(ApiException.class, api::listSubscriptions);
        assertEquals(ErrorKind.TRANSIENT, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("larger than its limit"), e.getMessage());
        assertTrue(e.getMessage().contains("after decompression"), e.getMessage());
    }

    @Test
    void anErrorBodyLargerThanItsCapIsNotHeldWhole() {
        long[] served = {0};
        long size = 64L * 1024 * 1024;
        stub.handler(streaming(400, "{\"error\":{\"code\":\"AF20001\",\"message\":\"", 'x', size, "\"}}", served));
        ApiException e = assertThrows(ApiException.class, api::listSubscriptions);
        assertEquals(ErrorKind.PERMANENT, e.kind(), e.getMessage());
        assertEquals("AF20001", e.errorCode().orElse(null), "the code is read from the first bytes");
        assertTrue(e.getMessage().length() < BodyLimits.ERROR_MAX_BYTES, "only the first bytes were kept");
    }

    @Test
    void aBlobIsReadWithTheRecordLimitAndARecordOverItIsHandedOnWithoutItsText() {
        String small = "{\"Id\":\"a\"}";
        String big = "{\"Id\":\"big\",\"x\":\"" + "y".repeat(5000) + "\"}";
        stub.enqueue(Reply.json(200, "[" + small + "," + big + "," + small + "]"));
        api.limitingRecordsTo(1024);
        ContentBlob blob = new ContentBlob(
                "Audit.Exchange",
                "b1",
                stub.baseUrl() + FEED + "audit/b1",
                Instant.parse("2024-03-01T11:00:00Z"),
                Instant.parse("2024-03-08T11:00:00Z"));
        List<AuditRecord> records = new ArrayList<>();
        try (AuditRecordStream s = api.openBlob(blob)) {
            s.forEachRemaining(records::add);
        }
        assertEquals(3, records.size());
        assertEquals(small, records.get(0).json());
        assertTrue(records.get(1).isTooLarge());
        assertEquals("big", records.get(1).id());
        assertEquals(big.length(), records.get(1).size());
        assertEquals(small, records.get(2).json());
    }
}
