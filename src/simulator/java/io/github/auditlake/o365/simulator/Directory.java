package io.github.auditlake.o365.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The simulator's Microsoft Graph directory: {@code POST /v1.0/directoryObjects/getByIds} (up to 1,000 ids, optional
 * {@code types} among {@code user}, {@code servicePrincipal}, {@code application}, {@code group}); missing ids are
 * simply absent from the answer, as Graph does. JSON {@code POST /v1.0/$batch} serves service principals by app id
 * ({@link #handleBatch}); the app ids the records carry ({@code ApplicationId}, {@code AppId}) agree with
 * {@link #servicePrincipalByAppId}, derived the same way.
 *
 * <p>The directory is derived from the GUIDs themselves, so it agrees with every GUID the simulator's records carry
 * ({@code UserKey}, {@code Actor[].ID}, {@code Target[].ID}, {@code ApplicationId}, {@code AADGroupId}, ...) without
 * a list: a GUID whose hash falls in one bucket in {@link #unknownOneIn} is unknown (to exercise negative caching),
 * the others are a user (5 in 8), a service principal (2 in 8) or a group (1 in 8), with names derived from the GUID.
 * {@code 00000003-0000-0000-c000-000000000000} is Microsoft Graph's service principal. {@link #put} adds or replaces
 * an object, {@link #remove} makes an id unknown.
 *
 * <p>Permissions are checked as Graph does: each requested type needs its permission ({@code User.Read.All},
 * {@code Application.Read.All}, {@code GroupMember.Read.All}) or {@code Directory.Read.All}; no {@code types} needs
 * {@code Directory.Read.All}; otherwise 403 {@code Authorization_RequestDenied}. {@link #throttleNext} answers 429
 * with {@code Retry-After}; {@link #delay} makes every answer slow (real time, so a client's deadline is tested).
 */
public final class Directory {
    public static final String ROLE_DIRECTORY = "Directory.Read.All";
    public static final String ROLE_USER = "User.Read.All";
    public static final String ROLE_APPLICATION = "Application.Read.All";
    public static final String ROLE_GROUP = "GroupMember.Read.All";
    /** The Graph permissions the simulator knows (tokens for Graph carry these of the app's roles). */
    public static final Set<String> ROLES = Set.of(ROLE_DIRECTORY, ROLE_USER, ROLE_APPLICATION, ROLE_GROUP);
    /** Microsoft Graph's own app id, a frequent {@code Target[].ID}. */
    public static final String GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

    static final String PATH = "/v1.0/directoryObjects/getByIds";
    static final String BATCH_PATH = "/v1.0/$batch";
    /** Graph's limits: 20 requests a batch, 15 values in a filter's {@code in}. */
    static final int MAX_BATCH = 20;

    static final int MAX_IN_VALUES = 15;
    private static final Pattern SP_BY_APP_ID =
            Pattern.compile("/servicePrincipals\\(appId='([^']*)'\\)(?:\\?.*)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern SP_FILTER =
            Pattern.compile("appId\\s+(?:in\\s*\\(([^)]*)\\)|eq\\s*'([^']*)')", Pattern.CASE_INSENSITIVE);
    private static final Pattern GUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final List<String> TYPES = List.of("user", "servicePrincipal", "application", "group");
    private static final String[] DEPARTMENTS = {"Finance", "Sales", "Engineering", "Legal", "Operations"};
    private static final String[] TITLES = {"Analyst", "Manager", "Engineer", "Director", "Clerk"};
    private static final String[] GIVEN = {"Ada", "Ben", "Chloe", "Dev", "Elif", "Farid", "Grace", "Hugo"};
    private static final String[] FAMILY = {"Novak", "Okafor", "Silva", "Tanaka", "Weber", "Young", "Ziegler"};

    /** One directory object: its type and its Graph properties (id included). */
    public record DirObject(String type, Map<String, String> properties) {
        public String id() {
            return properties.get("id");
        }
    }

    private final Clock clock;
    private final Map<String, DirObject> explicit = new ConcurrentHashMap<>();
    private final Set<String> removed = ConcurrentHashMap.newKeySet();
    private final AtomicInteger throttleNext = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger idsAsked = new AtomicInteger();
    private final AtomicInteger batchRequests = new AtomicInteger();
    private final AtomicInteger batchQueries = new AtomicInteger();
    private volatile Duration throttleRetryAfter = Duration.ofSeconds(10);
    private volatile boolean throttleAll;
    private volatile Duration delay = Duration.ZERO;
    private volatile int unknownOneIn = 8;

    Directory(Clock clock) {
        this.clock = clock;
    }

    // ------------------------------------------------------------------ test controls

    /** One GUID in {@code n} is unknown to the directory (default 8; 0: every GUID is known). */
    public Directory unknownOneIn(int n) {
        this.unknownOneIn = n;
        return this;
    }

    /** Adds or replaces an object. */
    public Directory put(DirObject o) {
        explicit.put(o.id().toLowerCase(Locale.ROOT), o);
        removed.remove(o.id().toLowerCase(Locale.ROOT));
        return this;
    }

    /** Makes {@code id} unknown. */
    public Directory remove(String id) {
        removed.add(id.toLowerCase(Locale.ROOT));
        return this;
    }

    /** The next {@code n} directory requests are answered 429 with {@code Retry-After}. */
    public Directory throttleNext(int n, Duration retryAfter) {
        this.throttleRetryAfter = retryAfter;
        throttleNext.addAndGet(n);
        return this;
    }

    /** Every directory request is answered 429 with {@code Retry-After} until called with false (a storm). */
    public Directory throttleAll(boolean on, Duration retryAfter) {
        this.throttleRetryAfter = retryAfter;
        this.throttleAll = on;
        return this;
    }

    /** Slow mode: every directory answer waits {@code d} of real time first (zero: off). */
    public Directory delay(Duration d) {
        this.delay = d;
        return this;
    }

    /** Directory requests answered so far (429s and 403s included). */
    public int requestCount() {
        return requests.get();
    }

    /** JSON {@code $batch} requests so far (each also counts in {@link #requestCount}). */
    public int batchCount() {
        return batchRequests.get();
    }

    /** Requests carried inside {@code $batch} requests so far (Graph counts each one against its limits). */
    public int batchQueryCount() {
        return batchQueries.get();
    }

    /** Ids asked for in answered (200) requests so far. */
    public int idsRequested() {
        return idsAsked.get();
    }

    /** The object behind {@code id}, or null when the directory does not know it. */
    public DirObject lookup(String id) {
        String key = id.toLowerCase(Locale.ROOT);
        if (removed.contains(key)) {
            return null;
        }
        DirObject o = explicit.get(key);
        if (o != null) {
            return o;
        }
        if (!GUID.matcher(key).matches()) {
            return null;
        }
        if (key.equals(GRAPH_APP_ID)) {
            return servicePrincipal(key, GRAPH_APP_ID, "Microsoft Graph");
        }
        long h = RecordGenerator.hash(key);
        int n = unknownOneIn;
        if (n > 0 && Math.floorMod(h, n) == 0) {
            return null;
        }
        int kind = (int) Math.floorMod(h >>> 8, 8);
        int a = (int) Math.floorMod(h >>> 16, 1 << 12);
        if (kind < 5) {
            String given = GIVEN[a % GIVEN.length];
            String family = FAMILY[(a / GIVEN.length) % FAMILY.length];
            Map<String, String> p = new LinkedHashMap<>();
            p.put("id", key);
            p.put(
                    "userPrincipalName",
                    (given + "." + family).toLowerCase(Locale.ROOT) + (a % 100) + "@contoso.example");
            p.put("displayName", given + " " + family);
            p.put("department", DEPARTMENTS[a % DEPARTMENTS.length]);
            p.put("jobTitle", TITLES[(a / 7) % TITLES.length]);
            return new DirObject("user", p);
        }
        if (kind < 7) {
            return servicePrincipal(
                    key, RecordGenerator.guid(RecordGenerator.hash("app" + key), h), "Simulated app " + a);
        }
        Map<String, String> p = new LinkedHashMap<>();
        p.put("id", key);
        p.put("displayName", "Team " + a);
        return new DirObject("group", p);
    }

    /**
     * The tenant's service principal of the app {@code appId}, or null when the directory does not know the app.
     * Derived from the app id like {@link #lookup} (one in {@link #unknownOneIn} unknown), or an explicit
     * {@link #put} service principal with that {@code appId}.
     */
    public DirObject servicePrincipalByAppId(String appId) {
        String key = appId.toLowerCase(Locale.ROOT);
        for (DirObject o : explicit.values()) {
            if (o.type().equals("servicePrincipal")
                    && key.equalsIgnoreCase(o.properties().get("appId"))) {
                return removed.contains(o.id().toLowerCase(Locale.ROOT)) ? null : o;
            }
        }
        if (!GUID.matcher(key).matches()) {
            return null;
        }
        long h = RecordGenerator.hash("appId/" + key);
        String id = RecordGenerator.guid(h, RecordGenerator.hash(key));
        if (removed.contains(id)) {
            return null;
        }
        if (key.equals(GRAPH_APP_ID)) {
            return servicePrincipal(id, GRAPH_APP_ID, "Microsoft Graph");
        }
        int n = unknownOneIn;
        if (n > 0 && Math.floorMod(h, n) == 0) {
            return null;
        }
        return servicePrincipal(id, key, "Simulated app " + Math.floorMod(h >>> 16, 1 << 12));
    }

    private static DirObject servicePrincipal(String id, String appId, String name) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("id", id);
        p.put("appId", appId);
        p.put("displayName", name);
        return new DirObject("servicePrincipal", p);
    }

    // ------------------------------------------------------------------ HTTP

    static boolean matches(String path) {
        return path.equals(PATH) || path.equals(PATH + "/");
    }

    static boolean matchesBatch(String path) {
        return path.equals(BATCH_PATH) || path.equalsIgnoreCase("/v1.0/%24batch");
    }

    /**
     * Answers a JSON {@code $batch} ({@code POST /v1.0/$batch}, up to 20 requests). Each request is answered on its
     * own, as Graph does: its own status, headers and body; throttling ({@link #throttleNext}, {@link #throttleAll})
     * and the permission ({@code Application.Read.All} or {@code Directory.Read.All}) apply per request. Served:
     * {@code GET /servicePrincipals?$filter=appId in ('..',...)} (at most 15 values) or {@code appId eq '..'}, and
     * {@code GET /servicePrincipals(appId='..')}; anything else is answered 400 inside the batch.
     */
    AuditSearch.Answer handleBatch(String method, byte[] body, JsonNode claims) throws IOException {
        requests.incrementAndGet();
        batchRequests.incrementAndGet();
        AuditSearch.Answer refused = admit(claims);
        if (refused != null) {
            return refused;
        }
        if (!method.equals("POST")) {
            return error(405, "Request_BadRequest", "The batch endpoint accepts POST only.", Map.of());
        }
        JsonNode req;
        try {
            req = Jwts.JSON.readTree(body);
        } catch (IOException e) {
            return error(400, "BadRequest", "Unable to read JSON request payload.", Map.of());
        }
        if (req == null
                || !req.path("requests").isArray()
                || req.path("requests").isEmpty()) {
            return error(400, "BadRequest", "Invalid batch payload format.", Map.of());
        }
        if (req.path("requests").size() > MAX_BATCH) {
            return error(
                    400,
                    "BadRequest",
                    "Too many requests in the batch: " + req.path("requests").size() + " (at most 20).",
                    Map.of());
        }
        Set<String> roles = new HashSet<>();
        claims.path("roles").forEach(n -> roles.add(n.asText()));
        ObjectNode root = Jwts.JSON.createObjectNode();
        ArrayNode responses = root.putArray("responses");
        for (JsonNode r : req.path("requests")) {
            batchQueries.incrementAndGet();
            ObjectNode out = responses.addObject();
            out.put("id", r.path("id").asText());
            subAnswer(out, r, roles);
        }
        return new AuditSearch.Answer(200, headers(), Jwts.JSON.writeValueAsBytes(root));
    }

    private void subAnswer(ObjectNode out, JsonNode r, Set<String> roles) {
        String url = java.net.URLDecoder.decode(r.path("url").asText(""), java.nio.charset.StandardCharsets.UTF_8);
        if (!r.path("method").asText("").equals("GET")) {
            subError(out, 400, "BadRequest", "Only GET is served inside a batch.", null);
            return;
        }
        List<String> appIds = new ArrayList<>();
        boolean single = false;
        Matcher m = SP_BY_APP_ID.matcher(url);
        if (m.matches()) {
            appIds.add(m.group(1));
            single = true;
        } else if (url.regionMatches(true, 0, "/servicePrincipals?", 0, 19)) {
            Matcher f = SP_FILTER.matcher(url);
            if (!f.find()) {
                subError(out, 400, "Request_UnsupportedQuery", "Unsupported query.", null);
                return;
            }
            if (f.group(2) != null) {
                appIds.add(f.group(2));
            } else {
                for (String v : f.group(1).split(",")) {
                    String t = v.trim();
                    if (t.length() >= 2 && t.startsWith("'") && t.endsWith("'")) {
                        appIds.add(t.substring(1, t.length() - 1));
                    } else {
                        subError(out, 400, "Request_BadRequest", "Invalid filter clause.", null);
                        return;
                    }
                }
            }
            if (appIds.size() > MAX_IN_VALUES) {
                subError(
                        out,
                        400,
                        "Request_UnsupportedQuery",
                        "Too many child clauses specified in search filter expression containing 'OR' operators: "
                                + appIds.size() + ". Max allowed: " + MAX_IN_VALUES + ".",
                        null);
                return;
            }
        } else {
            subError(out, 400, "BadRequest", "Resource not served by the simulator: " + url, null);
            return;
        }
        if (!roles.contains(ROLE_DIRECTORY) && !roles.contains(ROLE_APPLICATION)) {
            subError(
                    out,
                    403,
                    "Authorization_RequestDenied",
                    "Insufficient privileges to complete the operation.",
                    null);
            return;
        }
        if (throttleAll || throttleNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            long s = Math.max(1, (throttleRetryAfter.toMillis() + 999) / 1000);
            subError(out, 429, "TooManyRequests", "Too many requests. Please retry after " + s + " seconds.", s);
            return;
        }
        idsAsked.addAndGet(appIds.size());
        ObjectNode body = Jwts.JSON.createObjectNode();
        List<DirObject> found = new ArrayList<>();
        for (String a : appIds) {
            DirObject o = servicePrincipalByAppId(a);
            if (o != null) {
                found.add(o);
            }
        }
        if (single) {
            if (found.isEmpty()) {
                subError(
                        out,
                        404,
                        "Request_ResourceNotFound",
                        "Resource '" + appIds.get(0) + "' does not exist or one of its queried reference-property "
                                + "objects are not present.",
                        null);
                return;
            }
            body.put("@odata.context", "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity");
            found.get(0).properties().forEach(body::put);
        } else {
            body.put("@odata.context", "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals");
            ArrayNode value = body.putArray("value");
            found.forEach(o -> {
                ObjectNode n = value.addObject();
                o.properties().forEach(n::put);
            });
        }
        out.put("status", 200);
        out.putObject("headers").put("Content-Type", "application/json;odata.metadata=minimal;charset=utf-8");
        out.set("body", body);
    }

    private void subError(ObjectNode out, int status, String code, String message, Long retryAfterSeconds) {
        out.put("status", status);
        ObjectNode h = out.putObject("headers");
        h.put("Content-Type", "application/json");
        if (retryAfterSeconds != null) {
            h.put("Retry-After", Long.toString(retryAfterSeconds));
        }
        ObjectNode e = out.putObject("body").putObject("error");
        e.put("code", code);
        e.put("message", message);
        ObjectNode inner = e.putObject("innerError");
        inner.put("date", clock.instant().toString());
        inner.put("request-id", UUID.randomUUID().toString());
    }

    /** Every request's start: the {@link #delay}, then a 401 without a valid Graph token (null: admitted). */
    private AuditSearch.Answer admit(JsonNode claims) throws IOException {
        Duration d = delay;
        if (!d.isZero()) {
            try {
                Thread.sleep(d.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (claims == null) {
            return error(
                    401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.", Map.of());
        }
        return null;
    }

    /** Answers one directory request; {@code claims} are a valid Graph token's claims (null: none or invalid). */
    AuditSearch.Answer handle(String method, byte[] body, JsonNode claims) throws IOException {
        requests.incrementAndGet();
        AuditSearch.Answer refused = admit(claims);
        if (refused != null) {
            return refused;
        }
        if (!method.equals("POST")) {
            return error(
                    405,
                    "Request_BadRequest",
                    "The requested resource does not support http method '" + method + "'.",
                    Map.of());
        }
        JsonNode req;
        try {
            req = Jwts.JSON.readTree(body);
        } catch (IOException e) {
            return error(400, "BadRequest", "Unable to read JSON request payload.", Map.of());
        }
        if (req == null || !req.path("ids").isArray()) {
            return error(400, "Request_BadRequest", "Invalid request: ids is required.", Map.of());
        }
        List<String> ids = new ArrayList<>();
        req.path("ids").forEach(n -> ids.add(n.asText()));
        if (ids.size() > 1000) {
            return error(
                    400,
                    "Request_BadRequest",
                    "Too many object ids: " + ids.size() + " (at most 1000 per request).",
                    Map.of());
        }
        Set<String> types = new LinkedHashSet<>();
        req.path("types").forEach(n -> types.add(n.asText()));
        for (String t : types) {
            if (!TYPES.contains(t)) {
                return error(400, "Request_BadRequest", "Unsupported type: " + t, Map.of());
            }
        }
        Set<String> roles = new HashSet<>();
        claims.path("roles").forEach(n -> roles.add(n.asText()));
        if (!allowed(roles, types)) {
            return error(
                    403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", Map.of());
        }
        if (throttleAll || throttleNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            long s = Math.max(1, (throttleRetryAfter.toMillis() + 999) / 1000);
            return error(
                    429,
                    "TooManyRequests",
                    "Too many requests. Please retry after " + s + " seconds.",
                    Map.of("Retry-After", Long.toString(s)));
        }
        idsAsked.addAndGet(ids.size());
        ObjectNode root = Jwts.JSON.createObjectNode();
        root.put("@odata.context", "https://graph.microsoft.com/v1.0/$metadata#directoryObjects");
        ArrayNode value = root.putArray("value");
        for (String id : ids) {
            DirObject o = lookup(id);
            if (o == null || (!types.isEmpty() && !types.contains(o.type()))) {
                continue;
            }
            ObjectNode n = value.addObject();
            n.put("@odata.type", "#microsoft.graph." + o.type());
            o.properties().forEach(n::put);
        }
        return new AuditSearch.Answer(200, headers(), Jwts.JSON.writeValueAsBytes(root));
    }

    /** Whether {@code roles} may read every type in {@code types} (empty: all types). */
    static boolean allowed(Set<String> roles, Set<String> types) {
        if (roles.contains(ROLE_DIRECTORY)) {
            return true;
        }
        if (types.isEmpty()) {
            return false;
        }
        for (String t : types) {
            String need = switch (t) {
                case "user" -> ROLE_USER;
                case "group" -> ROLE_GROUP;
                default -> ROLE_APPLICATION;
            };
            if (!roles.contains(need)) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json;odata.metadata=minimal;charset=utf-8");
        return h;
    }

    private AuditSearch.Answer error(int status, String code, String message, Map<String, String> extra)
            throws IOException {
        ObjectNode root = Jwts.JSON.createObjectNode();
        ObjectNode e = root.putObject("error");
        e.put("code", code);
        e.put("message", message);
        ObjectNode inner = e.putObject("innerError");
        inner.put("date", clock.instant().toString());
        inner.put("request-id", UUID.randomUUID().toString());
        Map<String, String> h = headers();
        h.putAll(extra);
        return new AuditSearch.Answer(status, h, Jwts.JSON.writeValueAsBytes(root));
    }
}
