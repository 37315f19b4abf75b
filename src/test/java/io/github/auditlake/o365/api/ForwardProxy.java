package io.github.auditlake.o365.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny forwarding HTTP proxy for plain-http targets (absolute-URI requests, as clients send them to a proxy),
 * with optional basic authentication: without the expected {@code Proxy-Authorization} it answers 407 with a
 * {@code Proxy-Authenticate} challenge. Records every request it receives.
 */
public final class ForwardProxy implements AutoCloseable {
    /** A request as the proxy received it. */
    public record Seen(String method, URI uri, String proxyAuthorization, int answeredStatus) {}

    private static final Set<String> NOT_FORWARDED = Set.of(
            "host",
            "connection",
            "content-length",
            "proxy-authorization",
            "proxy-connection",
            "keep-alive",
            "transfer-encoding",
            "upgrade",
            "expect");

    private final HttpServer server;
    private final HttpClient upstream =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String expectedAuthorization;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    /** @param expectedAuthorization the {@code Proxy-Authorization} value required, or null for an open proxy */
    public ForwardProxy(String expectedAuthorization) throws IOException {
        this.expectedAuthorization = expectedAuthorization;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public List<Seen> seen() {
        return seen;
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            URI uri = ex.getRequestURI();
            String auth = ex.getRequestHeaders().getFirst("Proxy-Authorization");
            if (expectedAuthorization != null && !expectedAuthorization.equals(auth)) {
                seen.add(new Seen(ex.getRequestMethod(), uri, auth, 407));
                ex.getRequestBody().readAllBytes();
                ex.getResponseHeaders().add("Proxy-Authenticate", "Basic realm=\"test-proxy\"");
                ex.sendResponseHeaders(407, -1);
                return;
            }
            byte[] body = ex.getRequestBody().readAllBytes();
            HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                    .method(
                            ex.getRequestMethod(),
                            body.length == 0
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(body));
            ex.getRequestHeaders().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(v -> b.header(name, v));
                }
            });
            HttpResponse<byte[]> r;
            try {
                r = upstream.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            seen.add(new Seen(ex.getRequestMethod(), uri, auth, r.statusCode()));
            r.headers().map().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    values.forEach(v -> ex.getResponseHeaders().add(name, v));
                }
            });
            byte[] out = r.body();
            ex.sendResponseHeaders(r.statusCode(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(out);
                }
            }
        } finally {
            ex.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
