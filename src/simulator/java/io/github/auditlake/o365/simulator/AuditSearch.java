package io.github.auditlake.o365.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.auditlake.o365.api.ContentType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The simulator's Microsoft Graph audit search (Purview Audit Search API): {@code POST /v1.0/security/auditLog/queries},
 * {@code GET .../queries/{id}} and {@code GET .../queries/{id}/records} paged with {@code @odata.nextLink} (the beta
 * path {@code /beta/security/auditLog/auditLogQueries} is served alike). Its records are the very records the
 * Management API endpoints serve for the same tenant: same {@code Id}, and {@code auditData} holds the Management
 * API's JSON text byte for byte; a record lies in a query's range by its {@code CreationTime}, and each Id appears once
 * (records a blob repeats from its predecessor are one record here).
 *
 * <p>Queries take time, by the simulator's clock: {@code notStarted} for {@link #queueDelay}, then {@code running} for
 * {@link #runTime} plus {@link #runTimePerDay} per day of range, then {@code succeeded}. A query matching more than
 * {@link #recordLimit} records succeeds with the first {@code recordLimit} (by time) and
 * {@code isRecordCountLimitExceeded = true}. Failed and cancelled queries, 429 with {@code Retry-After} (the daily
 * submission budget, the number of queries queued or running, or injected), and the 403 of an app without
 * {@code AuditLogsQuery.Read.All} are served as Graph does. Thread-safe.
 *
 * <pre>{@code
 * sim.auditSearch().recordLimit(500).failNext(1).throttleNext(2, Duration.ofSeconds(3));
 * }</pre>
 */
public final class AuditSearch {

    /** The Graph resource (token audience) of the global cloud. */
    public static final String GRAPH_RESOURCE = "https://graph.microsoft.com";
    /** The application permission audit search requires. */
    public static final String ROLE = "AuditLogsQuery.Read.All";

    private static final Pattern PATH =
            Pattern.compile("/(v1\\.0|beta)/security/auditLog/(?:queries|auditLogQueries)(?:/([^/]+)(/records)?)?/?");
    private static final long HOUR_MS = 3_600_000L;
    /** A record is up to 25 minutes (plus 5 s) older than its blob: the generator's spread. */
    private static final Duration RECORD_LAG = Duration.ofSeconds(1506);

    /** What the simulator answers: status, headers, JSON body. */
    record Answer(int status, Map<String, String> headers, byte[] body) {}

    /** A submitted query and its fate. */
    public static final class Query {
        final String id;
        final String tenant;
        final String displayName;
        final Instant from;
        final Instant to;
        final Instant created;
        final Instant runningAt;
        final Instant doneAt;
        final String fate;
        final String apiVersion;
        volatile List<String[]> records;
        volatile boolean limitExceeded;

        Query(
                String id,
                String tenant,
                String displayName,
                Instant from,
                Instant to,
                Instant created,
                Instant runningAt,
                Instant doneAt,
                String fate,
                String apiVersion) {
            this.id = id;
            this.tenant = tenant;
            this.displayName = displayName;
            this.from = from;
            this.to = to;
            this.created = created;
            this.runningAt = runningAt;
            this.doneAt = doneAt;
            this.fate = fate;
            this.apiVersion = apiVersion;
        }

        public String id() {
            return id;
        }

        public Instant from() {
            return from;
        }

        public Instant to() {
            return to;
        }

        /** When it was submitted, by the simulator's clock. */
        public Instant created() {
            return created;
        }

        /** The status at {@code now}: notStarted, running, or its final state. */
        public String status(Instant now) {
            if (now.isBefore(runningAt)) {
                return "notStarted";
            }
            if (now.isBefore(doneAt)) {
                return "running";
            }
            return fate;
        }
    }

    private final Clock clock;
    private final Function<String, ContentStore> stores;
    private final Map<String, Query> queries = new ConcurrentHashMap<>();
    private final List<Query> submitted = new ArrayList<>();
    private final AtomicInteger failNext = new AtomicInteger();
    private final AtomicInteger cancelNext = new AtomicInteger();
    private final AtomicInteger throttleNext = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Duration throttleRetryAfter = Duration.ofSeconds(10);
    private volatile Duration queueDelay = Duration.ofSeconds(20);
    private volatile Duration runTime = Duration.ofMinutes(1);
    private volatile Duration runTimePerDay = Duration.ofSeconds(30);
    private volatile int recordLimit = 1_000_000;
    private volatile int pageSize = 1000;
    private volatile int dailyQueries = 200;
    private volatile int concurrentQueries = 50;
    private volatile Duration retention = Duration.ofDays(180);
    private final AtomicInteger throttleRecordsNext = new AtomicInteger();
    private volatile Duration throttleRecordsRetryAfter = Duration.ofSeconds(10);
    private volatile boolean limitFlag = true;
    private volatile boolean v1Withdrawn;
    private final AtomicInteger stallNext = new AtomicInteger();
    private final Set<String> unreadable = ConcurrentHashMap.newKeySet();
    private final AtomicInteger loseNext = new AtomicInteger();

    AuditSearch(Clock clock, Function<String, ContentStore> stores) {
        this.clock = clock;
        this.stores = stores;
    }

    // ------------------------------------------------------------------ test controls

    /** How long a query stays {@code notStarted} (default 20 s). */
    public AuditSearch queueDelay(Duration d) {
        this.queueDelay = d;
        return this;
    }

    /** How long a query runs: {@code base} plus {@code perDay} for each day of its range (default 1 min + 30 s). */
    public AuditSearch runTime(Duration base, Duration perDay) {
        this.runTime = base;
        this.runTimePerDay = perDay;
        return this;
    }

    /** The most records one query returns (default 1,000,000); more sets {@code isRecordCountLimitExceeded}. */
    public AuditSearch recordLimit(int limit) {
        this.recordLimit = limit;
        return this;
    }

    /** Records per page of {@code /records} when the client asks no {@code $top} (default 1000). */
    public AuditSearch pageSize(int size) {
        this.pageSize = size;
        return this;
    }

    /** Query submissions per tenant per 24 h before 429 (default 200). */
    public AuditSearch dailyQueries(int n) {
        this.dailyQueries = n;
        return this;
    }

    /** Queries queued or running per tenant before 429 (default 50). */
    public AuditSearch concurrentQueries(int n) {
        this.concurrentQueries = n;
        return this;
    }

    /** How far back the tenant's audit log reaches (default 180 days, standard retention). */
    public AuditSearch retention(Duration d) {
        this.retention = d;
        return this;
    }

    /** The next {@code n} queries submitted end {@code failed}. */
    public AuditSearch failNext(int n) {
        failNext.addAndGet(n);
        return this;
    }

    /** The next {@code n} queries submitted end {@code cancelled}. */
    public AuditSearch cancelNext(int n) {
        cancelNext.addAndGet(n);
        return this;
    }

    /** The next {@code n} audit-search requests (any of them) are answered 429 with {@code Retry-After}. */
    public AuditSearch throttleNext(int n, Duration retryAfter) {
        this.throttleRetryAfter = retryAfter;
        throttleNext.addAndGet(n);
        return this;
    }

    /**
     * The next {@code n} requests for a page of records (not submissions or state reads) are answered 429 with
     * {@code Retry-After}: a long throttling while a result is read.
     */
    public AuditSearch throttleRecordsNext(int n, Duration retryAfter) {
        this.throttleRecordsRetryAfter = retryAfter;
        throttleRecordsNext.addAndGet(n);
        return this;
    }

    /**
     * Whether a query's state carries {@code isRecordCountLimitExceeded} (default true). Off: as the beta resource and
     * v1.0 before 2026 answered, only {@code recordCountLimit} and {@code approximateReturnedRecordCount}, so a
     * truncated result shows only as a count at the limit.
     */
    public AuditSearch limitFlag(boolean on) {
        this.limitFlag = on;
        return this;
    }

    /** The v1.0 path answers 404, only the beta path serves queries (as in 2025, message MC1052169). */
    public AuditSearch v1Withdrawn(boolean withdrawn) {
        this.v1Withdrawn = withdrawn;
        return this;
    }

    /** The next {@code n} queries submitted stay {@code running} for ever (a stalled service). */
    public AuditSearch stallNext(int n) {
        stallNext.addAndGet(n);
        return this;
    }

    /** The next {@code n} queries submitted are forgotten at once: reading them answers 404 (expired, lost). */
    public AuditSearch loseNext(int n) {
        loseNext.addAndGet(n);
        return this;
    }

    /** The records with these Ids are served with {@code "auditData": null} (a service's bad element). */
    public AuditSearch unreadable(java.util.Collection<String> ids) {
        unreadable.addAll(ids);
        return this;
    }

    /** Every query submitted so far, in order (rejected submissions are not queries). */
    public List<Query> queries() {
        synchronized (submitted) {
            return List.copyOf(submitted);
        }
    }

    /** Audit-search requests answered so far (429s included). */
    public int requestCount() {
        return requests.get();
    }

    /** The Ids audit search holds for {@code tenant} with {@code from <= CreationTime < to}, oldest first. */
    public List<String> recordIds(String tenant, Instant from, Instant to) {
        List<String> ids = new ArrayList<>();
        for (String[] r : collect(tenant.toLowerCase(Locale.ROOT), from, to)) {
            ids.add(r[0]);
        }
        return ids;
    }

    // ------------------------------------------------------------------ HTTP

    static boolean matches(String path) {
        return PATH.matcher(path).matches();
    }

    /**
     * Answers one audit-search request. {@code claims} are the verified claims of a bearer token for
     * {@link #GRAPH_RESOURCE} (null: no or an invalid token).
     */
    Answer handle(String method, String path, Map<String, String> query, byte[] body, JsonNode claims, String base)
            throws IOException {
        requests.incrementAndGet();
        Matcher m = PATH.matcher(path);
        if (!m.matches() || (v1Withdrawn && m.group(1).equals("v1.0"))) {
            return error(404, "UnknownError", "Resource not found for the segment.", Map.of());
        }
        if (claims == null) {
            return error(
                    401,
                    "InvalidAuthenticationToken",
                    "Access token validation failure. Invalid audience.",
                    Map.of(
                            "WWW-Authenticate",
                            "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/"
                                    + "common/oauth2/authorize\""));
        }
        Set<String> roles = new HashSet<>();
        claims.path("roles").forEach(n -> roles.add(n.asText()));
        if (!roles.contains(ROLE)) {
            return error(
                    403,
                    "Forbidden",
                    "Insufficient privileges to complete the operation: the application needs the"
                            + " AuditLogsQuery.Read.All permission.",
                    Map.of());
        }
        if (throttleNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return throttled(throttleRetryAfter);
        }
        String tenant = claims.path("tid").asText().toLowerCase(Locale.ROOT);
        if (stores.apply(tenant) == null) {
            return error(403, "Forbidden", "The tenant is not known.", Map.of());
        }
        String version = m.group(1);
        String id = m.group(2);
        String root =
                base + "/" + version + "/security/auditLog/" + (version.equals("beta") ? "auditLogQueries" : "queries");
        if (id == null) {
            if (!method.equals("POST")) {
                return error(405, "BadRequest", "The list of queries is not served by the simulator.", Map.of());
            }
            return create(tenant, body, version, root);
        }
        if (!method.equals("GET")) {
            return error(
                    405,
                    "BadRequest",
                    "The requested resource does not support http method '" + method + "'.",
                    Map.of());
        }
        Query q = queries.get(id);
        if (q == null || !q.tenant.equals(tenant)) {
            return error(404, "NotFound", "The audit log query " + id + " does not exist.", Map.of());
        }
        if (m.group(3) == null) {
            return json(200, state(q, root));
        }
        if (throttleRecordsNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return throttled(throttleRecordsRetryAfter);
        }
        return records(q, query, root);
    }

    private Answer create(String tenant, byte[] body, String version, String root) throws IOException {
        JsonNode req;
        try {
            req = Jwts.JSON.readTree(body);
        } catch (IOException e) {
            return error(400, "BadRequest", "Unable to read JSON request payload.", Map.of());
        }
        if (req == null || !req.isObject()) {
            return error(400, "BadRequest", "Empty Payload. JSON content expected.", Map.of());
        }
        Instant from;
        Instant to;
        try {
            from = Instant.parse(req.path("filterStartDateTime").asText(""));
            to = Instant.parse(req.path("filterEndDateTime").asText(""));
        } catch (DateTimeParseException e) {
            return error(
                    400,
                    "BadRequest",
                    "filterStartDateTime and filterEndDateTime are required, as ISO 8601 date-times.",
                    Map.of());
        }
        if (!from.isBefore(to)) {
            return error(400, "BadRequest", "filterStartDateTime must be before filterEndDateTime.", Map.of());
        }
        Instant now = clock.instant();
        Query q;
        synchronized (submitted) {
            int running = 0;
            Instant oldestToday = null;
            int today = 0;
            for (Query s : submitted) {
                if (!s.tenant.equals(tenant)) {
                    continue;
                }
                String st = s.status(now);
                if (st.equals("notStarted") || st.equals("running")) {
                    running++;
                }
                if (s.created.isAfter(now.minus(Duration.ofDays(1)))) {
                    today++;
                    if (oldestToday == null) {
                        oldestToday = s.created;
                    }
                }
            }
            if (today >= dailyQueries) {
                Duration wait = Duration.between(now, oldestToday.plus(Duration.ofDays(1)));
                return throttled(wait.isNegative() ? Duration.ofSeconds(1) : wait);
            }
            if (running >= concurrentQueries) {
                return throttled(Duration.ofSeconds(60));
            }
            long days = Math.max(1, Duration.between(from, to).toMillis() / (24 * HOUR_MS));
            Instant runningAt = now.plus(queueDelay);
            Instant doneAt = stallNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0
                    ? Instant.MAX
                    : runningAt.plus(runTime).plus(runTimePerDay.multipliedBy(days));
            String fate = "succeeded";
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                fate = "failed";
            } else if (cancelNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                fate = "cancelled";
            }
            q = new Query(
                    UUID.randomUUID().toString(),
                    tenant,
                    req.path("displayName").asText(""),
                    from,
                    to,
                    now,
                    runningAt,
                    doneAt,
                    fate,
                    version);
            submitted.add(q);
            if (loseNext.getAndUpdate(n -> Math.max(0, n - 1)) == 0) {
                queries.put(q.id, q);
            }
        }
        return json(201, state(q, root));
    }

    private ObjectNode state(Query q, String root) {
        Instant now = clock.instant();
        String status = q.status(now);
        ObjectNode o = Jwts.JSON.createObjectNode();
        o.put(
                "@odata.context",
                root.substring(0, root.indexOf("/security/")) + "/$metadata#security/auditLog/queries/$entity");
        o.put("id", q.id);
        o.put("displayName", q.displayName);
        o.put("filterStartDateTime", q.from.toString());
        o.put("filterEndDateTime", q.to.toString());
        o.putArray("recordTypeFilters");
        o.putArray("keywordFilter");
        o.putArray("serviceFilters");
        o.putArray("operationFilters");
        o.putArray("userPrincipalNameFilters");
        o.putArray("ipAddressFilters");
        o.putArray("objectIdFilters");
        o.putArray("administrativeUnitIdFilters");
        o.put("status", status);
        o.put("recordCountLimit", recordLimit);
        if (status.equals("succeeded")) {
            List<String[]> recs = materialise(q);
            o.put("approximateReturnedRecordCount", recs.size());
            if (limitFlag) {
                o.put("isRecordCountLimitExceeded", q.limitExceeded);
            }
        } else {
            o.putNull("approximateReturnedRecordCount");
            if (limitFlag) {
                o.put("isRecordCountLimitExceeded", false);
            }
        }
        return o;
    }

    private Answer records(Query q, Map<String, String> params, String root) throws IOException {
        String status = q.status(clock.instant());
        if (!status.equals("succeeded")) {
            return error(
                    400,
                    "BadRequest",
                    "The records of audit log query " + q.id + " are not available: its status is " + status + ".",
                    Map.of());
        }
        List<String[]> recs = materialise(q);
        int top = pageSize;
        String topText = params.get("$top");
        if (topText != null) {
            try {
                top = Math.max(1, Math.min(1000, Integer.parseInt(topText)));
            } catch (NumberFormatException e) {
                return error(400, "BadRequest", "Invalid $top value: " + topText, Map.of());
            }
        }
        int skip = 0;
        String token = params.get("$skiptoken");
        if (token != null) {
            try {
                skip = Integer.parseInt(
                        new String(java.util.Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII));
            } catch (RuntimeException e) {
                return error(400, "BadRequest", "Invalid $skiptoken.", Map.of());
            }
        }
        int end = Math.min(recs.size(), skip + top);
        StringBuilder sb = new StringBuilder(1 << 16);
        sb.append("{\"@odata.context\":\"")
                .append(root.substring(0, root.indexOf("/security/")))
                .append("/$metadata#security/auditLog/queries('")
                .append(q.id)
                .append("')/records\",\"value\":[");
        for (int i = skip; i < end; i++) {
            if (i > skip) {
                sb.append(',');
            }
            graphRecord(sb, q.tenant, recs.get(i), !unreadable.contains(recs.get(i)[0]));
        }
        sb.append(']');
        if (end < recs.size()) {
            String next = java.util.Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(Integer.toString(end).getBytes(StandardCharsets.US_ASCII));
            sb.append(",\"@odata.nextLink\":\"")
                    .append(root)
                    .append('/')
                    .append(q.id)
                    .append("/records?$top=")
                    .append(top)
                    .append("&$skiptoken=")
                    .append(next)
                    .append('"');
        }
        sb.append('}');
        return new Answer(200, contentHeaders(), sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** One {@code auditLogRecord}: Graph's own fields, then the Management API's JSON verbatim in auditData. */
    private static void graphRecord(StringBuilder sb, String tenant, String[] r, boolean withAuditData)
            throws IOException {
        JsonNode a = Jwts.JSON.readTree(r[2]);
        int type = a.path("RecordType").asInt();
        ObjectNode o = Jwts.JSON.createObjectNode();
        o.put("@odata.type", "#microsoft.graph.security.auditLogRecord");
        o.put("id", r[0]);
        o.put("createdDateTime", r[1]);
        o.put("auditLogRecordType", recordTypeName(type));
        o.put("operation", a.path("Operation").asText(null));
        o.put("organizationId", tenant);
        o.put("userType", userType(a.path("UserType").asInt()));
        o.put("userId", a.path("UserId").asText(null));
        o.put("service", a.path("Workload").asText(null));
        o.put("objectId", a.path("ObjectId").asText(null));
        o.put("userPrincipalName", a.path("UserId").asText(null));
        o.put("clientIp", a.path("ClientIP").asText(null));
        o.putArray("administrativeUnits");
        String head = Jwts.JSON.writeValueAsString(o);
        sb.append(head, 0, head.length() - 1)
                .append(",\"auditData\":")
                .append(withAuditData ? r[2] : "null")
                .append('}');
    }

    /** Graph's {@code auditLogRecordType} names for the record types the simulator generates. */
    static String recordTypeName(int type) {
        switch (type) {
            case 1:
                return "exchangeAdmin";
            case 2:
                return "exchangeItem";
            case 4:
                return "sharePoint";
            case 6:
                return "sharePointFileOperation";
            case 8:
                return "azureActiveDirectory";
            case 11:
                return "complianceDLPSharePoint";
            case 13:
                return "complianceDLPExchange";
            case 14:
                return "sharePointSharingOperation";
            case 15:
                return "azureActiveDirectoryStsLogon";
            case 20:
                return "powerBIAudit";
            case 22:
                return "yammer";
            case 25:
                return "microsoftTeams";
            default:
                return "unknownFutureValue";
        }
    }

    private static String userType(int t) {
        switch (t) {
            case 0:
                return "regular";
            case 1:
                return "reserved";
            case 2:
                return "admin";
            case 3:
                return "dcAdmin";
            case 4:
                return "system";
            case 5:
                return "application";
            case 6:
                return "servicePrincipal";
            case 7:
                return "customPolicy";
            case 8:
                return "systemPolicy";
            default:
                return "unknownFutureValue";
        }
    }

    private List<String[]> materialise(Query q) {
        List<String[]> recs = q.records;
        if (recs == null) {
            synchronized (q) {
                recs = q.records;
                if (recs == null) {
                    List<String[]> all = collect(q.tenant, q.from, q.to);
                    q.limitExceeded = all.size() > recordLimit;
                    recs = q.limitExceeded ? List.copyOf(all.subList(0, recordLimit)) : all;
                    q.records = recs;
                }
            }
        }
        return recs;
    }

    /**
     * Every record of {@code tenant} with {@code from <= CreationTime < to} and within retention, each Id once,
     * sorted by time then Id: {Id, createdDateTime, the Management API JSON}.
     */
    private List<String[]> collect(String tenant, Instant from, Instant to) {
        ContentStore store = stores.apply(tenant);
        List<String[]> out = new ArrayList<>();
        if (store == null) {
            return out;
        }
        Instant floor = clock.instant().minus(retention);
        if (from.isBefore(floor)) {
            from = floor;
        }
        if (!from.isBefore(to)) {
            return out;
        }
        Set<String> seen = new HashSet<>();
        Map<String, Long> epochs = new LinkedHashMap<>();
        StringBuilder sb = new StringBuilder(4096);
        for (ContentType type : ContentType.values()) {
            for (SimBlob b : store.range(type, from, to.plus(RECORD_LAG))) {
                for (int i = 0; i < b.recordCount(); i++) {
                    sb.setLength(0);
                    RecordGenerator.record(b, i, sb);
                    String json = sb.toString();
                    String created;
                    String id;
                    try {
                        JsonNode n = Jwts.JSON.readTree(json);
                        created = n.path("CreationTime").asText("");
                        id = n.path("Id").asText("");
                    } catch (IOException e) {
                        continue;
                    }
                    Instant t;
                    try {
                        t = java.time.LocalDateTime.parse(
                                        created.endsWith("Z") ? created.substring(0, created.length() - 1) : created)
                                .toInstant(java.time.ZoneOffset.UTC);
                    } catch (DateTimeParseException e) {
                        continue;
                    }
                    if (t.isBefore(from) || !t.isBefore(to) || !seen.add(id)) {
                        continue;
                    }
                    epochs.put(id, t.toEpochMilli());
                    out.add(new String[] {id, t.toString(), json});
                }
            }
        }
        out.sort((x, y) -> {
            int c = Long.compare(epochs.get(x[0]), epochs.get(y[0]));
            return c != 0 ? c : x[0].compareTo(y[0]);
        });
        return out;
    }

    // ------------------------------------------------------------------ answers

    private static Map<String, String> contentHeaders() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(
                "Content-Type",
                "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;"
                        + "charset=utf-8");
        h.put("request-id", UUID.randomUUID().toString());
        return h;
    }

    private static Answer json(int status, JsonNode body) throws IOException {
        return new Answer(status, contentHeaders(), Jwts.JSON.writeValueAsBytes(body));
    }

    private Answer throttled(Duration retryAfter) throws IOException {
        long s = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        return error(
                429,
                "TooManyRequests",
                "Too many requests. Please retry after " + s + " seconds.",
                Map.of("Retry-After", Long.toString(s)));
    }

    private Answer error(int status, String code, String message, Map<String, String> extra) throws IOException {
        ObjectNode root = Jwts.JSON.createObjectNode();
        ObjectNode e = root.putObject("error");
        e.put("code", code);
        e.put("message", message);
        ObjectNode inner = e.putObject("innerError");
        inner.put("date", clock.instant().toString());
        inner.put("request-id", UUID.randomUUID().toString());
        Map<String, String> h = contentHeaders();
        h.putAll(extra);
        return new Answer(status, h, Jwts.JSON.writeValueAsBytes(root));
    }
}
