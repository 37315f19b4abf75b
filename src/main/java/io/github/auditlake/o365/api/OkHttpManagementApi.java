package io.github.auditlake.o365.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ManagementApi} over OkHttp: URL layout {@code {apiBase}/api/v1.0/{tenant}/activity/feed/...},
 * {@code PublisherIdentifier} on every call (blob fetches and next pages included), bearer tokens from a
 * {@link TokenProvider} (one refresh on 401), every HTTP request through the {@link RequestLimiter}, transient
 * failures retried by the {@link RetryPolicy}, everything else classified by {@link ErrorClassifier}.
 * Thread-safe.
 */
public final class OkHttpManagementApi implements ManagementApi {
    private static final Logger LOG = LoggerFactory.getLogger(OkHttpManagementApi.class);
    private static final ObjectMapper MAPPER = BoundedJson.uncachedNamesMapper();
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    /** Times sent to the service: UTC, milliseconds, {@code Z} (JavaScript toISOString form). */
    public static final DateTimeFormatter TIME_FORMAT = DateTimeFormatter.ofPattern(
                    "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    public static final String PUBLISHER_PARAM = "PublisherIdentifier";

    private final OkHttpClient http;
    private final OkHttpClient streamingHttp;
    private final TokenProvider tokens;
    private final String tenantId;
    private final HttpUrl apiBase;
    private final String apiBaseText;
    private boolean rewriteCloudUrls;
    private ServiceClock serviceClock;
    private int recordMaxBytes = JsonAuditRecordStream.UNLIMITED;
    private final String publisherId;
    private final RequestLimiter limiter;
    private final RetryPolicy retry;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Random random;
    private final String userAgent;
    private final boolean ownsResources;

    /**
     * @param http          the client (its call timeout applies to every call but a blob's, whose body streams for
     *                      as long as bytes keep coming: its connect and read timeouts bound each wait)
     * @param tokens        bearer tokens
     * @param ownsResources close {@code tokens} and shut down {@code http} on {@link #close()}
     */
    public OkHttpManagementApi(
            OkHttpClient http,
            TokenProvider tokens,
            String tenantId,
            String apiBaseUrl,
            String publisherId,
            RequestLimiter limiter,
            RetryPolicy retry,
            Clock clock,
            Sleeper sleeper,
            Random random,
            String userAgent,
            boolean ownsResources) {
        this.http = Objects.requireNonNull(http, "http");
        this.streamingHttp = http.newBuilder().callTimeout(Duration.ZERO).build();
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.tenantId = Objects.requireNonNull(tenantId, "tenantId");
        this.apiBaseText = Endpoints.validateBaseUrl(apiBaseUrl, "API base URL");
        this.apiBase = HttpUrl.get(apiBaseText);
        this.publisherId = java.util.Objects.requireNonNull(publisherId, "publisherId");
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.random = random == null ? new Random() : random;
        this.userAgent = userAgent == null ? Version.userAgent() : userAgent;
        this.ownsResources = ownsResources;
    }

    /**
     * For an API base override (a reverse proxy, a simulator): absolute URLs the service returns on a Microsoft
     * cloud API host ({@code contentUri}, {@code NextPageUri}) are sent to the override instead, keeping their path
     * and query, so egress-restricted deployments never bypass the proxy. Call before first use.
     */
    public OkHttpManagementApi rewritingCloudUrls() {
        this.rewriteCloudUrls = true;
        return this;
    }

    /** Feeds every successful response's {@code Date} to {@code clock}. Call before first use. */
    public OkHttpManagementApi observingServiceTime(ServiceClock clock) {
        this.serviceClock = clock;
        return this;
    }

    /**
     * A blob's record of more than {@code maxBytes} UTF-8 bytes is not read into memory: it is handed on as
     * {@link AuditRecord#tooLarge} (see {@link JsonAuditRecordStream}). Default: no limit. Call before first use.
     */
    public OkHttpManagementApi limitingRecordsTo(int maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("the record size limit must be >= 1, got " + maxBytes);
        }
        this.recordMaxBytes = maxBytes;
        return this;
    }

    @Override
    public ServiceClock serviceClock() {
        return serviceClock;
    }

    @Override
    public String tenantId() {
        return tenantId;
    }

    public String publisherId() {
        return publisherId;
    }

    public RequestLimiter limiter() {
        return limiter;
    }

