package io.github.auditlake.o365.auth;

import com.microsoft.aad.msal4j.HttpRequest;
import com.microsoft.aad.msal4j.HttpResponse;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.IHttpResponse;
import io.github.auditlake.o365.api.BodyLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Carries MSAL's HTTP over the connector's OkHttpClient (so proxy, timeouts and TLS settings apply to sign-in too).
 * With a login base URL override, the scheme, host and port of each request are replaced by the override's (the
 * override's path, if any, is prefixed); the authority MSAL sees stays the real login host, which keeps MSAL's
 * token cache working. With an identity endpoint override ({@link #forManagedIdentity}), requests to the Azure
 * Instance Metadata Service token endpoint go to the override instead. Never logs headers or bodies. A response body
 * is read up to {@link BodyLimits#SIGN_IN_MAX_BYTES} (decompressed): a larger one fails the request as an IO failure.
 */
public final class OkHttpMsalHttpClient implements IHttpClient {
    private static final MediaType FORM = MediaType.get("application/x-www-form-urlencoded; charset=utf-8");

    /** The Azure Instance Metadata Service (IMDS) token endpoint, the one MSAL4J calls on VMs, AKS nodes etc. */
    public static final String IMDS_TOKEN_ENDPOINT = "http://169.254.169.254/metadata/identity/oauth2/token";

    private static final HttpUrl IMDS = HttpUrl.get(IMDS_TOKEN_ENDPOINT);

    private final OkHttpClient http;
    private final HttpUrl override;
    private final HttpUrl identityEndpoint;
    /** The IO failure of the last request, or null: MSAL's managed-identity errors drop the cause. */
    private volatile java.io.IOException lastIoFailure;

    /**
     * @param http          the shared client
     * @param loginOverride validated base URL to send login requests to instead of the real host, or null
     */
    public OkHttpMsalHttpClient(OkHttpClient http, String loginOverride) {
        this(http, loginOverride, null);
    }

    private OkHttpMsalHttpClient(OkHttpClient http, String loginOverride, String identityEndpoint) {
        this.http = http;
        this.override = loginOverride == null ? null : HttpUrl.get(loginOverride);
        this.identityEndpoint = identityEndpoint == null ? null : HttpUrl.get(identityEndpoint);
    }

    /**
     * The client of a managed-identity sign-in. MSAL4J 1.26 chooses the managed-identity endpoint itself, from the
     * environment: App Service and Functions ({@code IDENTITY_ENDPOINT} + {@code IDENTITY_HEADER}), Azure Arc, Cloud
     * Shell, Service Fabric, else IMDS at the fixed address {@value #IMDS_TOKEN_ENDPOINT} (its only IMDS knob,
     * {@code AZURE_POD_IDENTITY_AUTHORITY_HOST}, is an environment variable: process-wide, and not settable per
     * connector). So the override is applied here, below MSAL: a request MSAL addresses to the IMDS token endpoint is
     * sent to {@code identityEndpoint} instead, keeping its query ({@code api-version}, {@code resource},
     * {@code client_id}) and its {@code Metadata: true} header; requests to any other endpoint (the platform's
     * {@code IDENTITY_ENDPOINT}) are sent unchanged. MSAL keeps its own request and response handling, and the
     * override reaches nothing else.
     *
     * @param identityEndpoint validated token endpoint URL to use in place of IMDS's, or null for IMDS itself
     */
    public static OkHttpMsalHttpClient forManagedIdentity(OkHttpClient http, String identityEndpoint) {
        return new OkHttpMsalHttpClient(http, null, identityEndpoint);
    }

    /** The URL a request for {@code original} is actually sent to. */
    public HttpUrl target(String original) {
        HttpUrl url = HttpUrl.get(original);
        if (identityEndpoint != null && isImdsToken(url)) {
            return url.newBuilder()
                    .scheme(identityEndpoint.scheme())
                    .host(identityEndpoint.host())
                    .port(identityEndpoint.port())
                    .encodedPath(identityEndpoint.encodedPath())
                    .build();
        }
        if (override == null) {
            return url;
        }
        HttpUrl.Builder b =
                url.newBuilder().scheme(override.scheme()).host(override.host()).port(override.port());
        List<String> prefix = new ArrayList<>(override.pathSegments());
        prefix.removeIf(String::isEmpty);
        if (!prefix.isEmpty()) {
            List<String> segments = new ArrayList<>(prefix);
            segments.addAll(url.pathSegments());
            b.encodedPath("/");
            for (String s : segments) {
                b.addPathSegment(s);
            }
        }
        return b.build();
    }

    private Response execute(Request request) throws java.io.IOException {
        try {
            Response r = http.newCall(request).execute();
            lastIoFailure = null;
            return r;
        } catch (java.io.IOException e) {
            lastIoFailure = e;
            throw e;
        }
    }

    /** Why the last request could not be sent (connection refused, timeout...), or null if it was answered. */
    public java.io.IOException lastIoFailure() {
        return lastIoFailure;
    }

    private static boolean isImdsToken(HttpUrl url) {
        List<String> path = new ArrayList<>(url.pathSegments());
        path.removeIf(String::isEmpty);
        List<String> imds = new ArrayList<>(IMDS.pathSegments());
        return url.scheme().equals(IMDS.scheme())
                && url.host().equals(IMDS.host())
                && url.port() == IMDS.port()
                && path.equals(imds);
    }

    @Override
    public IHttpResponse send(HttpRequest request) throws Exception {
        Request.Builder rb = new Request.Builder().url(target(request.url().toString()));
        String contentType = null;
        if (request.headers() != null) {
            for (Map.Entry<String, String> h : request.headers().entrySet()) {
                if (h.getValue() == null) {
                    continue;
                }
                if (h.getKey().equalsIgnoreCase("Content-Type")) {
                    contentType = h.getValue();
                } else {
                    rb.header(h.getKey(), h.getValue());
                }
            }
        }
        String method = request.httpMethod().name().toUpperCase(Locale.ROOT);
        if (method.equals("GET")) {
            rb.get();
        } else {
            String body = request.body() == null ? "" : request.body();
            MediaType mt = contentType == null ? FORM : MediaType.parse(contentType);
            rb.method(method, RequestBody.create(body, mt == null ? FORM : mt));
        }
        try (Response response = execute(rb.build())) {
            HttpResponse out = new HttpResponse();
            out.statusCode(response.code());
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (String name : response.headers().names()) {
                headers.put(name, response.headers(name));
            }
            out.addHeaders(headers);
            try {
                out.body(BodyLimits.readString(response.body(), BodyLimits.SIGN_IN_MAX_BYTES, "sign-in"));
            } catch (java.io.IOException e) {
                lastIoFailure = e; // MSAL's managed-identity errors drop the cause
                throw e;
            }
            return out;
        }
    }
}
