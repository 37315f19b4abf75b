package io.github.auditlake.o365.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.auditlake.o365.api.GraphCall;
import io.github.auditlake.o365.api.RetryAfter;
import io.github.auditlake.o365.api.TokenProvider;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * Graph's {@code POST {base}/v1.0/directoryObjects/getByIds} and, for service principals by app id, JSON
 * {@code POST {base}/v1.0/$batch} of {@code GET /servicePrincipals?$filter=appId in (...)} queries, over OkHttp, with the Graph token of the connector's
 * one sign-in. The whole call (token included) runs on a worker thread of its own and is abandoned, and its HTTP
 * call cancelled, when the caller's timeout passes, so a slow sign-in or a slow Graph never holds the caller longer.
 * Classifies answers: 429 is {@link Unenriched#THROTTLED} with {@code Retry-After}; 403 {@link Unenriched#DENIED}
 * (naming the permissions); a timeout {@link Unenriched#TIMEOUT}; anything else {@link Unenriched#ERROR}. A 401 is
 * retried once with a fresh token. Never logs the token.
 */
public final class OkHttpDirectoryApi implements DirectoryApi {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    /** The largest answer read: 1,000 objects of a few hundred bytes each, with room to spare. */
    private static final long MAX_BODY_BYTES = 8L * 1024 * 1024;

    private final OkHttpClient http;
    private final TokenProvider tokens;
    private final HttpUrl url;
    private final HttpUrl batchUrl;
    private final String userAgent;
    private final boolean ownsResources;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "o365-graph-enrich");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param graphBase     Graph's base, e.g. {@code https://graph.microsoft.com} (no version)
     * @param ownsResources whether {@link #close()} closes the token provider
     */
    public OkHttpDirectoryApi(
            OkHttpClient http, TokenProvider tokens, String graphBase, String userAgent, boolean ownsResources) {
        this.http = Objects.requireNonNull(http, "http");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        String base = graphBase.endsWith("/") ? graphBase.substring(0, graphBase.length() - 1) : graphBase;
        this.url = HttpUrl.get(base + "/v1.0/directoryObjects/getByIds");
        this.batchUrl = HttpUrl.get(base + "/v1.0/$batch");
        this.userAgent = userAgent;
        this.ownsResources = ownsResources;
    }

    @Override
    public List<DirectoryObject> getByIds(List<String> ids, Set<ObjectKind> types, Duration timeout)
            throws DirectoryException {
        if (ids.size() > MAX_IDS) {
            throw new IllegalArgumentException("at most " + MAX_IDS + " ids per call");
        }
        byte[] body = requestBody(ids, types);
        return bounded(timeout, client -> parse(call(client, url, body)));
    }

    @Override
    public AppIdAnswer servicePrincipalsByAppId(List<String> appIds, Duration timeout) throws DirectoryException {
        if (appIds.size() > MAX_APP_IDS) {
            throw new IllegalArgumentException("at most " + MAX_APP_IDS + " app ids per call");
        }
        List<List<String>> queries = new ArrayList<>();
        for (int from = 0; from < appIds.size(); from += APP_IDS_PER_QUERY) {
            queries.add(appIds.subList(from, Math.min(appIds.size(), from + APP_IDS_PER_QUERY)));
        }
        byte[] body = batchBody(queries);
        return bounded(timeout, client -> parseBatch(call(client, batchUrl, body), queries));
    }

    /** What a call does with its client (bounded by the caller's timeout). */
    private interface Exchange<T> {
        T run(OkHttpClient client) throws IOException, DirectoryException;
    }

    /** Runs {@code exchange} on the worker thread; abandons and cancels it when {@code timeout} passes. */
    private <T> T bounded(Duration timeout, Exchange<T> exchange) throws DirectoryException {
        OkHttpClient client = http.newBuilder().callTimeout(timeout).build();
        Future<T> f = worker.submit(() -> exchange.run(client));
        try {
            return f.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new DirectoryException(Unenriched.TIMEOUT, null, "Graph did not answer within " + timeout);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new DirectoryException(Unenriched.TIMEOUT, null, "interrupted while waiting for Graph");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DirectoryException d) {
                throw d;
            }
            if (e.getCause() instanceof java.io.InterruptedIOException) {
                throw new DirectoryException(Unenriched.TIMEOUT, null, "Graph did not answer within " + timeout);
            }
            throw new DirectoryException(Unenriched.ERROR, null, "Graph lookup failed: " + e.getCause(), e.getCause());
        }
    }

    /** One POST of {@code body} to {@code target}; the 200 answer's bytes (bounded), else the classified failure. */
    private byte[] call(OkHttpClient client, HttpUrl target, byte[] body) throws IOException, DirectoryException {
        GraphCall.Answer a = GraphCall.execute(
                client,
                tokens,
                userAgent,
                () -> new Request.Builder().url(target).post(RequestBody.create(body, JSON)),
                MAX_BODY_BYTES,
                "Graph directory");
        if (a.status() == 200) {
            return a.body();
        }
        throw classifyStatus(a.status(), a.retryAfter());
    }

    static DirectoryException classify(int status, String retryAfter) {
        return classifyStatus(status, RetryAfter.parse(retryAfter, null, null));
    }

    static DirectoryException classifyStatus(int status, Duration retryAfter) {
        return switch (status) {
            case 429 -> new DirectoryException(Unenriched.THROTTLED, retryAfter, "Graph throttled the lookup (429)");
            case 403 ->
                new DirectoryException(
                        Unenriched.DENIED,
                        null,
                        "Graph refused the lookup (403): grant the app the application permission Directory.Read.All, or"
                                + " User.Read.All, Application.Read.All and GroupMember.Read.All for the types looked up,"
                                + " with admin consent");
            // Graph also sheds load with 503 (and a gateway with 504) carrying a Retry-After: honoured as throttling
            case 503, 504 ->
                retryAfter == null
                        ? new DirectoryException(Unenriched.ERROR, null, "Graph answered HTTP " + status)
                        : new DirectoryException(
                                Unenriched.THROTTLED,
                                retryAfter,
                                "Graph is unavailable for now (" + status + ", Retry-After " + retryAfter + ")");
            default -> new DirectoryException(Unenriched.ERROR, null, "Graph answered HTTP " + status);
        };
    }

    static byte[] requestBody(List<String> ids, Set<ObjectKind> types) {
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode a = root.putArray("ids");
        ids.forEach(a::add);
        ArrayNode t = root.putArray("types");
        for (ObjectKind k : ObjectKind.values()) {
            if (types.contains(k)) {
                t.add(k.graphName());
            }
        }
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A JSON {@code $batch} body: one {@code GET /servicePrincipals?$filter=appId in (...)} per query, with ids
     * {@code "1"}, {@code "2"}, ... in order, selecting only what enrichment keeps.
     */
    static byte[] batchBody(List<List<String>> queries) {
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode requests = root.putArray("requests");
        for (int i = 0; i < queries.size(); i++) {
            StringBuilder in = new StringBuilder();
            for (String appId : queries.get(i)) {
                if (!EnrichField.GUID.matcher(appId).matches()) {
                    throw new IllegalArgumentException("not a GUID: " + appId);
                }
                in.append(in.length() == 0 ? "" : ",")
                        .append('\'')
                        .append(appId)
                        .append('\'');
            }
            requests.addObject()
                    .put("id", Integer.toString(i + 1))
                    .put("method", "GET")
                    .put("url", "/servicePrincipals?$filter=appId%20in%20(" + in + ")&$select=id,appId,displayName");
        }
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a {@code $batch} answer: each query's service principals, or its failure for all of its app ids. */
    static AppIdAnswer parseBatch(byte[] body, List<List<String>> queries) throws DirectoryException {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new DirectoryException(Unenriched.ERROR, null, "Graph's batch answer is not JSON", e);
        }
        Map<String, DirectoryObject> found = new HashMap<>();
        Map<String, DirectoryException> failed = new HashMap<>();
        Map<String, JsonNode> byId = new HashMap<>();
        for (JsonNode r : root.path("responses")) {
            byId.put(r.path("id").asText(""), r);
        }
        for (int i = 0; i < queries.size(); i++) {
            JsonNode r = byId.get(Integer.toString(i + 1));
            int status = r == null ? 0 : r.path("status").asInt(0);
            if (status == 200) {
                for (DirectoryObject o : objects(r.path("body"), ObjectKind.SERVICE_PRINCIPAL)) {
                    if (o.appId() != null) {
                        found.put(o.appId().toLowerCase(Locale.ROOT), o);
                    }
                }
                continue;
            }
            DirectoryException e = r == null
                    ? new DirectoryException(Unenriched.ERROR, null, "Graph's batch answer lacks query " + (i + 1))
                    : classify(status, header(r.path("headers"), "Retry-After"));
            for (String appId : queries.get(i)) {
                failed.put(appId, e);
            }
        }
        return new AppIdAnswer(found, failed);
    }

    /** A header of a batch response, matched case-insensitively, or null. */
    private static String header(JsonNode headers, String name) {
        var it = headers.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue().asText(null);
            }
        }
        return null;
    }

    static List<DirectoryObject> parse(byte[] body) throws DirectoryException {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new DirectoryException(Unenriched.ERROR, null, "Graph's answer is not JSON", e);
        }
        return objects(root, null);
    }

    /** The objects of a collection's {@code value}; {@code kind} when an object has no {@code @odata.type}. */
    private static List<DirectoryObject> objects(JsonNode root, ObjectKind fallback) {
        List<DirectoryObject> out = new ArrayList<>();
        for (JsonNode o : root.path("value")) {
            ObjectKind kind =
                    ObjectKind.fromGraph(o.path("@odata.type").asText(null)).orElse(fallback);
            String id = o.path("id").asText(null);
            if (kind == null || id == null) {
                continue;
            }
            out.add(new DirectoryObject(
                    id.toLowerCase(Locale.ROOT),
                    kind,
                    o.path("userPrincipalName").asText(null),
                    o.path("displayName").asText(null),
                    o.path("department").asText(null),
                    o.path("jobTitle").asText(null),
                    o.path("appId").asText(null)));
        }
        return out;
    }

    @Override
    public void close() {
        worker.shutdownNow();
        if (ownsResources) {
            tokens.close();
        }
    }
}