    // ------------------------------------------------------------------ operations

    @Override
    public Subscription startSubscription(ContentType type, WebhookRequest webhook) {
        HttpUrl url = feed("subscriptions/start")
                .addQueryParameter("contentType", type.wireName())
                .addQueryParameter(PUBLISHER_PARAM, publisherId)
                .build();
        RequestBody body;
        if (webhook == null) {
            body = RequestBody.create(new byte[0], null);
        } else {
            ObjectNode root = MAPPER.createObjectNode();
            ObjectNode wh = root.putObject("webhook");
            wh.put("address", webhook.address());
            if (webhook.authId() != null) {
                wh.put("authId", webhook.authId());
            }
            if (webhook.expiration() != null) {
                wh.put("expiration", TIME_FORMAT.format(webhook.expiration()));
            }
            body = RequestBody.create(root.toString(), JSON);
        }
        try {
            String text = callForString(
                    ErrorClassifier.Call.START_SUBSCRIPTION,
                    type.wireName(),
                    () -> new Request.Builder().url(url).post(body));
            return parseSubscription(readJson(text));
        } catch (ApiException e) {
            if (e.errorCode()
                    .filter(ErrorClassifier.ALREADY_ENABLED::equalsIgnoreCase)
                    .isPresent()) {
                LOG.debug("Subscription {} is already enabled (AF20024); reading its state", type);
                return listSubscriptions().stream()
                        .filter(s -> type.wireName().equalsIgnoreCase(s.contentType()))
                        .findFirst()
                        .orElse(new Subscription(type.wireName(), "enabled", null));
            }
            throw e;
        }
    }

    @Override
    public void stopSubscription(ContentType type) {
        HttpUrl url = feed("subscriptions/stop")
                .addQueryParameter("contentType", type.wireName())
                .addQueryParameter(PUBLISHER_PARAM, publisherId)
                .build();
        callForString(
                ErrorClassifier.Call.STOP_SUBSCRIPTION,
                type.wireName(),
                () -> new Request.Builder().url(url).post(RequestBody.create(new byte[0], null)));
    }

    @Override
    public List<Subscription> listSubscriptions() {
        HttpUrl url = feed("subscriptions/list")
                .addQueryParameter(PUBLISHER_PARAM, publisherId)
                .build();
        JsonNode arr = readJson(callForString(
                ErrorClassifier.Call.LIST_SUBSCRIPTIONS,
                null,
                () -> new Request.Builder().url(url).get()));
        List<Subscription> out = new ArrayList<>();
        if (arr != null && arr.isArray()) {
            arr.forEach(n -> out.add(parseSubscription(n)));
        }
        return out;
    }

    @Override
    public ContentPage listContent(ContentType type, Instant start, Instant end) {
        HttpUrl url = window(feed("subscriptions/content"), type, start, end);
        return page(ErrorClassifier.Call.LIST_CONTENT, type.wireName(), url.toString(), this::parseBlobs)
                .map(p -> new ContentPage(p.items, p.next));
    }

    @Override
    public ContentPage listContentPage(String nextPageUri) {
        return page(ErrorClassifier.Call.NEXT_PAGE, null, nextPageUri, this::parseBlobs)
                .map(p -> new ContentPage(p.items, p.next));
    }

    @Override
    public List<Notification> listNotifications(ContentType type, Instant start, Instant end) {
        String url =
                window(feed("subscriptions/notifications"), type, start, end).toString();
        List<Notification> all = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int pages = 0;
        ErrorClassifier.Call call = ErrorClassifier.Call.LIST_NOTIFICATIONS;
        while (true) {
            Page<Notification> p = page(call, type.wireName(), url, this::parseNotifications);
            all.addAll(p.items);
            if (p.next.isEmpty()) {
                return all;
            }
            url = p.next.get();
            if (!seen.add(url) || ++pages >= MAX_PAGES) {
                throw new ApiException(
                        ErrorKind.TRANSIENT,
                        "Listing notifications for " + type + " [" + start + ", " + end
                                + ") loops: NextPageUri repeats or exceeds " + MAX_PAGES + " pages");
            }
            call = ErrorClassifier.Call.NEXT_PAGE;
        }
    }

