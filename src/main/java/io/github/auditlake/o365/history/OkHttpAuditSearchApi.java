package io.github.auditlake.o365.history;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.GraphCall;
import io.github.auditlake.o365.api.RetryPolicy;
import io.github.auditlake.o365.api.Sleeper;
import io.github.auditlake.o365.api.TokenProvider;
import io.github.auditlake.o365.api.Version;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link AuditSearchApi} over OkHttp and Jackson: {@code /v1.0/security/auditLog/queries} (or the beta path
 * {@code /beta/security/auditLog/auditLogQueries}, see {@link Path}). Transient failures (429 with its
 * {@code Retry-After}, 5xx, 408, IO) are retried within the {@link RetryPolicy}, waiting through the injected
 * {@link Sleeper}; a 401 is retried once with a fresh token; a 403 is a PERMANENT error naming the permission to
 * grant. The bearer token goes only to the Graph base's origin. Never logs a token or a record above TRACE.
 */
public final class OkHttpAuditSearchApi implements AuditSearchApi {
    private static final Logger LOG = LoggerFactory.getLogger(OkHttpAuditSearchApi.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory JSON = MAPPER.getFactory();
    private static final MediaType JSON_TYPE = MediaType.get("application/json; charset=utf-8");
    /** The real Graph host of the global cloud: nextLinks naming it are sent to an overridden base instead. */
    public static final String GRAPH_HOST = "graph.microsoft.com";
    /** Records per page asked for (Graph's maximum for this resource). */
    static final int PAGE_SIZE = 1000;
    /** The most bytes of one answer: a page of 1000 records of up to 64 KB each (records are rarely above 10 KB). */
    static final int PAGE_MAX_BYTES = 64 * 1024 * 1024;

    /** Where the queries live: v1.0, or the beta path the API used before (and once again, in 2025). */
    public enum Path {
        V1("v1.0/security/auditLog/queries"),
        BETA("beta/security/auditLog/auditLogQueries");

        final String segments;

        Path(String segments) {
            this.segments = segments;
        }
    }

    private final OkHttpClient http;
    private final TokenProvider tokens;
    private final HttpUrl base;
    private volatile Path path;
    private final RetryPolicy retry;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Random random;
    private final String userAgent;
    private final boolean ownsResources;

    /**
     * @param http          the shared client (proxy, timeouts, TLS)
     * @param tokens        tokens for Graph ({@code https://graph.microsoft.com/.default})
     * @param graphBaseUrl  {@code https://graph.microsoft.com}, or an override (simulator, reverse proxy)
     * @param ownsResources whether {@link #close()} closes the token provider and the client's pools
     */
    public OkHttpAuditSearchApi(
            OkHttpClient http,
            TokenProvider tokens,
            String graphBaseUrl,
            Path path,
            RetryPolicy retry,
            Clock clock,
            Sleeper sleeper,
            Random random,
            String userAgent,
            boolean ownsResources) {
        this.http = Objects.requireNonNull(http, "http");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        HttpUrl b = HttpUrl.parse(Objects.requireNonNull(graphBaseUrl, "graphBaseUrl"));
        if (b == null) {
            throw new IllegalArgumentException("not a URL: " + graphBaseUrl);
        }
        this.base = b;
        this.path = Objects.requireNonNull(path, "path");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.random = Objects.requireNonNull(random, "random");
        this.userAgent = userAgent == null ? Version.userAgent() : userAgent;
        this.ownsResources = ownsResources;
    }

    private HttpUrl.Builder queries() {
        return base.newBuilder().addPathSegments(path.segments);
    }

    @Override
    public AuditQuery submit(TimeRange range, String displayName) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("displayName", displayName);
        body.put("filterStartDateTime", range.from().toString());
        body.put("filterEndDateTime", range.to().toString());
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        byte[] answer;
        try {
            answer = post(bytes, range);
        } catch (ApiException e) {
            if (path != Path.V1 || e.httpStatus() != 404) {
                throw e;
            }
            // the resource is not at v1.0: the API went back to beta once (2025); its beta path serves the same
            // queries, and from then on they are submitted and read there
            LOG.warn(
                    "Audit search answered 404 at {}; using the beta path {} from now on",
                    Path.V1.segments,
                    Path.BETA.segments);
            path = Path.BETA;
            answer = post(bytes, range);
        }
        return parseQuery(answer, range);
    }

    /** Submits a query's body at the current {@link #path}. */
    private byte[] post(byte[] body, TimeRange range) {
        HttpUrl url = queries().build();
        return call(
                "submitting an audit search over " + range,
                () -> new Request.Builder().url(url).post(RequestBody.create(body, JSON_TYPE)));
    }

    /** Where queries are submitted now ({@link Path#V1}, or {@link Path#BETA} after v1.0 answered 404). */
    Path path() {
        return path;
    }

    @Override
    public AuditQuery query(String id, TimeRange range) {
        HttpUrl url = queries().addPathSegment(id).build();
        byte[] answer = call(
                "reading the state of audit search " + id,
                () -> new Request.Builder().url(url).get());
        return parseQuery(answer, range);
    }

