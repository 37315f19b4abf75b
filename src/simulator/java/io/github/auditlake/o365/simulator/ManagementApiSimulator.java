package io.github.auditlake.o365.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.auditlake.o365.api.ContentType;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local, faithful simulator of the Office 365 Management Activity API and of the Entra ID token endpoints
 * (see {@code docs/simulator.md}). One JDK HTTP server serves both the login paths ({@code /{tenant}/oauth2/token},
 * {@code /{tenant}/oauth2/v2.0/token}) and the API paths ({@code /api/v1.0/{tenant}/activity/feed/...}), so
 * {@link #baseUrl()} is both the login authority host and the API root host.
 *
 * <pre>{@code
 * SimClock clock = SimClock.fixed(Instant.parse("2024-03-01T12:00:00Z"));
 * try (ManagementApiSimulator sim = ManagementApiSimulator.builder()
 *         .clock(clock).seed(42).pageSize(600)
 *         .tenant(TenantSpec.of(tenantId).app(AppSpec.of(clientId).secret("s3cret")).subscribedAll(true))
 *         .build().start()) {
 *     String base = sim.baseUrl();                       // http://127.0.0.1:PORT
 *     // ... run the client against base ...
 *     assertEquals(sim.expectedRecordIds(tenantId, ContentType.EXCHANGE, from, to),
 *                  sim.servedRecordIds(tenantId, ContentType.EXCHANGE));
 * }
 * }</pre>
 *
 * Thread-safe.
 */
public final class ManagementApiSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementApiSimulator.class);

    static {
        // Without TCP_NODELAY, small chunked responses wait for delayed ACKs (~40 ms each). Read once per JVM by the
        // JDK server, so set it before the first HttpServer is created.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** The default resource (token audience) of the Management APIs. */
    public static final String RESOURCE = "https://manage.office.com";

    static final String ZERO_GUID = "00000000-0000-0000-0000-000000000000";
    private static final Pattern GUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern LOGIN_PATH = Pattern.compile("/([^/]+)/oauth2/(v2\\.0/)?token/?");
    private static final Pattern OIDC_PATH = Pattern.compile("/([^/]+)/v2\\.0/\\.well-known/openid-configuration");
    private static final Pattern API_PATH = Pattern.compile("/api/v1\\.0/([^/]+)/activity/feed/(.+)");
    /** The Azure Instance Metadata Service's managed-identity token path. */
    public static final String IMDS_TOKEN_PATH = "/metadata/identity/oauth2/token";

    private static final Pattern TIME = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})(?:T(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?(Z|[+-]\\d{2}:\\d{2})?)?");
    private static final Pattern LANGUAGE = Pattern.compile("[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*");
    private static final DateTimeFormatter ITEM_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter PAGE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'").withZone(ZoneOffset.UTC);
    static final String AF20055_TEXT = "Start time and end time must both be specified (or both omitted) and must be"
            + " less than or equal to 24 hours apart, with the start time prior to end time and start time no more"
            + " than 7 days in the past.";
    private static final String[][] SENSITIVE_TYPES = {
        {"50842eb7-edc8-4019-85dd-5a5c1f2bb085", "Credit Card Number", "Kreditkartennummer"},
        {
            "a44669fe-0d48-453d-a9b1-2cc83f2cba77",
            "U.S. Social Security Number (SSN)",
            "US-Sozialversicherungsnummer (SSN)"
        },
        {
            "e7dc4711-11b7-4cb0-b88b-2c394a771f0e",
            "International Banking Account Number (IBAN)",
            "Internationale Bankkontonummer (IBAN)"
        },
        {"0e9b3178-9678-47dd-a509-37222ca96b42", "EU Debit Card Number", "EU-Debitkartennummer"},
        {"178ec42a-18b4-47cc-85c7-d62c92fd67f8", "U.S. Bank Account Number", "US-Bankkontonummer"},
        {"a2ce32a8-f935-4bb6-8e96-2a5157672e2c", "ABA Routing Number", "ABA-Routingnummer"}
    };

    // ------------------------------------------------------------------ configuration

    private final Clock clock;
    private final long seed;
    private final int pageSize;
    private final Duration tokenLifetime;
    private final boolean shufflePages;
    private final Duration startCooldown;
    private final String resource;
    private final String bindAddress;
    private final int port;
    private final int threads;
    private final Map<String, ContentStore> tenants = new LinkedHashMap<>();
    private final Map<String, String> tenantByDomain = new ConcurrentHashMap<>();
    private final byte[] tokenKey = new byte[32];

    // ------------------------------------------------------------------ state

    private final Faults faults;
    private final AuditSearch auditSearch;
    private final Directory directory;
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final Map<String, Set<SimBlob>> served = new ConcurrentHashMap<>();
    private final java.util.ArrayDeque<RecordedRequest> log = new java.util.ArrayDeque<>();
    private final int requestLogLimit;
    private final boolean autoNotify;
    private final Duration webhookRetryBase;
    private final int webhookMaxFailures;
    private final Duration notifyEvery;
    private final java.util.function.Consumer<Instant> clockListener = now -> deliverNotifications();
    private java.util.concurrent.ScheduledExecutorService notifier;
    private final java.util.concurrent.atomic.AtomicLong requestCount = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final SplittableRandom pageShuffle;
    private HttpServer server;
    private ExecutorService executor;
    private final HttpClient webhookClient;
    private volatile String baseUrl;

    private ManagementApiSimulator(Builder b) {
        this.clock = b.clock;
        this.seed = b.seed;
        this.pageSize = b.pageSize;
        this.tokenLifetime = b.tokenLifetime;
        this.shufflePages = b.shufflePages;
        this.startCooldown = b.startCooldown;
        this.resource = b.resource;
        this.bindAddress = b.bindAddress;
        this.port = b.port;
        this.threads = b.threads;
        this.requestLogLimit = b.requestLogLimit;
        this.autoNotify = b.autoNotify;
        this.webhookRetryBase = b.webhookRetryBase;
        this.webhookMaxFailures = b.webhookMaxFailures;
        this.notifyEvery = b.notifyEvery;
        this.faults = new Faults(seed);
        this.auditSearch = new AuditSearch(clock, tenants::get);
        this.directory = new Directory(clock);
        this.pageShuffle = new SplittableRandom(seed ^ 0x5AFFL);
        new SecureRandom().nextBytes(tokenKey);
        Instant now = clock.instant();
        for (TenantSpec t : b.tenants) {
            tenants.put(t.tenantId(), new ContentStore(seed, t, now));
            tenantByDomain.put(t.domain(), t.tenantId());
            if (t.subscribedAll()) {
                for (AppSpec app : t.apps()) {
                    for (ContentType ct : ContentType.values()) {
                        Subscription s = new Subscription(ct);
                        s.enabled = true;
                        s.accessibleFrom = Instant.MIN;
                        s.notifiedUpTo = now;
                        subscriptions.put(subKey(t.tenantId(), app.clientId(), ct), s);
                    }
                }
            }
        }
        this.webhookClient = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .sslContext(b.webhookSslContext != null ? b.webhookSslContext : defaultSsl())
                .build();
    }

    private static javax.net.ssl.SSLContext defaultSsl() {
        try {
            return javax.net.ssl.SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; every setting has a default (system clock, seed 42, page size 600, token lifetime 3599 s). */
    public static final class Builder {
        private Clock clock = SimClock.system();
        private long seed = 42;
        private int pageSize = 600;
        private Duration tokenLifetime = Duration.ofSeconds(3599);
        private boolean shufflePages;
        private Duration startCooldown = Duration.ofMinutes(15);
        private String resource = RESOURCE;
        private String bindAddress = "127.0.0.1";
        private int port;
        private int threads = 32;
        private int requestLogLimit = 200_000;
        private boolean autoNotify;
        private Duration webhookRetryBase = Duration.ofMinutes(1);
        private int webhookMaxFailures = 5;
        private Duration notifyEvery;
        private javax.net.ssl.SSLContext webhookSslContext;
        private final List<TenantSpec> tenants = new ArrayList<>();

        /** The clock of the service (a {@link SimClock} for tests that move time). */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Items per listing page (default 600, as observed). */
        public Builder pageSize(int pageSize) {
            this.pageSize = pageSize;
            return this;
        }

        /** Access token lifetime ({@code expires_in}); default 3599 s. */
        public Builder tokenLifetime(Duration tokenLifetime) {
            this.tokenLifetime = tokenLifetime;
            return this;
        }

        /** Shuffle items within each listing page (seeded), like the Elastic mock. */
        public Builder shufflePages(boolean shufflePages) {
            this.shufflePages = shufflePages;
            return this;
        }

        /** Minimum time between two state-changing /start calls per (tenant, app, content type); default 15 min. */
        public Builder startCooldown(Duration startCooldown) {
            this.startCooldown = startCooldown;
            return this;
        }

        /** Token audience / resource (default {@code https://manage.office.com}). */
        public Builder resource(String resource) {
            this.resource = resource;
            return this;
        }

        /** Bind address (default 127.0.0.1) and port (default 0 = ephemeral). */
        public Builder bind(String address, int port) {
            this.bindAddress = address;
            this.port = port;
            return this;
        }

        /** Worker threads of the HTTP server (default 32). */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /**
         * Deliver webhook notifications automatically: on every {@link SimClock#advance}/{@link SimClock#set} of a
         * SimClock (synchronously, in the thread that moves the clock), and every {@code every} of real time when
         * {@code every} is not null (for the standalone process on the system clock).
         */
        public Builder autoNotify(boolean onClockChange, Duration every) {
            this.autoNotify = onClockChange;
            this.notifyEvery = every;
            return this;
        }

        /**
         * Webhook retry policy: after the n-th consecutive failed delivery the next attempt waits
         * {@code base * 2^(n-1)} (SimClock time); after {@code maxFailures} the webhook is disabled (re-enable with
         * /start). Defaults: 1 minute, 5.
         */
        public Builder webhookRetry(Duration base, int maxFailures) {
            this.webhookRetryBase = base;
            this.webhookMaxFailures = maxFailures;
            return this;
        }

        /** How many requests the log keeps (the most recent ones; default 200,000, about 100 MB at most). */
        public Builder requestLogLimit(int limit) {
            this.requestLogLimit = limit;
            return this;
        }

        /** SSL context for https webhook addresses (default: the JVM default). */
        public Builder webhookSslContext(javax.net.ssl.SSLContext ctx) {
            this.webhookSslContext = ctx;
            return this;
        }

        public Builder tenant(TenantSpec tenant) {
            this.tenants.add(tenant);
            return this;
        }

        public ManagementApiSimulator build() {
            return new ManagementApiSimulator(this);
        }
    }

    // ------------------------------------------------------------------ lifecycle and public API

    /** Binds and starts serving; returns {@code this}. */
    public ManagementApiSimulator start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bindAddress), port), 128);
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind " + bindAddress + ":" + port, e);
        }
        AtomicInteger n = new AtomicInteger();
        executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "o365-sim-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        if (autoNotify && clock instanceof SimClock) {
            ((SimClock) clock).onChange(clockListener);
        }
        if (notifyEvery != null) {
            notifier = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "o365-sim-notifier");
                t.setDaemon(true);
                return t;
            });
            notifier.scheduleWithFixedDelay(
                    () -> {
                        try {
                            deliverNotifications();
                        } catch (RuntimeException e) {
                            LOG.warn("webhook delivery failed", e);
                        }
                    },
                    notifyEvery.toMillis(),
                    notifyEvery.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        String host = bindAddress.contains(":") ? "[" + bindAddress + "]" : bindAddress;
        if ("0.0.0.0".equals(bindAddress)) {
            host = "127.0.0.1";
        }
        baseUrl = "http://" + host + ":" + server.getAddress().getPort();
        LOG.info("Management API simulator listening on {} ({} tenant(s))", baseUrl, tenants.size());
        return this;
    }

    /** {@code http://127.0.0.1:PORT}: the API host and the login authority host. */
    public String baseUrl() {
        if (baseUrl == null) {
            throw new IllegalStateException("not started");
        }
        return baseUrl;
    }

    /** The API root of a tenant: {@code {baseUrl}/api/v1.0/{tenant}/activity/feed}. */
    public String apiRoot(String tenantId) {
        return baseUrl() + "/api/v1.0/" + tenantId + "/activity/feed";
    }

    /** The managed-identity (IMDS-shaped) token endpoint: {@code baseUrl() + /metadata/identity/oauth2/token}. */
    public String identityEndpoint() {
        return baseUrl() + IMDS_TOKEN_PATH;
    }

    /** The v2 token endpoint of a tenant. */
    public String tokenEndpointV2(String tenantId) {
        return baseUrl() + "/" + tenantId + "/oauth2/v2.0/token";
    }

    /** The v1 token endpoint of a tenant. */
    public String tokenEndpointV1(String tenantId) {
        return baseUrl() + "/" + tenantId + "/oauth2/token";
    }

    public Clock clock() {
        return clock;
    }

    /** The Graph directory ({@code POST /v1.0/directoryObjects/getByIds}) and its controls. */
    public Directory directory() {
        return directory;
    }

    /** The Graph audit-search endpoints ({@code /v1.0/security/auditLog/queries}) and their controls. */
    public AuditSearch auditSearch() {
        return auditSearch;
    }

    public Faults faults() {
        return faults;
    }

    @Override
    public void close() {
        if (clock instanceof SimClock) {
            ((SimClock) clock).removeListener(clockListener);
        }
        if (notifier != null) {
            notifier.shutdownNow();
            notifier = null;
        }
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server = null;
        }
    }

    /**
     * Adds an explicit blob with the given records (JSON object texts, each with an {@code Id}). It is listed once
     * the clock reaches {@code visibleAt}.
     */
    public SimBlob addBlob(
            String tenantId, ContentType type, Instant contentCreated, Instant visibleAt, List<String> recordJson) {
        return store(tenantId).addExplicit(type, contentCreated, visibleAt, recordJson);
    }

    /**
     * Adds an explicit blob whose {@code contentExpiration} is {@code expiration} (the service sets it per blob,
     * independently of the 7-day listing limit: reference 2.5, 3.4); after it, fetching the blob answers AF20051.
     */
    public SimBlob addBlob(
            String tenantId,
            ContentType type,
            Instant contentCreated,
            Instant visibleAt,
            Instant expiration,
            List<String> recordJson) {
        return store(tenantId).addExplicit(type, contentCreated, visibleAt, expiration, recordJson);
    }

    /** Every blob (scheduled and explicit) with {@code from <= contentCreated < to}, visible or not. */
    public List<SimBlob> blobs(String tenantId, ContentType type, Instant from, Instant to) {
        return store(tenantId).range(type, from, to);
    }

    /** Blobs with {@code from <= contentCreated < to} that are visible now. */
    public List<SimBlob> visibleBlobs(String tenantId, ContentType type, Instant from, Instant to) {
        Instant now = clock.instant();
        List<SimBlob> out = new ArrayList<>();
        for (SimBlob b : store(tenantId).range(type, from, to)) {
            if (!b.visibleAt().isAfter(now)) {
                out.add(b);
            }
        }
        return out;
    }

    /** Looks a blob up by content id. */
    public Optional<SimBlob> blob(String tenantId, String contentId) {
        return store(tenantId).find(contentId);
    }

    /**
     * The record Ids of every blob with {@code from <= contentCreated < to} that is visible now (what a lossless
     * client must have delivered). Duplicates collapse.
     */
    public Set<String> expectedRecordIds(String tenantId, ContentType type, Instant from, Instant to) {
        Set<String> ids = new HashSet<>();
        for (SimBlob b : visibleBlobs(tenantId, type, from, to)) {
            ids.addAll(b.recordIds());
        }
        return ids;
    }

    /** Record Ids of the blobs this simulator served completely (HTTP 200, whole body written). */
    public Set<String> servedRecordIds(String tenantId, ContentType type) {
        Set<String> ids = new HashSet<>();
        for (SimBlob b : servedBlobs(tenantId, type)) {
            ids.addAll(b.recordIds());
        }
        return ids;
    }

    /** The blobs this simulator served completely. */
    public Set<SimBlob> servedBlobs(String tenantId, ContentType type) {
        Set<SimBlob> s = served.get(tenantId.toLowerCase(Locale.ROOT) + "|" + type.wireName());
        return s == null ? Set.of() : Set.copyOf(s);
    }

    /**
     * A snapshot of the request log in completion order (the most recent {@code requestLogLimit} requests). An
     * entry is added before the last byte of its answer is sent, so a client that has read a whole answer finds
     * its request here.
     */
    public List<RecordedRequest> requests() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    /** Requests answered since start or the last {@link #resetLog()} (not capped by the log limit). */
    public long requestCount() {
        return requestCount.get();
    }

    /** Clears the request log, the request count and the served-blob sets. */
    public void resetLog() {
        synchronized (log) {
            log.clear();
            requestCount.set(0);
        }
        served.clear();
    }

    /**
     * Sends webhook notifications for every blob that became visible since the last delivery, to every enabled
     * webhook; records them for {@code /subscriptions/notifications}. Returns the number of content items notified.
     */
    public int deliverNotifications() {
        Instant now = clock.instant();
        int count = 0;
        for (Map.Entry<String, Subscription> e : subscriptions.entrySet()) {
            Subscription s = e.getValue();
            String[] key = e.getKey().split("\\|");
            String tenant = key[0];
            String clientId = key[1];
            List<SimBlob> toSend;
            Webhook hook;
            synchronized (s) {
                if (!s.enabled || s.webhook == null || !"enabled".equals(s.webhook.status)) {
                    continue;
                }
                if (s.webhook.expiration != null
                        && !s.webhook.expiration.isEmpty()
                        && !parseTime(s.webhook.expiration).isAfter(now)) {
                    s.webhook = withStatus(s.webhook, "expired");
                    continue;
                }
                for (SimBlob b : store(tenant).becameVisible(s.type, s.notifiedUpTo, now)) {
                    if (!b.contentCreated().isBefore(s.accessibleFrom)) {
                        s.pending.add(b);
                    }
                }
                s.notifiedUpTo = now;
                if (now.isBefore(s.nextAttempt) || s.pending.isEmpty()) {
                    continue; // backing off after a failure
                }
                toSend = new ArrayList<>(s.pending);
                s.pending.clear();
                hook = s.webhook;
            }
            for (int i = 0; i < toSend.size(); i += 100) {
                List<SimBlob> batch = toSend.subList(i, Math.min(toSend.size(), i + 100));
                ArrayNode body = Jwts.JSON.createArrayNode();
                for (SimBlob b : batch) {
                    ObjectNode o = body.addObject().put("tenantId", tenant).put("clientId", clientId);
                    item(o, b);
                }
                boolean ok;
                try {
                    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(hook.address))
                            .timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json; charset=utf-8")
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
                    if (hook.authId != null && !hook.authId.isEmpty()) {
                        rb.header("Webhook-AuthID", hook.authId);
                    }
                    ok = webhookClient
                                    .send(rb.build(), HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200;
                } catch (IOException ex) {
                    ok = false;
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return count;
                }
                synchronized (s) {
                    for (SimBlob b : batch) {
                        s.notifications.add(new SentNotification(b, now, ok ? "success" : "failed"));
                    }
                    if (ok) {
                        s.failures = 0;
                        s.nextAttempt = Instant.MIN;
                    } else {
                        // retried with exponentially increasing intervals; disabled after too many failures
                        s.pending.addAll(batch);
                        s.failures++;
                        s.nextAttempt = now.plus(webhookRetryBase.multipliedBy(1L << Math.min(20, s.failures - 1)));
                        if (s.failures >= webhookMaxFailures && s.webhook != null) {
                            s.webhook = withStatus(s.webhook, "disabled");
                        }
                    }
                }
                count += batch.size();
            }
        }
        return count;
    }

    /**
     * A tenant or service admin disables the app's subscription to {@code type} (reference 2.1, AF20023 "The
     * subscription was disabled."): the listing shows it {@code disabled}, content calls answer AF20023, and its webhook
     * stays registered. A start enables it again, for content created from then on (reference 2.3). Returns false when
     * the app has no such subscription.
     */
    public boolean disableSubscription(String tenantId, String clientId, ContentType type) {
        Subscription s = subscriptions.get(subKey(tenantId.toLowerCase(Locale.ROOT), clientId, type));
        if (s == null) {
            return false;
        }
        synchronized (s) {
            s.enabled = false;
        }
        return true;
    }

    /**
     * The subscription as the service has it: {@code enabled}, {@code disabled}, or empty when the app never started
     * one (AF20022).
     */
    public Optional<String> subscriptionStatus(String tenantId, String clientId, ContentType type) {
        Subscription s = subscriptions.get(subKey(tenantId.toLowerCase(Locale.ROOT), clientId, type));
        if (s == null) {
            return Optional.empty();
        }
        synchronized (s) {
            return Optional.of(s.enabled ? "enabled" : "disabled");
        }
    }

    /** The address of the webhook registered on the subscription, if any. */
    public Optional<String> subscriptionWebhook(String tenantId, String clientId, ContentType type) {
        Subscription s = subscriptions.get(subKey(tenantId.toLowerCase(Locale.ROOT), clientId, type));
        if (s == null) {
            return Optional.empty();
        }
        synchronized (s) {
            return s.webhook == null ? Optional.empty() : Optional.of(s.webhook.address);
        }
    }

    private ContentStore store(String tenantId) {
        ContentStore s = tenants.get(tenantId.toLowerCase(Locale.ROOT));
        if (s == null) {
            throw new IllegalArgumentException("unknown tenant " + tenantId);
        }
        return s;
    }

    private static String subKey(String tenant, String clientId, ContentType type) {
        return tenant + "|" + clientId.toLowerCase(Locale.ROOT) + "|" + type.wireName();
    }

    private static final class Subscription {
        final ContentType type;
        boolean enabled;
        Instant accessibleFrom = Instant.MIN;
        Instant lastStart;
        Instant notifiedUpTo = Instant.MIN;
        final List<SimBlob> pending = new ArrayList<>();
        int failures;
        Instant nextAttempt = Instant.MIN;
        Webhook webhook;
        final List<SentNotification> notifications = new ArrayList<>();

        Subscription(ContentType type) {
            this.type = type;
        }
    }

    private record Webhook(String address, String authId, String expiration, String status) {}

    private record SentNotification(SimBlob blob, Instant sent, String status) {}

    // ------------------------------------------------------------------ HTTP plumbing

    /** Per-request state. */
    private final class Call {
        final HttpExchange ex;
        final String path;
        final String rawQuery;
        final Map<String, String> query = new LinkedHashMap<>();
        final Instant start;
        final long wallStart;
        final int inFlightAtStart;
        int status;
        Faults.Kind fault;
        byte[] body = new byte[0];

        Call(HttpExchange ex) {
            this.ex = ex;
            this.path = ex.getRequestURI().getRawPath();
            this.rawQuery = ex.getRequestURI().getRawQuery();
            this.start = clock.instant();
            this.wallStart = System.nanoTime();
            this.inFlightAtStart = inFlight.incrementAndGet();
            if (rawQuery != null) {
                for (String pair : rawQuery.split("&")) {
                    if (pair.isEmpty()) {
                        continue;
                    }
                    int eq = pair.indexOf('=');
                    String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                    String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    query.put(k.toLowerCase(Locale.ROOT), v);
                }
            }
        }

        String q(String name) {
            return query.get(name.toLowerCase(Locale.ROOT));
        }

        void iisHeaders() {
            Headers h = ex.getResponseHeaders();
            h.set("Cache-Control", "no-cache");
            h.set("Pragma", "no-cache");
            h.set("Expires", "-1");
            h.set("Server", "Microsoft-IIS/10.0");
            h.set("X-AspNet-Version", "4.0.30319");
            h.set("X-Powered-By", "ASP.NET");
            h.set("mise-correlation-id", UUID.randomUUID().toString());
            h.set("Content-Type", "application/json; charset=utf-8");
        }

        private boolean logged;

        /** Adds this call to the request log (once), before the last byte of the answer leaves. */
        void record() {
            if (logged) {
                return;
            }
            logged = true;
            Map<String, List<String>> headers = new LinkedHashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> {
                String name = k.toLowerCase(Locale.ROOT);
                if (name.equals("authorization")) {
                    List<String> red = new ArrayList<>();
                    for (String s : v) {
                        int sp = s.indexOf(' ');
                        red.add((sp > 0 ? s.substring(0, sp) : "") + " <redacted>");
                    }
                    headers.put(name, List.copyOf(red));
                } else {
                    headers.put(name, List.copyOf(v));
                }
            });
            RecordedRequest entry = new RecordedRequest(
                    ex.getRequestMethod(),
                    path,
                    rawQuery,
                    Collections.unmodifiableMap(headers),
                    status,
                    start,
                    wallStart,
                    Duration.ofNanos(System.nanoTime() - wallStart),
                    inFlightAtStart);
            synchronized (log) {
                requestCount.incrementAndGet();
                log.addLast(entry);
                while (log.size() > requestLogLimit) {
                    log.removeFirst();
                }
            }
        }

        void send(int code, byte[] body) throws IOException {
            status = code;
            if (fault == Faults.Kind.TRUNCATED_BODY && body.length > 1) {
                body = java.util.Arrays.copyOf(body, body.length / 2);
            }
            if (fault == Faults.Kind.RESET_MID_BODY) {
                ex.sendResponseHeaders(code, Math.max(body.length, 2));
                OutputStream os = ex.getResponseBody();
                os.write(body, 0, body.length / 2);
                os.flush();
                throw new ResetConnection();
            }
            if (body.length == 0) {
                record();
            }
            ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
            record();
            if (body.length > 0) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(body);
                }
            }
        }

        void json(int code, Object node) throws IOException {
            iisHeaders();
            send(code, Jwts.JSON.writeValueAsBytes(node));
        }

        void apiError(int code, String afCode, String message) throws IOException {
            ObjectNode root = Jwts.JSON.createObjectNode();
            root.putObject("error").put("code", afCode).put("message", message);
            json(code, root);
        }
    }

    /** Thrown to make the JDK server drop the connection mid-response. */
    private static final class ResetConnection extends RuntimeException {
        ResetConnection() {
            super("simulated connection reset", null, false, false);
        }
    }

    /** An error answer with its status, thrown from deep inside a handler. */
    private static final class ApiError extends Exception {
        final int status;
        final String code;

        ApiError(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        Call c = new Call(ex);
        boolean reset = false;
        try {
            try (InputStream in = ex.getRequestBody()) {
                c.body = in.readAllBytes();
            }
            long latency = faults.latencyMillis();
            if (latency > 0) {
                try {
                    Thread.sleep(latency);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            c.fault = faults.pick(c.path);
            if (c.fault != null && injectStatusFault(c)) {
                return;
            }
            Matcher m;
            if ((m = LOGIN_PATH.matcher(c.path)).matches()) {
                token(c, URLDecoder.decode(m.group(1), StandardCharsets.UTF_8), m.group(2) != null);
            } else if (c.path.equals(IMDS_TOKEN_PATH)) {
                managedIdentityToken(c);
            } else if ((m = OIDC_PATH.matcher(c.path)).matches()) {
                oidc(c, m.group(1));
            } else if ((m = API_PATH.matcher(c.path)).matches()) {
                api(c, URLDecoder.decode(m.group(1), StandardCharsets.UTF_8), m.group(2));
            } else if (AuditSearch.matches(c.path)) {
                graph(c);
            } else if (Directory.matches(c.path)) {
                directory(c);
            } else if (Directory.matchesBatch(c.path)) {
                directoryBatch(c);
            } else {
                ObjectNode n = Jwts.JSON
                        .createObjectNode()
                        .put(
                                "Message",
                                "No HTTP resource was found that matches the request URI '" + baseUrl + c.path + "'.");
                c.json(404, n);
            }
        } catch (ResetConnection e) {
            reset = true;
            throw e;
        } catch (IOException | RuntimeException e) {
            if (c.status == 0) {
                LOG.warn("simulator error on {} {}", ex.getRequestMethod(), c.path, e);
                try {
                    c.fault = null;
                    c.apiError(500, "AF50000", "An internal error occurred.  Retry the request.");
                } catch (IOException ignored) {
                    // client went away
                }
            } else {
                LOG.debug("response to {} aborted: {}", c.path, e.toString());
            }
        } finally {
            inFlight.decrementAndGet();
            c.record();
            if (!reset) {
                ex.close();
            }
        }
    }

    /** Status-type faults answered before any processing; returns true when answered. */
    private boolean injectStatusFault(Call c) throws IOException {
        switch (c.fault) {
            case HTTP_500:
                c.fault = null;
                c.apiError(500, "AF50000", "An internal error occurred.  Retry the request.");
                return true;
            case HTTP_503:
                c.fault = null;
                c.iisHeaders();
                c.ex.getResponseHeaders().set("Content-Type", "text/html");
                c.send(503, "<h1>Service Unavailable</h1>".getBytes(StandardCharsets.UTF_8));
                return true;
            case HTTP_408:
                c.fault = null;
                c.iisHeaders();
                c.send(408, new byte[0]);
                return true;
            case THROTTLE:
                c.fault = null;
                throttled(c, methodName(c.path), publisherOf(c));
                return true;
            default:
                return false;
        }
    }

    private void throttled(Call c, String method, String publisher) throws IOException {
        boolean as429 = faults.throttleAs429();
        if (as429) {
            c.ex.getResponseHeaders()
                    .set("Retry-After", Long.toString(faults.retryAfter().toSeconds()));
        }
        c.apiError(as429 ? 429 : 403, "AF429", "Too many requests. Method=" + method + ", PublisherId=" + publisher);
    }

    private static String publisherOf(Call c) {
        String p = c.q("PublisherIdentifier");
        return p == null || p.isBlank() ? ZERO_GUID : p;
    }

    private static String methodName(String path) {
        if (path.contains("/activity/feed/audit/")) {
            return "GetBlob";
        }
        if (path.endsWith("/subscriptions/content")) {
            return "ListContent";
        }
        if (path.endsWith("/subscriptions/start")) {
            return "StartSubscription";
        }
        if (path.endsWith("/subscriptions/stop")) {
            return "StopSubscription";
        }
        if (path.endsWith("/subscriptions/list")) {
            return "ListSubscriptions";
        }
        if (path.endsWith("/subscriptions/notifications")) {
            return "ListNotifications";
        }
        return "GetResources";
    }

    // ------------------------------------------------------------------ Entra token endpoints

    private void oidc(Call c, String tenant) throws IOException {
        String t = resolveTenant(URLDecoder.decode(tenant, StandardCharsets.UTF_8));
        if (t == null) {
            tokenError(c, 400, "invalid_tenant", 90002, "Tenant '" + tenant + "' not found.");
            return;
        }
        ObjectNode n = Jwts.JSON.createObjectNode();
        n.put("token_endpoint", baseUrl + "/" + tenant + "/oauth2/v2.0/token");
        n.put("issuer", baseUrl + "/" + t + "/v2.0");
        n.put("authorization_endpoint", baseUrl + "/" + tenant + "/oauth2/v2.0/authorize");
        n.putArray("token_endpoint_auth_methods_supported")
                .add("client_secret_post")
                .add("private_key_jwt")
                .add("client_secret_basic");
        c.ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        c.send(200, Jwts.JSON.writeValueAsBytes(n));
    }

    private String resolveTenant(String tenant) {
        String t = tenant.toLowerCase(Locale.ROOT);
        if (tenants.containsKey(t)) {
            return t;
        }
        return tenantByDomain.get(t);
    }

    private void tokenError(Call c, int status, String error, int code, String description) throws IOException {
        Instant now = clock.instant();
        String trace = UUID.randomUUID().toString();
        String corr = c.ex.getRequestHeaders().getFirst("client-request-id");
        if (corr == null || !GUID.matcher(corr).matches()) {
            corr = UUID.randomUUID().toString();
        }
        ObjectNode n = Jwts.JSON.createObjectNode();
        n.put("error", error);
        n.put(
                "error_description",
                "AADSTS" + code + ": " + description + " Trace ID: " + trace
                        + " Correlation ID: " + corr + " Timestamp: "
                        + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
                                .withZone(ZoneOffset.UTC)
                                .format(now));
        n.putArray("error_codes").add(code);
        n.put(
                "timestamp",
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
                        .withZone(ZoneOffset.UTC)
                        .format(now));
        n.put("trace_id", trace);
        n.put("correlation_id", corr);
        if (code == 7000215 || code == 700027 || code == 700024) {
            n.put("error_uri", "https://login.microsoftonline.com/error?code=" + code);
        }
        tokenHeaders(c);
        c.send(status, Jwts.JSON.writeValueAsBytes(n));
    }

    private void tokenHeaders(Call c) {
        Headers h = c.ex.getResponseHeaders();
        h.set("Content-Type", "application/json; charset=utf-8");
        h.set("Cache-Control", "no-store, no-cache");
        h.set("Pragma", "no-cache");
        h.set("x-ms-request-id", UUID.randomUUID().toString());
        String crid = c.ex.getRequestHeaders().getFirst("client-request-id");
        if (crid != null) {
            h.set("client-request-id", crid);
        }
    }

    private void token(Call c, String tenantInPath, boolean v2) throws IOException {
        if (!"POST".equals(c.ex.getRequestMethod())) {
            tokenError(
                    c,
                    405,
                    "invalid_request",
                    900561,
                    "The endpoint only accepts POST requests. Received a " + c.ex.getRequestMethod() + " request.");
            return;
        }
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : new String(c.body, StandardCharsets.UTF_8).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            form.put(
                    URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        String tenant = resolveTenant(tenantInPath);
        if (tenant == null) {
            tokenError(
                    c,
                    400,
                    "invalid_request",
                    90002,
                    "Tenant '" + tenantInPath + "' not found. Check to make"
                            + " sure you have the correct tenant ID and are signing into the correct cloud.");
            return;
        }
        String grant = form.get("grant_type");
        if (grant == null) {
            tokenError(
                    c,
                    400,
                    "invalid_request",
                    900144,
                    "The request body must contain the following parameter: 'grant_type'.");
            return;
        }
        if (!"client_credentials".equals(grant)) {
            tokenError(
                    c,
                    400,
                    "unsupported_grant_type",
                    70003,
                    "The app requested an unsupported grant type '" + grant + "'.");
            return;
        }
        String clientId = form.get("client_id");
        String secret = form.get("client_secret");
        String basic = c.ex.getRequestHeaders().getFirst("Authorization");
        if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
            String dec;
            try {
                dec = new String(Base64.getDecoder().decode(basic.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                tokenError(
                        c,
                        401,
                        "invalid_client",
                        7000216,
                        "'client_assertion', 'client_secret' or 'request' is"
                                + " required for the 'client_credentials' grant type.");
                return;
            }
            int colon = dec.indexOf(':');
            String bId = URLDecoder.decode(colon < 0 ? dec : dec.substring(0, colon), StandardCharsets.UTF_8);
            String bSecret = colon < 0 ? "" : URLDecoder.decode(dec.substring(colon + 1), StandardCharsets.UTF_8);
            if (clientId != null && !clientId.equals(bId)) {
                tokenError(
                        c,
                        400,
                        "invalid_request",
                        90014,
                        "The client_id in the Authorization header does not"
                                + " match the client_id in the request body.");
                return;
            }
            clientId = bId;
            secret = bSecret;
        }
        if (clientId == null || clientId.isEmpty()) {
            tokenError(
                    c,
                    400,
                    "invalid_request",
                    900144,
                    "The request body must contain the following parameter: 'client_id'.");
            return;
        }
        // target: resource (v1) or scope (v2)
        String target;
        if (v2) {
            if (form.containsKey("resource")) {
                tokenError(c, 400, "invalid_request", 901002, "The 'resource' request parameter is not supported.");
                return;
            }
            String scope = form.get("scope");
            if (scope == null) {
                tokenError(
                        c,
                        400,
                        "invalid_request",
                        900144,
                        "The request body must contain the following parameter: 'scope'.");
                return;
            }
            target = null;
            for (String sc : scope.trim().split("\\s+")) {
                if (sc.endsWith("/.default")) {
                    if (target != null) {
                        tokenError(
                                c,
                                400,
                                "invalid_scope",
                                70011,
                                "The provided value for the input parameter"
                                        + " 'scope' is not valid. Only one '/.default' scope is allowed.");
                        return;
                    }
                    target = sc.substring(0, sc.length() - "/.default".length());
                } else if (!Set.of("openid", "profile", "offline_access").contains(sc)) {
                    tokenError(
                            c,
                            400,
                            "invalid_scope",
                            1002012,
                            "The provided value for scope " + sc
                                    + " is not valid. Client credential flows must have a scope value with /.default"
                                    + " suffixed to the resource identifier (application ID URI).");
                    return;
                }
            }
            if (target == null) {
                tokenError(
                        c,
                        400,
                        "invalid_scope",
                        1002012,
                        "The provided value for scope " + scope
                                + " is not valid. Client credential flows must have a scope value with /.default suffixed"
                                + " to the resource identifier (application ID URI).");
                return;
            }
        } else {
            target = form.get("resource");
            if (target == null) {
                tokenError(
                        c,
                        400,
                        "invalid_request",
                        900144,
                        "The request body must contain the following parameter: 'resource'.");
                return;
            }
        }
        String normalized = target.endsWith("/") ? target.substring(0, target.length() - 1) : target;
        if (!normalized.equalsIgnoreCase(resource) && !normalized.equalsIgnoreCase(AuditSearch.GRAPH_RESOURCE)) {
            tokenError(
                    c,
                    400,
                    v2 ? "invalid_resource" : "invalid_resource",
                    500011,
                    "The resource principal named "
                            + target + " was not found in the tenant named " + tenant
                            + ". This can happen if the application"
                            + " has not been installed by the administrator of the tenant or consented to by any user in the"
                            + " tenant.");
            return;
        }
        AppSpec app = null;
        for (AppSpec a : tenants.get(tenant).spec().apps()) {
            if (a.clientId().equalsIgnoreCase(clientId)) {
                app = a;
            }
        }
        if (app == null) {
            tokenError(
                    c,
                    400,
                    "unauthorized_client",
                    700016,
                    "Application with identifier '" + clientId + "' was"
                            + " not found in the directory '" + tenantInPath
                            + "'. This can happen if the application has not"
                            + " been installed by the administrator of the tenant or consented to by any user in the tenant."
                            + " You may have sent your authentication request to the wrong tenant.");
            return;
        }
        String assertion = form.get("client_assertion");
        String acr;
        if (assertion != null) {
            if (!"urn:ietf:params:oauth:client-assertion-type:jwt-bearer".equals(form.get("client_assertion_type"))) {
                tokenError(
                        c,
                        400,
                        "invalid_request",
                        50027,
                        "Invalid client_assertion_type: " + form.get("client_assertion_type"));
                return;
            }
            String problem = checkAssertion(assertion, app, tenantInPath, c.path);
            if (problem != null) {
                int code = problem.startsWith("Client assertion is not within its valid time range") ? 700024 : 700027;
                tokenError(c, 401, "invalid_client", code, problem);
                return;
            }
            acr = "2";
        } else if (secret != null) {
            if (app.secret() == null
                    || !java.security.MessageDigest.isEqual(
                            app.secret().getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8))) {
                tokenError(
                        c,
                        401,
                        "invalid_client",
                        7000215,
                        "Invalid client secret provided. Ensure the secret"
                                + " being sent in the request is the client secret value, not the client secret ID, for a"
                                + " secret added to app '" + app.clientId() + "'.");
                return;
            }
            acr = "1";
        } else {
            tokenError(
                    c,
                    401,
                    "invalid_client",
                    7000218,
                    "The request body must contain the following parameter:"
                            + " 'client_assertion' or 'client_secret'.");
            return;
        }
        issueToken(c, tenant, app, acr, v2, target);
    }

    /** Returns null when the assertion is valid, else the AADSTS description. */
    /** Workload identity federation: a JWT of a trusted external issuer, for the app's federated credential. */
    private String checkFederated(Jwts.Parsed p, AppSpec.Federated fed, AppSpec app) {
        if (!Jwts.verifyRsa(p, fed.key())) {
            return "AADSTS700211: the federated assertion's signature is not valid for issuer '" + fed.issuer() + "'.";
        }
        JsonNode cl = p.claims();
        if (!cl.path("sub").asText("").equals(fed.subject())) {
            return "AADSTS70021: No matching federated identity record found for presented assertion subject '"
                    + cl.path("sub").asText("") + "' of app '" + app.clientId() + "'.";
        }
        String aud = cl.path("aud").isArray()
                ? cl.path("aud").path(0).asText("")
                : cl.path("aud").asText("");
        if (!aud.equals("api://AzureADTokenExchange")) {
            return "AADSTS700212: No matching federated identity record found for presented assertion audience '" + aud
                    + "'.";
        }
        long now = clock.instant().getEpochSecond();
        if (!cl.path("exp").canConvertToLong() || now >= cl.path("exp").asLong()) {
            return "AADSTS700024: Client assertion is not within its valid time range.";
        }
        fed.used().incrementAndGet();
        fed.lastJti().set(cl.path("jti").asText(""));
        return null;
    }

    private String checkAssertion(String assertion, AppSpec app, String tenantInPath, String path) {
        Jwts.Parsed p;
        try {
            p = Jwts.parse(assertion);
        } catch (IllegalArgumentException e) {
            return "The client assertion is not a well-formed JWT.";
        }
        String alg = p.alg();
        if (!alg.equals("RS256") && !alg.equals("PS256")) {
            return "Client assertion contains an unsupported signing algorithm '" + alg + "'.";
        }
        AppSpec.Federated fed = app.federated(p.claims().path("iss").asText(""));
        if (fed != null) {
            return checkFederated(p, fed, app);
        }
        // MSAL4J 1.26 sends the thumbprint in standard base64 with padding, the spec says base64url: accept both
        String s256 = b64uNormal(p.header().path("x5t#S256").asText(null));
        String s1 = b64uNormal(p.header().path("x5t").asText(null));
        X509Certificate cert = null;
        for (X509Certificate candidate : app.certificates()) {
            if ((s256 != null && s256.equals(Jwts.x5tS256(candidate)))
                    || (s1 != null && s1.equals(Jwts.x5t(candidate)))) {
                cert = candidate;
            }
        }
        if (cert == null) {
            return "Client assertion failed signature validation. The key was not found. (Reason: the thumbprint in"
                    + " the assertion header does not match a certificate registered on app '" + app.clientId()
                    + "'.)";
        }
        if (!Jwts.verifyRsa(p, cert.getPublicKey())) {
            return "Client assertion failed signature validation.";
        }
        JsonNode cl = p.claims();
        String iss = cl.path("iss").asText("");
        String sub = cl.path("sub").asText("");
        if (!iss.equalsIgnoreCase(app.clientId()) || !sub.equalsIgnoreCase(app.clientId())) {
            return "The client assertion's 'iss' and 'sub' claims must both be the client id '" + app.clientId() + "'.";
        }
        String aud = cl.path("aud").isArray()
                ? cl.path("aud").path(0).asText("")
                : cl.path("aud").asText("");
        if (!audienceMatches(aud, path)) {
            return "The audience claim value '" + aud + "' is invalid: it must be the token endpoint of tenant '"
                    + tenantInPath + "'.";
        }
        long now = clock.instant().getEpochSecond();
        if (!cl.path("exp").canConvertToLong()) {
            return "Client assertion is not within its valid time range: 'exp' is missing.";
        }
        long exp = cl.path("exp").asLong();
        long nbf = cl.path("nbf").asLong(0);
        // Entra allows a small clock skew (5 minutes)
        if (now >= exp + 300 || now + 300 < nbf) {
            return "Client assertion is not within its valid time range. Current time: "
                    + Instant.ofEpochSecond(now) + ", assertion valid from " + Instant.ofEpochSecond(nbf)
                    + ", expiry time of assertion " + Instant.ofEpochSecond(exp) + ".";
        }
        return null;
    }

    private static String b64uNormal(String s) {
        return s == null ? null : s.replace('+', '-').replace('/', '_').replaceAll("=+$", "");
    }

    private boolean audienceMatches(String aud, String requestPath) {
        URI u;
        try {
            u = URI.create(aud);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (u.getHost() == null || u.getPath() == null) {
            return false;
        }
        String host = u.getHost().toLowerCase(Locale.ROOT);
        boolean ownHost = baseUrl != null && aud.startsWith(baseUrl + "/");
        boolean msHost = host.startsWith("login.")
                && (host.endsWith(".microsoftonline.com")
                        || host.equals("login.microsoftonline.com")
                        || host.equals("login.windows.net")
                        || host.equals("login.microsoftonline.us")
                        || host.equals("login.partner.microsoftonline.cn")
                        || host.equals("login.chinacloudapi.cn"));
        if (!ownHost && !msHost) {
            return false;
        }
        String a = u.getPath().replaceAll("/+$", "");
        String r = requestPath.replaceAll("/+$", "");
        // Entra accepts the v1 or the v2 token endpoint of the tenant as audience
        return a.equalsIgnoreCase(r)
                || a.equalsIgnoreCase(r.replace("/oauth2/v2.0/token", "/oauth2/token"))
                || a.equalsIgnoreCase(r.replace("/oauth2/token", "/oauth2/v2.0/token"));
    }

    // ------------------------------------------------------------------ Azure managed identity (IMDS)

    /**
     * The IMDS token endpoint: {@code GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=...} with
     * header {@code Metadata: true}, and {@code client_id} for a user-assigned identity. The identity is the service
     * principal marked {@link AppSpec#systemAssignedIdentity()} or, by client id, {@link AppSpec#userAssignedIdentity()}
     * in some tenant; its token is for that tenant, exactly like a client-credentials token of that app.
     */
    private void managedIdentityToken(Call c) throws IOException {
        if (!"GET".equals(c.ex.getRequestMethod())) {
            imdsError(c, 405, "invalid_request", "The request method is not supported; use GET.");
            return;
        }
        if (!"true".equalsIgnoreCase(c.ex.getRequestHeaders().getFirst("Metadata"))) {
            imdsError(c, 400, "invalid_request", "Required metadata header not specified");
            return;
        }
        if (!"2018-02-01".equals(c.q("api-version")) && !"2019-08-01".equals(c.q("api-version"))) {
            imdsError(
                    c,
                    400,
                    "invalid_request",
                    c.q("api-version") == null
                            ? "Required api-version parameter not " + "specified"
                            : "Invalid api-version " + c.q("api-version"));
            return;
        }
        String target = c.q("resource");
        if (target == null || target.isBlank()) {
            imdsError(c, 400, "invalid_request", "Required audience parameter not specified");
            return;
        }
        if (c.q("object_id") != null || c.q("msi_res_id") != null || c.q("mi_res_id") != null) {
            imdsError(c, 400, "invalid_request", "Identity not found");
            return;
        }
        String clientId = c.q("client_id");
        String tenant = null;
        AppSpec identity = null;
        for (ContentStore store : tenants.values()) {
            for (AppSpec a : store.spec().apps()) {
                boolean match = clientId == null
                        ? a.managedIdentity() == AppSpec.ManagedIdentity.SYSTEM_ASSIGNED
                        : a.managedIdentity() == AppSpec.ManagedIdentity.USER_ASSIGNED
                                && a.clientId().equalsIgnoreCase(clientId);
                if (match) {
                    tenant = store.spec().tenantId();
                    identity = a;
                }
            }
        }
        if (identity == null) {
            imdsError(c, 400, "invalid_request", "Identity not found");
            return;
        }
        String normalized = target.endsWith("/") ? target.substring(0, target.length() - 1) : target;
        if (!normalized.equalsIgnoreCase(resource) && !normalized.equalsIgnoreCase(AuditSearch.GRAPH_RESOURCE)) {
            imdsError(
                    c,
                    400,
                    "invalid_resource",
                    "AADSTS500011: The resource principal named " + target + " was not "
                            + "found in the tenant named " + tenant
                            + ". This can happen if the application has not been "
                            + "installed by the administrator of the tenant or consented to by any user in the tenant. You "
                            + "might have sent your authentication request to the wrong tenant.");
            return;
        }
        Instant now = clock.instant();
        long iat = now.getEpochSecond() - 300;
        long exp = now.getEpochSecond() + tokenLifetime.getSeconds();
        ObjectNode n = Jwts.JSON.createObjectNode();
        n.put("access_token", accessToken(tenant, identity, "2", now, audience(normalized)));
        n.put("client_id", identity.clientId());
        n.put("expires_in", Long.toString(tokenLifetime.getSeconds()));
        n.put("expires_on", Long.toString(exp));
        n.put("ext_expires_in", Long.toString(tokenLifetime.getSeconds()));
        n.put("not_before", Long.toString(iat));
        n.put("resource", target);
        n.put("token_type", "Bearer");
        Headers h = c.ex.getResponseHeaders();
        h.set("Content-Type", "application/json; charset=utf-8");
        h.set("Server", "IMDS/150.870.65.1544");
        c.send(200, Jwts.JSON.writeValueAsBytes(n));
    }

    private void imdsError(Call c, int status, String error, String description) throws IOException {
        Headers h = c.ex.getResponseHeaders();
        h.set("Content-Type", "application/json; charset=utf-8");
        h.set("Server", "IMDS/150.870.65.1544");
        c.send(
                status,
                Jwts.JSON.writeValueAsBytes(
                        Jwts.JSON.createObjectNode().put("error", error).put("error_description", description)));
    }

    /** The audience of a token asked for {@code target}: Graph's, or the Management API's resource. */
    private String audience(String target) {
        return target.equalsIgnoreCase(AuditSearch.GRAPH_RESOURCE) ? AuditSearch.GRAPH_RESOURCE : resource;
    }

    /**
     * A signed access token of {@code app} for {@code tenant} and {@code aud}, as the API accepts it: its roles are the
     * app's roles on that resource (Graph's {@code AuditLogsQuery*}, or the Management API's others).
     */
    private String accessToken(String tenant, AppSpec app, String acr, Instant now, String aud) {
        boolean graph = aud.equals(AuditSearch.GRAPH_RESOURCE);
        List<String> granted = new ArrayList<>();
        for (String role : app.rolesOrdered()) {
            if ((role.startsWith("AuditLogsQuery") || Directory.ROLES.contains(role)) == graph) {
                granted.add(role);
            }
        }
        long iat = now.getEpochSecond() - 300;
        long exp = now.getEpochSecond() + tokenLifetime.getSeconds();
        ObjectNode claims = Jwts.JSON.createObjectNode();
        claims.put("aud", aud);
        claims.put("iss", "https://sts.windows.net/" + tenant + "/");
        claims.put("iat", iat);
        claims.put("nbf", iat);
        claims.put("exp", exp);
        claims.put("aio", Jwts.b64u(UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII)));
        claims.put("app_displayname", "simulated-collector");
        claims.put("appid", app.clientId());
        claims.put("appidacr", acr);
        claims.put("idp", "https://sts.windows.net/" + tenant + "/");
        String oid = RecordGenerator.guid(
                RecordGenerator.hash(tenant + app.clientId()), RecordGenerator.hash(app.clientId()));
        claims.put("oid", oid);
        claims.put("rh", "0.AAAA" + Jwts.b64u(app.clientId().getBytes(StandardCharsets.US_ASCII)) + ".");
        if (!granted.isEmpty()) {
            ArrayNode roles = claims.putArray("roles");
            granted.forEach(roles::add);
        }
        claims.put("sub", oid);
        claims.put("tid", tenant);
        claims.put(
                "uti",
                Jwts.b64u(UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII))
                        .substring(0, 22));
        claims.put("ver", "1.0");
        return Jwts.signHs256(claims, tokenKey);
    }

    private void issueToken(Call c, String tenant, AppSpec app, String acr, boolean v2, String target)
            throws IOException {
        Instant now = clock.instant();
        long iat = now.getEpochSecond() - 300;
        long exp = now.getEpochSecond() + tokenLifetime.getSeconds();
        String normalized = target.endsWith("/") ? target.substring(0, target.length() - 1) : target;
        String token = accessToken(tenant, app, acr, now, audience(normalized));
        ObjectNode n = Jwts.JSON.createObjectNode();
        long expiresIn = tokenLifetime.getSeconds();
        n.put("token_type", "Bearer");
        if (v2) {
            n.put("expires_in", expiresIn);
            n.put("ext_expires_in", expiresIn);
        } else {
            n.put("expires_in", Long.toString(expiresIn));
            n.put("ext_expires_in", Long.toString(expiresIn));
            n.put("expires_on", Long.toString(exp));
            n.put("not_before", Long.toString(iat));
            n.put("resource", target);
        }
        n.put("access_token", token);
        tokenHeaders(c);
        c.send(200, Jwts.JSON.writeValueAsBytes(n));
    }

    // ------------------------------------------------------------------ Management Activity API

    private void unauthorized(Call c) throws IOException {
        c.ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        c.iisHeaders();
        c.send(
                401,
                Jwts.JSON.writeValueAsBytes(Jwts.JSON
                        .createObjectNode()
                        .put("Message", "Authorization has been denied for this request.")));
    }

    /** Verified claims of the bearer token for the Management API, or null. */
    private JsonNode bearer(Call c) {
        return bearer(c, resource);
    }

    /** Verified claims of the bearer token for {@code aud}, or null. */
    private JsonNode bearer(Call c, String aud) {
        String auth = c.ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        Jwts.Parsed p;
        try {
            p = Jwts.parse(auth.substring(7).trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!Jwts.verifyHs256(p, tokenKey)) {
            return null;
        }
        JsonNode cl = p.claims();
        long now = clock.instant().getEpochSecond();
        if (!aud.equals(cl.path("aud").asText())
                || now >= cl.path("exp").asLong(0)
                || now < cl.path("nbf").asLong(Long.MAX_VALUE)
                || !cl.hasNonNull("tid")) {
            return null;
        }
        return cl;
    }

    /** The Graph audit-search endpoints (see {@link AuditSearch}). */
    private void graph(Call c) throws IOException {
        AuditSearch.Answer a = auditSearch.handle(
                c.ex.getRequestMethod(), c.path, c.query, c.body, bearer(c, AuditSearch.GRAPH_RESOURCE), baseUrl);
        a.headers().forEach((k, v) -> c.ex.getResponseHeaders().set(k, v));
        c.send(a.status(), a.body());
    }

    /** The Graph directory endpoint (see {@link Directory}). */
    private void directory(Call c) throws IOException {
        AuditSearch.Answer a = directory.handle(c.ex.getRequestMethod(), c.body, bearer(c, AuditSearch.GRAPH_RESOURCE));
        a.headers().forEach((k, v) -> c.ex.getResponseHeaders().set(k, v));
        c.send(a.status(), a.body());
    }

    /** Graph's JSON batch endpoint (see {@link Directory#handleBatch}). */
    private void directoryBatch(Call c) throws IOException {
        AuditSearch.Answer a =
                directory.handleBatch(c.ex.getRequestMethod(), c.body, bearer(c, AuditSearch.GRAPH_RESOURCE));
        a.headers().forEach((k, v) -> c.ex.getResponseHeaders().set(k, v));
        c.send(a.status(), a.body());
    }

    private static Set<String> roles(JsonNode claims) {
        Set<String> r = new LinkedHashSet<>();
        claims.path("roles").forEach(n -> r.add(n.asText()));
        return r;
    }

    private void api(Call c, String tenantInUrl, String rest) throws IOException {
        JsonNode claims = bearer(c);
        if (claims == null) {
            unauthorized(c);
            return;
        }
        if (!GUID.matcher(tenantInUrl).matches()) {
            c.apiError(400, "AF20013", "The tenant ID passed in the URL (" + tenantInUrl + ") is not a valid GUID.");
            return;
        }
        String tid = claims.path("tid").asText();
        if (!tenantInUrl.equalsIgnoreCase(tid)) {
            c.apiError(
                    401,
                    "AF20010",
                    "The tenant ID passed in the URL (" + tenantInUrl + ") does not match the"
                            + " tenant ID passed in the access token (" + tid + ").");
            return;
        }
        Set<String> roles = roles(claims);
        if (!roles.contains(AppSpec.ROLE_READ)) {
            c.apiError(
                    401,
                    "AF10001",
                    "The permission set (" + String.join(" ", roles) + ") sent in the request"
                            + " did not include the expected permission ActivityFeed.Read.");
            return;
        }
        String tenant = tid.toLowerCase(Locale.ROOT);
        String appId = claims.path("appid").asText();
        if (faults.overBudget(tenant + "|" + publisherOf(c).toLowerCase(Locale.ROOT), clock.millis())) {
            throttled(c, methodName(c.path), publisherOf(c));
            return;
        }
        String method = c.ex.getRequestMethod();
        try {
            if (rest.startsWith("audit/")) {
                requireMethod(method, "GET");
                blob(c, tenant, appId, roles, URLDecoder.decode(rest.substring(6), StandardCharsets.UTF_8));
                return;
            }
            switch (rest) {
                case "subscriptions/start":
                    requireMethod(method, "POST");
                    start(c, tenant, appId, roles);
                    break;
                case "subscriptions/stop":
                    requireMethod(method, "POST");
                    stop(c, tenant, appId, roles);
                    break;
                case "subscriptions/list":
                    requireMethod(method, "GET");
                    list(c, tenant, appId);
                    break;
                case "subscriptions/content":
                    requireMethod(method, "GET");
                    content(c, tenant, appId, roles, false);
                    break;
                case "subscriptions/notifications":
                    requireMethod(method, "GET");
                    content(c, tenant, appId, roles, true);
                    break;
                case "resources/dlpSensitiveTypes":
                    requireMethod(method, "GET");
                    sensitiveTypes(c);
                    break;
                default:
                    c.json(
                            404,
                            Jwts.JSON
                                    .createObjectNode()
                                    .put(
                                            "Message",
                                            "No HTTP resource was found that matches the request URI '" + baseUrl
                                                    + c.path + "'."));
            }
        } catch (ApiError e) {
            if (e.code == null) {
                if (e.status == 401) {
                    unauthorized(c);
                } else {
                    c.json(e.status, Jwts.JSON.createObjectNode().put("Message", e.getMessage()));
                }
            } else {
                c.apiError(e.status, e.code, e.getMessage());
            }
        }
    }

    private static void requireMethod(String method, String expected) throws ApiError {
        if (!expected.equals(method)) {
            throw new ApiError(405, null, "The requested resource does not support http method '" + method + "'.");
        }
    }

    private static ContentType contentType(Call c, Set<String> roles) throws ApiError {
        String ct = c.q("contentType");
        if (ct == null || ct.isEmpty()) {
            throw new ApiError(400, "AF20001", "Missing parameter: contentType.");
        }
        for (ContentType t : ContentType.values()) {
            if (t.wireName().equals(ct)) {
                if (t == ContentType.DLP_ALL && !roles.contains(AppSpec.ROLE_READ_DLP)) {
                    throw new ApiError(401, null, "Authorization has been denied for this request.");
                }
                return t;
            }
        }
        throw new ApiError(400, "AF20020", "The specified content type is not valid.");
    }

    private Subscription enabledSubscription(String tenant, String appId, ContentType type) throws ApiError {
        Subscription s = subscriptions.get(subKey(tenant, appId, type));
        if (s == null) {
            throw new ApiError(400, "AF20022", "No subscription found for the specified content type.");
        }
        synchronized (s) {
            if (!s.enabled) {
                throw new ApiError(400, "AF20023", "The subscription was disabled.");
            }
        }
        return s;
    }

    // ---- subscriptions

    private void start(Call c, String tenant, String appId, Set<String> roles) throws IOException, ApiError {
        ContentType type = contentType(c, roles);
        ContentStore store = tenants.get(tenant);
        if (!store.spec().auditEnabled()) {
            String corr = UUID.randomUUID().toString();
            String pub = publisherOf(c);
            c.apiError(
                    400,
                    "StartSubscription [CorrId=" + corr + "][TenantId=" + tenant + ",ContentType=" + type.wireName()
                            + ",ApplicationId=" + appId + ",PublisherId=" + pub + "][AppId",
                    "=" + appId + "] failed. Exception: Microsoft.Office.Compliance.Audit.DataServiceException: Tenant "
                            + tenant
                            + " does not exist.\r\n   at Microsoft.Office.Compliance.Audit.API.AuditApiDataService"
                            + ".ValidateTenant(Guid tenantId)\r\n   at Microsoft.Office.Compliance.Audit.API"
                            + ".SubscriptionManager.StartSubscription(Guid tenantId, String contentType, Guid appId, Webhook"
                            + " webhook)\r\n   at Microsoft.Office.Compliance.Audit.API.Controllers.SubscriptionsController"
                            + ".Start(String tenantId, String contentType, String publisherIdentifier)");
            return;
        }
        Webhook requested = parseWebhook(c);
        Instant now = clock.instant();
        String key = subKey(tenant, appId, type);
        Subscription s = subscriptions.computeIfAbsent(key, k -> new Subscription(type));
        try {
            startLocked(c, s, type, requested, now);
        } catch (ApiError e) {
            synchronized (s) {
                if (s.lastStart == null && !s.enabled) {
                    subscriptions.remove(key, s);
                }
            }
            throw e;
        }
    }

    private void startLocked(Call c, Subscription s, ContentType type, Webhook requested, Instant now)
            throws IOException, ApiError {
        synchronized (s) {
            boolean fresh = s.lastStart == null && !s.enabled && s.notifiedUpTo.equals(Instant.MIN);
            boolean webhookActive = s.webhook == null || "enabled".equals(s.webhook.status);
            if (s.enabled
                    && webhookActive
                    && java.util.Objects.equals(
                            s.webhook == null ? null : withStatus(s.webhook, null),
                            requested == null ? null : withStatus(requested, null))) {
                throw new ApiError(400, "AF20024", "The subscription is already enabled. No property change.");
            }
            if (s.lastStart != null && now.isBefore(s.lastStart.plus(startCooldown))) {
                throw new ApiError(
                        403, "AF429", "Too many requests. Method=StartSubscription, PublisherId=" + publisherOf(c));
            }
            if (requested != null) {
                validateWebhook(requested);
                requested = withStatus(requested, "enabled");
                if (s.webhook == null) {
                    s.notifiedUpTo = now;
                }
            }
            if (fresh) {
                // simulator choice: the first subscription of a tenant sees its whole (backfilled) history
                s.accessibleFrom = Instant.MIN;
                s.notifiedUpTo = now;
            } else if (!s.enabled) {
                // reference 2.3: after a restart only content created from the restart onward is accessible
                s.accessibleFrom = now;
                s.notifiedUpTo = now;
            }
            s.enabled = true;
            s.webhook = requested;
            s.lastStart = now;
            s.failures = 0;
            s.nextAttempt = Instant.MIN;
            ObjectNode n = Jwts.JSON.createObjectNode();
            n.put("contentType", type.wireName());
            n.put("status", "enabled");
            if (s.webhook == null) {
                n.putNull("webhook");
            } else {
                ObjectNode w = n.putObject("webhook");
                w.put("status", "enabled");
                w.put("address", s.webhook.address);
                w.put("authId", s.webhook.authId);
                if (s.webhook.expiration == null || s.webhook.expiration.isEmpty()) {
                    w.putNull("expiration");
                } else {
                    w.put("expiration", s.webhook.expiration);
                }
            }
            c.json(200, n);
        }
    }

    private static Webhook withStatus(Webhook w, String status) {
        return new Webhook(w.address, w.authId, w.expiration == null ? "" : w.expiration, status);
    }

    private Webhook parseWebhook(Call c) throws ApiError {
        String body = new String(c.body, StandardCharsets.UTF_8).trim();
        if (body.isEmpty() || body.equals("\"\"") || body.equals("null")) {
            return null;
        }
        JsonNode n;
        try {
            n = Jwts.JSON.readTree(body);
        } catch (IOException e) {
            throw new ApiError(400, "AF20002", "Invalid parameter type: webhook. Expected type: Webhook");
        }
        JsonNode w = n.path("webhook");
        if (w.isMissingNode() || w.isNull()) {
            return null;
        }
        if (!w.isObject()) {
            throw new ApiError(400, "AF20002", "Invalid parameter type: webhook. Expected type: Webhook");
        }
        String address = w.path("address").asText(null);
        if (address == null || address.isEmpty()) {
            throw new ApiError(400, "AF20001", "Missing parameter: address.");
        }
        String authId = w.path("authId").isNull() ? null : w.path("authId").asText(null);
        String expiration =
                w.path("expiration").isNull() ? null : w.path("expiration").asText(null);
        if (expiration != null && !expiration.isEmpty()) {
            Instant exp;
            try {
                exp = parseTime(expiration);
            } catch (RuntimeException e) {
                throw new ApiError(400, "AF20002", "Invalid parameter type: expiration. Expected type: DateTime");
            }
            if (!exp.isAfter(clock.instant())) {
                throw new ApiError(
                        400, "AF20003", "Expiration " + expiration + " provided is set to past date and time.");
            }
        }
        return new Webhook(address, authId, expiration, null);
    }

    private void validateWebhook(Webhook w) throws ApiError {
        URI u;
        try {
            u = URI.create(w.address);
        } catch (IllegalArgumentException e) {
            throw new ApiError(
                    400,
                    "AF20021",
                    "The webhook endpoint {" + w.address + ") could not be validated."
                            + " The address must begin with HTTPS.");
        }
        boolean https = "https".equalsIgnoreCase(u.getScheme());
        boolean loopbackHttp = "http".equalsIgnoreCase(u.getScheme())
                && u.getHost() != null
                && (u.getHost().equals("127.0.0.1")
                        || u.getHost().equalsIgnoreCase("localhost")
                        || u.getHost().equals("[::1]")
                        || u.getHost().equals("::1"));
        if (!https && !loopbackHttp) {
            throw new ApiError(
                    400,
                    "AF20021",
                    "The webhook endpoint {" + w.address + ") could not be validated."
                            + " The address must begin with HTTPS.");
        }
        String code = Long.toHexString(new SecureRandom().nextLong());
        HttpRequest.Builder rb = HttpRequest.newBuilder(u)
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Webhook-ValidationCode", code)
                .POST(HttpRequest.BodyPublishers.ofString("{\"validationCode\":\"" + code + "\"}"));
        if (w.authId != null && !w.authId.isEmpty()) {
            rb.header("Webhook-AuthID", w.authId);
        }
        int status;
        try {
            status = webhookClient
                    .send(rb.build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            status = -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = -1;
        }
        if (status != 200) {
            throw new ApiError(
                    400,
                    "AF20021",
                    "The webhook endpoint {" + w.address + ") could not be validated."
                            + " The endpoint did not return HTTP 200.");
        }
    }

    private void stop(Call c, String tenant, String appId, Set<String> roles) throws IOException, ApiError {
        ContentType type = contentType(c, roles);
        Subscription s = subscriptions.get(subKey(tenant, appId, type));
        if (s == null) {
            throw new ApiError(400, "AF20022", "No subscription found for the specified content type.");
        }
        synchronized (s) {
            s.enabled = false;
        }
        c.iisHeaders();
        c.send(200, new byte[0]);
    }

    private void list(Call c, String tenant, String appId) throws IOException {
        ArrayNode arr = Jwts.JSON.createArrayNode();
        for (ContentType t : ContentType.values()) {
            Subscription s = subscriptions.get(subKey(tenant, appId, t));
            if (s == null) {
                continue;
            }
            synchronized (s) {
                ObjectNode o = arr.addObject();
                o.put("contentType", t.wireName());
                o.put("status", s.enabled ? "enabled" : "disabled");
                if (s.webhook == null) {
                    o.putNull("webhook");
                } else {
                    ObjectNode w = o.putObject("webhook");
                    w.put("authId", s.webhook.authId == null ? "" : s.webhook.authId);
                    w.put("address", s.webhook.address);
                    w.put("expiration", s.webhook.expiration == null ? "" : s.webhook.expiration);
                    w.put("status", s.webhook.status);
                }
            }
        }
        c.json(200, arr);
    }

    // ---- listing

    /** Parses a listing time as the service accepts it (reference 3.2); throws on anything else. */
    static Instant parseTime(String raw) {
        Matcher m = TIME.matcher(raw);
        if (!m.matches()) {
            throw new IllegalArgumentException("bad time " + raw);
        }
        int nanos = 0;
        if (m.group(7) != null) {
            String f = (m.group(7) + "000000000").substring(0, 9);
            nanos = Integer.parseInt(f);
        }
        LocalDateTime t = LocalDateTime.of(
                Integer.parseInt(m.group(1)),
                Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)),
                m.group(4) == null ? 0 : Integer.parseInt(m.group(4)),
                m.group(5) == null ? 0 : Integer.parseInt(m.group(5)),
                m.group(6) == null ? 0 : Integer.parseInt(m.group(6)),
                nanos);
        String zone = m.group(8);
        ZoneOffset off = zone == null || zone.equals("Z") ? ZoneOffset.UTC : ZoneOffset.of(zone);
        return t.toInstant(off);
    }

    private Instant[] window(Call c) throws ApiError {
        String rs = c.q("startTime");
        String re = c.q("endTime");
        Instant now = clock.instant();
        String suffix = " StartTime:" + (rs == null ? "" : rs) + ", EndTime:" + (re == null ? "" : re);
        if (rs == null && re == null) {
            return new Instant[] {now.minus(Duration.ofHours(24)), now};
        }
        if (rs == null || re == null) {
            throw new ApiError(400, "AF20055", AF20055_TEXT + suffix);
        }
        Instant s;
        Instant e;
        try {
            s = parseTime(rs);
            e = parseTime(re);
        } catch (RuntimeException ex) {
            throw new ApiError(400, "AF20055", AF20055_TEXT + suffix);
        }
        if (!s.isBefore(e)
                || Duration.between(s, e).compareTo(Duration.ofHours(24)) > 0
                || s.isBefore(now.minus(Duration.ofDays(7)).minus(Duration.ofHours(1)))) {
            throw new ApiError(400, "AF20055", AF20055_TEXT + suffix);
        }
        return new Instant[] {s, e};
    }

    private void item(ObjectNode o, SimBlob b) {
        o.put("contentUri", baseUrl + "/api/v1.0/" + b.tenantId() + "/activity/feed/audit/" + b.contentId());
        o.put("contentId", b.contentId());
        o.put("contentType", b.type().wireName());
        o.put("contentCreated", ITEM_TIME.format(b.contentCreated()));
        o.put("contentExpiration", ITEM_TIME.format(b.contentExpiration()));
    }

    private void content(Call c, String tenant, String appId, Set<String> roles, boolean notifications)
            throws IOException, ApiError {
        ContentType type = contentType(c, roles);
        Subscription s = enabledSubscription(tenant, appId, type);
        Instant[] w = window(c);
        String token = null;
        for (Map.Entry<String, String> e : c.query.entrySet()) {
            if (e.getKey().equals("nextpage")) {
                token = e.getValue();
            }
        }
        if (token != null && !validToken(token, w)) {
            throw new ApiError(400, "AF20031", "Invalid nextPage Input: " + token + ".");
        }
        Instant now = clock.instant();
        Instant accessibleFrom;
        synchronized (s) {
            accessibleFrom = s.accessibleFrom;
        }
        List<Object[]> rows = new ArrayList<>(); // [sortKey, SimBlob, SentNotification-or-null]
        if (notifications) {
            List<SentNotification> sent;
            synchronized (s) {
                sent = new ArrayList<>(s.notifications);
            }
            for (SentNotification n : sent) {
                Instant cc = n.blob().contentCreated();
                if (!cc.isBefore(w[0]) && cc.isBefore(w[1])) {
                    rows.add(new Object[] {n.blob().sortKey, n.blob(), n});
                }
            }
            rows.sort((a, b) -> ((String) a[0]).compareTo((String) b[0]));
        } else {
            for (SimBlob b : tenants.get(tenant).range(type, w[0], w[1])) {
                if (!b.visibleAt().isAfter(now) && !b.contentCreated().isBefore(accessibleFrom)) {
                    rows.add(new Object[] {b.sortKey, b, null});
                }
            }
        }
        int from = 0;
        if (token != null) {
            while (from < rows.size() && ((String) rows.get(from)[0]).compareTo(token) < 0) {
                from++;
            }
        }
        int to = Math.min(rows.size(), from + pageSize);
        // never split entries of one blob (notification retries) across pages: the token names a blob
        while (to < rows.size() && to > from && rows.get(to)[0].equals(rows.get(to - 1)[0])) {
            to++;
        }
        List<Object[]> page = new ArrayList<>(rows.subList(from, to));
        if (shufflePages) {
            synchronized (pageShuffle) {
                for (int i = page.size() - 1; i > 0; i--) {
                    Collections.swap(page, i, pageShuffle.nextInt(i + 1));
                }
            }
        }
        ArrayNode arr = Jwts.JSON.createArrayNode();
        for (Object[] row : page) {
            ObjectNode o = arr.addObject();
            item(o, (SimBlob) row[1]);
            if (row[2] != null) {
                SentNotification n = (SentNotification) row[2];
                o.put("notificationSent", ITEM_TIME.format(n.sent()));
                o.put("notificationStatus", n.status());
            }
        }
        if (to < rows.size()) {
            String next = (String) rows.get(to)[0];
            // the real quirks: lower-case names, 7 fractional digits + Z, no PublisherIdentifier, '$' unescaped
            c.ex.getResponseHeaders()
                    .set(
                            "NextPageUri",
                            baseUrl + c.path + "?contenttype=" + type.wireName()
                                    + "&endtime=" + PAGE_TIME.format(w[1]) + "&starttime=" + PAGE_TIME.format(w[0])
                                    + "&nextpage=" + next);
        }
        c.json(200, arr);
    }

    private static boolean validToken(String token, Instant[] w) {
        if (!token.matches("\\d{23}\\$\\d{23}\\$na\\d{4}")) {
            return false;
        }
        try {
            Instant created = ContentStore.parseStamp(token.substring(0, 23));
            return !created.isBefore(w[0].minusMillis(1)) && created.isBefore(w[1].plusMillis(1));
        } catch (RuntimeException e) {
            return false;
        }
    }

    // ---- blobs

    private void blob(Call c, String tenant, String appId, Set<String> roles, String contentId)
            throws IOException, ApiError {
        if (!ContentStore.CONTENT_ID.matcher(contentId).matches()) {
            throw new ApiError(400, "AF20052", "Content ID " + contentId + " in the URL is invalid.");
        }
        Optional<SimBlob> found = tenants.get(tenant).find(contentId);
        Instant now = clock.instant();
        if (found.isEmpty() || found.get().visibleAt().isAfter(now)) {
            throw new ApiError(404, "AF20050", "The specified content (" + contentId + ") does not exist.");
        }
        SimBlob b = found.get();
        if (b.type() == ContentType.DLP_ALL && !roles.contains(AppSpec.ROLE_READ_DLP)) {
            throw new ApiError(401, null, "Authorization has been denied for this request.");
        }
        Subscription s = enabledSubscription(tenant, appId, b.type());
        synchronized (s) {
            if (b.contentCreated().isBefore(s.accessibleFrom)) {
                throw new ApiError(404, "AF20050", "The specified content (" + contentId + ") does not exist.");
            }
        }
        if (!now.isBefore(b.contentExpiration())) {
            throw new ApiError(
                    400,
                    "AF20051",
                    "Content requested with the key " + contentId
                            + " has already expired. Content older than 7 days cannot be retrieved.");
        }
        c.iisHeaders();
        c.status = 200;
        c.ex.sendResponseHeaders(200, 0);
        OutputStream raw = c.ex.getResponseBody();
        BufferedOutputStream out = new BufferedOutputStream(raw, 1 << 16);
        int n = b.recordCount();
        if (c.fault == Faults.Kind.STALL_MID_BODY) {
            // half the records, whole and well formed, then nothing: the client waits, then the connection drops
            RecordGenerator.writePrefix(b, out, Math.max(0, n / 2));
            out.flush();
            try {
                Thread.sleep(faults.stall().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new ResetConnection();
        }
        if (c.fault == Faults.Kind.RESET_MID_BODY) {
            RecordGenerator.writeBody(b, out, Math.max(0, n / 2));
            out.flush();
            throw new ResetConnection();
        }
        if (c.fault == Faults.Kind.TRUNCATED_BODY) {
            RecordGenerator.writeBody(b, out, Math.max(0, n / 2));
            out.flush();
            c.record();
            out.close();
            return;
        }
        RecordGenerator.writeBody(b, out, -1);
        out.flush();
        served.computeIfAbsent(tenant + "|" + b.type().wireName(), k -> ConcurrentHashMap.newKeySet())
                .add(b);
        c.record();
        out.close();
    }

    // ---- resources

    private void sensitiveTypes(Call c) throws IOException, ApiError {
        List<String> values = c.ex.getRequestHeaders().get("Accept-Language");
        String lang = "en-US";
        if (values != null && !values.isEmpty()) {
            if (values.size() > 1 || values.get(0).contains(",")) {
                throw new ApiError(400, "AF20053", "Only one language may be present in the Accept-Language header.");
            }
            String v = values.get(0).trim();
            int semi = v.indexOf(';');
            if (semi >= 0) {
                if (!v.substring(semi + 1).trim().matches("q=(0(\\.\\d{0,3})?|1(\\.0{0,3})?)")) {
                    throw new ApiError(400, "AF20054", "Invalid syntax in Accept-Language header.");
                }
                v = v.substring(0, semi).trim();
            }
            if (!v.isEmpty()) {
                if (!LANGUAGE.matcher(v).matches()) {
                    throw new ApiError(400, "AF20054", "Invalid syntax in Accept-Language header.");
                }
                lang = v;
            }
        }
        boolean german = lang.toLowerCase(Locale.ROOT).startsWith("de");
        ArrayNode arr = Jwts.JSON.createArrayNode();
        for (String[] t : SENSITIVE_TYPES) {
            arr.addObject().put("id", t[0]).put("name", german ? t[2] : t[1]);
        }
        c.ex.getResponseHeaders().set("Content-Language", lang);
        c.json(200, arr);
    }
}