    @Override
    public AuditRecordStream openBlob(ContentBlob blob) {
        Instant now = clock.instant();
        if (blob.isExpiredAt(now)) {
            throw new ApiException(
                    ErrorKind.SKIP_BLOB,
                    0,
                    null,
                    "Content blob " + blob.contentId() + " expired at " + blob.contentExpiration() + " (now " + now
                            + "); skip it",
                    null,
                    null,
                    null);
        }
        String url = withPublisher(checkedAbsolute(blob.contentUri()));
        String ct = blob.contentType();
        Response resp = send(
                ErrorClassifier.Call.FETCH_BLOB,
                ct,
                () -> new Request.Builder().url(url).get(),
                true);
        ResponseBody body = resp.body();
        return new JsonAuditRecordStream(body.byteStream(), resp, "Content blob " + blob.contentId(), recordMaxBytes);
    }

    @Override
    public List<SensitiveType> dlpSensitiveTypes(String language) {
        HttpUrl url = feed("resources/dlpSensitiveTypes")
                .addQueryParameter(PUBLISHER_PARAM, publisherId)
                .build();
        JsonNode arr = readJson(callForString(ErrorClassifier.Call.DLP_SENSITIVE_TYPES, null, () -> {
            Request.Builder b = new Request.Builder().url(url).get();
            if (language != null && !language.isBlank()) {
                b.header("Accept-Language", language.trim());
            }
            return b;
        }));
        List<SensitiveType> out = new ArrayList<>();
        if (arr != null && arr.isArray()) {
            arr.forEach(n -> out.add(new SensitiveType(text(n, "id"), text(n, "name"))));
        }
        return out;
    }

    @Override
    public void close() {
        if (!ownsResources) {
            return;
        }
        try {
            tokens.close();
        } catch (Exception e) {
            LOG.debug("Closing the token provider failed", e);
        }
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    // ------------------------------------------------------------------ URLs

    private HttpUrl.Builder feed(String path) {
        HttpUrl.Builder b = apiBase.newBuilder();
        b.addPathSegments("api/v1.0")
                .addPathSegment(tenantId)
                .addPathSegments("activity/feed")
                .addPathSegments(path);
        return b;
    }

    private HttpUrl window(HttpUrl.Builder b, ContentType type, Instant start, Instant end) {
        b.addQueryParameter("contentType", type.wireName());
        if (start != null || end != null) {
            Objects.requireNonNull(start, "start (both or neither)");
            Objects.requireNonNull(end, "end (both or neither)");
            b.addQueryParameter("startTime", formatTime(start)).addQueryParameter("endTime", formatTime(end));
        }
        return b.addQueryParameter(PUBLISHER_PARAM, publisherId).build();
    }

    /** Formats an instant as sent to the service. */
    public static String formatTime(Instant t) {
        return TIME_FORMAT.format(t);
    }

    /**
     * Adds {@code PublisherIdentifier} to a service-given URI unless it already has it (any spelling); the URI is
     * otherwise left exactly as given.
     */
    String withPublisher(String uri) {
        int q = uri.indexOf('?');
        if (q >= 0) {
            int hash = uri.indexOf('#', q);
            String query = uri.substring(q + 1, hash < 0 ? uri.length() : hash);
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                if (name.equalsIgnoreCase(PUBLISHER_PARAM)) {
                    return uri;
                }
            }
        }
        String param = PUBLISHER_PARAM + "=" + URLEncoder.encode(publisherId, StandardCharsets.UTF_8);
        if (q < 0) {
            return uri + "?" + param;
        }
        return uri + (uri.endsWith("?") || uri.endsWith("&") ? "" : "&") + param;
    }

    /**
     * Refuses to send the bearer token to a host other than the API's (or a Microsoft cloud API host); with an API
     * override, rewrites a Microsoft cloud API URL to the override (see {@link #rewritingCloudUrls}).
     */
    String checkedAbsolute(String uri) {
        HttpUrl parsed = HttpUrl.parse(uri);
        if (parsed == null) {
            throw new ApiException(ErrorKind.PERMANENT, "The service returned an invalid URL: " + uri);
        }
        boolean sameOrigin = parsed.scheme().equals(apiBase.scheme())
                && parsed.host().equalsIgnoreCase(apiBase.host())
                && parsed.port() == apiBase.port();
        if (sameOrigin) {
            return uri;
        }
        boolean knownCloud = parsed.isHttps() && isCloudApiHost(parsed.host());
        if (knownCloud && rewriteCloudUrls) {
            int scheme = uri.indexOf("://");
            int path = uri.indexOf('/', scheme + 3);
            int query = uri.indexOf('?', scheme + 3);
            int cut = path < 0 ? query : (query < 0 ? path : Math.min(path, query));
            String rest = cut < 0 ? "" : uri.substring(cut);
            return apiBaseText + (rest.startsWith("?") ? "/" + rest : rest);
        }
        if (!knownCloud) {
            throw new ApiException(
                    ErrorKind.PERMANENT,
                    "The service returned a URL on another host (" + parsed.host()
                            + ") than the API base (" + apiBase.host()
                            + "); refusing to send credentials there. Check the "
                            + "API base URL override.");
        }
        return uri;
    }