    @Override
    public RecordPage records(String id) {
        HttpUrl url = queries()
                .addPathSegment(id)
                .addPathSegment("records")
                .addQueryParameter("$top", Integer.toString(PAGE_SIZE))
                .build();
        return parsePage(call(
                "reading the records of audit search " + id,
                () -> new Request.Builder().url(url).get()));
    }

    @Override
    public RecordPage page(String nextLink) {
        HttpUrl url = sameOrigin(nextLink);
        return parsePage(call(
                "reading a page of audit-search records",
                () -> new Request.Builder().url(url).get()));
    }

    @Override
    public void close() {
        if (!ownsResources) {
            return;
        }
        try {
            tokens.close();
        } catch (Exception e) {
            LOG.debug("Closing the Graph token provider failed", e);
        }
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    /**
     * The nextLink as a URL of the Graph base's origin: a link to the real Graph host is rewritten to an overridden
     * base (simulator, reverse proxy); a link to any other origin is refused (the token never leaves Graph).
     */
    HttpUrl sameOrigin(String link) {
        HttpUrl u = HttpUrl.parse(link);
        if (u == null && link != null && !link.isBlank()) {
            u = base.resolve(link.trim()); // a relative link (Graph sends absolute ones; another service may not)
        }
        if (u == null) {
            throw new ApiException(ErrorKind.PERMANENT, "Audit search returned an invalid @odata.nextLink");
        }
        if (u.scheme().equals(base.scheme()) && u.host().equalsIgnoreCase(base.host()) && u.port() == base.port()) {
            return u;
        }
        if (u.isHttps() && u.host().equalsIgnoreCase(GRAPH_HOST)) {
            return u.newBuilder()
                    .scheme(base.scheme())
                    .host(base.host())
                    .port(base.port())
                    .build();
        }
        throw new ApiException(
                ErrorKind.PERMANENT,
                "Audit search returned an @odata.nextLink to another host (" + u.host() + "); refusing to send the"
                        + " token there");
    }

    // ------------------------------------------------------------------ HTTP with retries

    private byte[] call(String what, Supplier<Request.Builder> request) {
        Instant start = clock.instant();
        int attempt = 0;
        while (true) {
            attempt++;
            ApiException failure;
            try {
                GraphCall.Answer a = GraphCall.execute(http, tokens, userAgent, request, PAGE_MAX_BYTES, what);
                if (a.ok()) {
                    return a.body();
                }
                failure = classify(what, a.status(), a.errorBody(), a.retryAfter());
            } catch (IOException e) {
                failure = new ApiException(ErrorKind.TRANSIENT, what + " failed: " + e, e);
            }
            if (!failure.isTransient()) {
                throw failure;
            }
            Duration elapsed = Duration.between(start, clock.instant());
            Optional<Duration> wait =
                    retry.nextDelay(attempt, elapsed, failure.retryAfter().orElse(null), random);
            if (wait.isEmpty()) {
                throw failure;
            }
            LOG.debug("{} (attempt {}): {}; retrying in {}", what, attempt, failure.getMessage(), wait.get());
            try {
                sleeper.sleep(wait.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(ErrorKind.TRANSIENT, what + " was interrupted while backing off", e);
            }
        }
    }

    /** Graph's answer as an error: what it means for the caller, with Graph's own code and message. */
    static ApiException classify(String what, int status, String body, Duration retryAfter) {
        String code = null;
        String message = null;
        try {
            JsonNode e = MAPPER.readTree(body).path("error");
            code = e.path("code").asText(null);
            message = e.path("message").asText(null);
        } catch (IOException | RuntimeException ignored) {
            // not JSON: keep the status only
        }
        String said =
                " (HTTP " + status + (code == null ? "" : " " + code) + (message == null ? "" : ": " + message) + ")";
        if (status == 429 || status == 408 || status >= 500) {
            return new ApiException(
                    ErrorKind.TRANSIENT, status, code, what + " was refused for now" + said, retryAfter, null, null);
        }
        if (status == 403) {
            return new ApiException(
                    ErrorKind.PERMANENT,
                    status,
                    code,
                    "Audit search is not permitted: grant the application the Microsoft Graph application permission"
                            + " AuditLogsQuery.Read.All (or the AuditLogsQuery-<service>.Read.All ones) with admin"
                            + " consent" + said,
                    null,
                    null,
                    null);
        }
        if (status == 401) {
            return new ApiException(
                    ErrorKind.AUTHENTICATION,
                    status,
                    code,
                    what + ": Microsoft Graph refused the token even after a refresh" + said,
                    null,
                    null,
                    null);
        }
        return new ApiException(ErrorKind.PERMANENT, status, code, what + " failed" + said, null, null, null);
    }

    // ------------------------------------------------------------------ parsing

    static AuditQuery parseQuery(byte[] body, TimeRange asked) {
        JsonNode n;
        try {
            n = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new ApiException(ErrorKind.TRANSIENT, "Audit search answered with invalid JSON", e);
        }
        String id = n.path("id").asText(null);
        if (id == null || id.isBlank()) {
            throw new ApiException(ErrorKind.PERMANENT, "Audit search answered a query without an id");
        }
        TimeRange range = asked;
        try {
            if (n.hasNonNull("filterStartDateTime") && n.hasNonNull("filterEndDateTime")) {
                range = new TimeRange(
                        Instant.parse(n.get("filterStartDateTime").asText()),
                        Instant.parse(n.get("filterEndDateTime").asText()));
            }
        } catch (RuntimeException e) {
            range = asked;
        }
        return new AuditQuery(
                id,
                range,
                QueryStatus.fromWire(n.path("status").asText(null)),
                optionalLong(n.get("approximateReturnedRecordCount")),
                optionalLong(n.get("recordCountLimit")),
                n.path("isRecordCountLimitExceeded").asBoolean(false));
    }

    private static OptionalLong optionalLong(JsonNode n) {
        return n == null || !n.canConvertToLong() ? OptionalLong.empty() : OptionalLong.of(n.asLong());
    }

    /**
     * A page of records, streamed: each record's {@code auditData} is kept as the exact bytes Graph sent (an object),
     * or the string's content when Graph sent it as a JSON string.
     */
    static RecordPage parsePage(byte[] body) {
        List<HistoryRecord> out = new ArrayList<>();
        String next = null;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ApiException(ErrorKind.TRANSIENT, "Audit search answered a page that is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("value") && t == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        out.add(parseRecord(p, body));
                    }
                } else if (field.equals("@odata.nextLink") && t == JsonToken.VALUE_STRING) {
                    next = p.getText();
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new ApiException(ErrorKind.TRANSIENT, "Audit search answered a page that is not valid JSON", e);
        }
        return new RecordPage(out, Optional.ofNullable(next));
    }

    private static HistoryRecord parseRecord(JsonParser p, byte[] body) throws IOException {
        int recordStart = (int) p.currentTokenLocation().getByteOffset();
        String id = null;
        String created = null;
        String json = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if (field.equals("id") && t == JsonToken.VALUE_STRING) {
                id = p.getText();
            } else if (field.equals("createdDateTime") && t == JsonToken.VALUE_STRING) {
                created = p.getText();
            } else if (field.equals("auditData") && t == JsonToken.START_OBJECT) {
                int start = (int) p.currentTokenLocation().getByteOffset();
                p.skipChildren();
                int end = (int) p.currentLocation().getByteOffset();
                json = new String(body, start, end - start, StandardCharsets.UTF_8);
            } else if (field.equals("auditData") && t == JsonToken.VALUE_STRING) {
                json = p.getText();
            } else {
                p.skipChildren();
            }
        }
        if (json == null) {
            String raw = new String(
                    body, recordStart, (int) p.currentLocation().getByteOffset() - recordStart, StandardCharsets.UTF_8);
            return HistoryRecord.unreadable(
                    id, parseTime(created), raw, "audit search returned a record without auditData");
        }
        try {
            return fromAuditData(id, created, json);
        } catch (ApiException | IOException e) {
            // one element the service got wrong (auditData not JSON, no Id, no creation time) is skipped and
            // published, not a reason to stop reading the range, nor a page to ask again for ever
            return HistoryRecord.unreadable(
                    id,
                    parseTime(created),
                    json,
                    "audit search returned a record whose auditData cannot be read ("
                            + (e instanceof ApiException ? e.getMessage() : "not valid JSON") + ")");
        }
    }

