package io.github.auditlake.o365.auth;

import com.microsoft.aad.msal4j.HttpRequest;
import com.microsoft.aad.msal4j.HttpResponse;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.IHttpResponse;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Carries MSAL's HTTP over the connector's OkHttpClient (so proxy, timeouts and TLS settings apply to sign-in too).
 * With a login base URL override, the scheme, host and port of each request are replaced by the override's (the
 * override's path, if any, is prefixed); the authority MSAL sees stays the real login host, which keeps MSAL's
 * token cache working. Never logs headers or bodies.
 */
public final class OkHttpMsalHttpClient implements IHttpClient {
    private static final MediaType FORM = MediaType.get("application/x-www-form-urlencoded; charset=utf-8");

    private final OkHttpClient http;
    private final HttpUrl override;

    /**
     * @param http          the shared client
     * @param loginOverride validated base URL to send login requests to instead of the real host, or null
     */
    public OkHttpMsalHttpClient(OkHttpClient http, String loginOverride) {
        this.http = http;
        this.override = loginOverride == null ? null : HttpUrl.get(loginOverride);
    }

    /** The URL a request for {@code original} is actually sent to. */
    public HttpUrl target(String original) {
        HttpUrl url = HttpUrl.get(original);
        if (override == null) {
            return url;
        }
        HttpUrl.Builder b = url.newBuilder().scheme(override.scheme()).host(override.host()).port(override.port());
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
        try (Response response = http.newCall(rb.build()).execute()) {
            HttpResponse out = new HttpResponse();
            out.statusCode(response.code());
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (String name : response.headers().names()) {
                headers.put(name, response.headers(name));
            }
            out.addHeaders(headers);
            ResponseBody rbody = response.body();
            out.body(rbody == null ? "" : rbody.string());
            return out;
        }
    }
}