    private static boolean isCloudApiHost(String host) {
        for (io.github.auditlake.o365.api.Cloud c : io.github.auditlake.o365.api.Cloud.values()) {
            if (URI.create(c.apiBaseUrl()).getHost().equalsIgnoreCase(host)) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ paging

    private record Page<T>(List<T> items, Optional<String> next) {
        <R> R map(java.util.function.Function<Page<T>, R> f) {
            return f.apply(this);
        }
    }

    private interface Parser<T> {
        List<T> parse(JsonNode arr);
    }

    private <T> Page<T> page(ErrorClassifier.Call call, String contentType, String uri, Parser<T> parser) {
        String url = call == ErrorClassifier.Call.NEXT_PAGE ? withPublisher(checkedAbsolute(uri)) : uri;
        Response resp =
                send(call, contentType, () -> new Request.Builder().url(url).get(), false);
        try (resp) {
            String next = nextPage(resp);
            String body = BodyLimits.readString(resp.body(), BodyLimits.RESPONSE_MAX_BYTES, "listing page");
            traceBody(call, body);
            JsonNode arr = readJson(body);
            if (arr == null || !arr.isArray()) {
                throw new ApiException(
                        ErrorKind.TRANSIENT,
                        resp.code(),
                        null,
                        ErrorClassifier.describe(call, contentType) + ": expected a JSON array in the response",
                        null,
                        serverDate(resp),
                        null);
            }
            return new Page<>(parser.parse(arr), Optional.ofNullable(next));
        } catch (IOException e) {
            throw ErrorClassifier.ioFailure(call, contentType, e);
        }
    }

    /** {@code NextPageUri} (any case), or {@code NextPageUrl}; blank values count as absent. */
    static String nextPage(Response resp) {
        for (String name : List.of("NextPageUri", "NextPageUrl")) {
            String v = resp.header(name);
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }

    private List<ContentBlob> parseBlobs(JsonNode arr) {
        List<ContentBlob> out = new ArrayList<>(arr.size());
        for (JsonNode n : arr) {
            out.add(parseBlob(n));
        }
        return out;
    }

    private List<Notification> parseNotifications(JsonNode arr) {
        List<Notification> out = new ArrayList<>(arr.size());
        for (JsonNode n : arr) {
            out.add(new Notification(
                    parseBlob(n), parseInstant(text(n, "notificationSent")), text(n, "notificationStatus")));
        }
        return out;
    }

    private ContentBlob parseBlob(JsonNode n) {
        String id = text(n, "contentId");
        String uri = text(n, "contentUri");
        Instant created = parseInstant(text(n, "contentCreated"));
        if (id == null || uri == null || created == null) {
            throw new ApiException(
                    ErrorKind.TRANSIENT,
                    "A content listing entry lacks contentId, contentUri or " + "contentCreated: "
                            + abbreviate(n.toString()));
        }
        return new ContentBlob(text(n, "contentType"), id, uri, created, parseInstant(text(n, "contentExpiration")));
    }

    private static Subscription parseSubscription(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new ApiException(ErrorKind.TRANSIENT, "Expected a subscription object in the response");
        }
        JsonNode wh = n.get("webhook");
        Subscription.Webhook webhook = wh == null || !wh.isObject()
                ? null
                : new Subscription.Webhook(
                        text(wh, "address"), text(wh, "authId"), text(wh, "expiration"), text(wh, "status"));
        return new Subscription(text(n, "contentType"), text(n, "status"), webhook);
    }

    /**
     * Parses the service's datetimes leniently: {@code Z} or offset, any fraction, or no zone at all (then UTC).
     */
    public static Instant parseInstant(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        String t = s.trim();
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static JsonNode readJson(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            throw new ApiException(
                    ErrorKind.TRANSIENT,
                    "The response is not valid JSON (" + e.getClass().getSimpleName() + ")",
                    e);
        }
    }

    // ------------------------------------------------------------------ the call loop

    private interface RequestFactory {
        Request.Builder create();
    }

    private String callForString(ErrorClassifier.Call call, String contentType, RequestFactory factory) {
        try (Response resp = send(call, contentType, factory, false)) {
            String body = BodyLimits.readString(resp.body(), BodyLimits.RESPONSE_MAX_BYTES, "JSON");
            traceBody(call, body);
            return body;
        } catch (IOException e) {
            throw ErrorClassifier.ioFailure(call, contentType, e);
        }
    }

    /**
     * Sends with limiter, token, one refresh on 401 and bounded retries; returns an open successful response
     * (caller closes) or throws the classified {@link ApiException}.
     */
    private Response send(ErrorClassifier.Call call, String contentType, RequestFactory factory, boolean streaming) {
        Instant started = clock.instant();
        int attempt = 0;
        boolean refreshed = false;
        OkHttpClient client = streaming ? streamingHttp : http;
        while (true) {
            attempt++;
            ApiException failure;
            try {
                limiter.acquire();
                AccessToken token = tokens.token();
                Request request = factory.create()
                        .header("Authorization", "Bearer " + token.value())
                        .header("User-Agent", userAgent)
                        .header("Accept", "application/json")
                        .build();
                if (LOG.isDebugEnabled()) {
                    LOG.debug(
                            "{} {}{} (attempt {})",
                            request.method(),
                            request.url().encodedPath(),
                            request.url().encodedQuery() == null
                                    ? ""
                                    : "?" + request.url().encodedQuery(),
                            attempt);
                }
                Response resp = client.newCall(request).execute();
                if (resp.isSuccessful()) {
                    // only a successful answer teaches the service's time: an error (a rejected window, a proxy's
                    // or a load balancer's page) may carry any Date
                    if (serviceClock != null) {
                        serviceClock.observe(serverDate(resp));
                    }
                    return resp;
                }
                String body;
                try (resp) {
                    body = boundedBody(resp);
                }
                LOG.trace("{} HTTP {} body: {}", call, resp.code(), body);
                if (resp.code() == 401 && !refreshed) {
                    refreshed = true;
                    attempt--;
                    LOG.debug("{}: HTTP 401, refreshing the access token once", call);
                    tokens.invalidate(token);
                    continue;
                }
                failure = ErrorClassifier.classify(
                        call, contentType, resp.code(), body, retryAfter(resp), serverDate(resp));
            } catch (IOException e) {
                failure = ErrorClassifier.ioFailure(call, contentType, e);
            } catch (ApiException e) {
                failure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(
                        ErrorKind.TRANSIENT, ErrorClassifier.describe(call, contentType) + " was interrupted", e);
            }
            if (!failure.isTransient()) {
                throw failure;
            }
            Duration elapsed = Duration.between(started, clock.instant());
            Optional<Duration> delay =
                    retry.nextDelay(attempt, elapsed, failure.retryAfter().orElse(null), random);
            if (delay.isEmpty()) {
                LOG.warn("{} (giving up after {} attempts in {})", failure.getMessage(), attempt, elapsed);
                throw failure;
            }
            LOG.info(
                    "{} (attempt {}; retrying in {} ms)",
                    failure.getMessage(),
                    attempt,
                    delay.get().toMillis());
            try {
                sleeper.sleep(delay.get(), failure.getMessage() + " (attempt " + attempt + ")");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(
                        ErrorKind.TRANSIENT,
                        ErrorClassifier.describe(call, contentType) + " was interrupted while backing off",
                        e);
            }
        }
    }

    private static String boundedBody(Response resp) throws IOException {
        return BodyLimits.readPrefix(resp.body(), BodyLimits.ERROR_MAX_BYTES);
    }

    private Duration retryAfter(Response resp) {
        return RetryAfter.parse(resp.header("Retry-After"), resp.header("Date"), clock.instant());
    }

    private static Instant serverDate(Response resp) {
        return RetryAfter.httpDate(resp.header("Date"));
    }

    private static void traceBody(ErrorClassifier.Call call, String body) {
        if (LOG.isTraceEnabled()) {
            LOG.trace("{} response body: {}", call, body);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