    /** Reads Id, CreationTime, RecordType and Workload from the record's own JSON (top-level fields only). */
    static HistoryRecord fromAuditData(String graphId, String graphCreated, String json) throws IOException {
        String id = null;
        String creation = null;
        int recordType = -1;
        String workload = null;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ApiException(ErrorKind.PERMANENT, "Audit search returned auditData that is not an object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("Id") && t == JsonToken.VALUE_STRING) {
                    id = p.getText();
                } else if (field.equals("CreationTime") && t == JsonToken.VALUE_STRING) {
                    creation = p.getText();
                } else if (field.equals("RecordType") && t == JsonToken.VALUE_NUMBER_INT) {
                    recordType = p.getIntValue();
                } else if (field.equals("Workload") && t == JsonToken.VALUE_STRING) {
                    workload = p.getText();
                } else {
                    p.skipChildren();
                }
            }
        }
        String recordId = id != null ? id : graphId;
        if (recordId == null) {
            throw new ApiException(ErrorKind.PERMANENT, "Audit search returned a record without an Id");
        }
        Instant t = parseTime(creation);
        if (t == null) {
            t = parseTime(graphCreated);
        }
        if (t == null) {
            throw new ApiException(
                    ErrorKind.PERMANENT, "Audit search returned record " + recordId + " without a creation time");
        }
        return new HistoryRecord(
                recordId, t, json, recordType, workload, ContentTypeTable.contentType(recordType, workload));
    }

    /** A Management API time (no zone: UTC, any fraction) or an ISO instant; null if unreadable. */
    static Instant parseTime(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        String v = s.trim();
        try {
            if (v.endsWith("Z") || v.endsWith("z")) {
                return Instant.parse(v.toUpperCase(java.util.Locale.ROOT));
            }
            return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(v).toInstant();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}
