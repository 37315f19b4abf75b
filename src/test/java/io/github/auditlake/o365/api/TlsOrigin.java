package io.github.auditlake.o365.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * An HTTPS server on loopback with a fresh self-signed certificate for {@value #HOST} and 127.0.0.1 (trust it with
 * {@link #caPem()}), recording every request's method, path and headers, and answering with a replaceable handler.
 */
public final class TlsOrigin implements AutoCloseable {
    /** The name the certificate is issued to; it never resolves (reach it through a {@link TunnelProxy}). */
    public static final String HOST = "api.test.example";

    /** A request as the origin received it (header names lower-cased). */
    public record Seen(String method, String path, Map<String, List<String>> headers) {
        public boolean hasHeader(String name) {
            return headers.keySet().stream().anyMatch(k -> k.equalsIgnoreCase(name));
        }
    }

    /** Answers one exchange. */
    public interface Handler {
        void handle(HttpExchange ex) throws IOException;
    }

    private final HttpsServer server;
    private final String caPem;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile Handler handler = ex -> send(ex, 200, "[]");

    public TlsOrigin(Path dir) throws Exception {
        Path store = dir.resolve("origin.p12");
        Path ca = dir.resolve("origin-ca.pem");
        String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(List.of(
                keytool,
                "-genkeypair",
                "-alias",
                "origin",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=" + HOST,
                "-ext",
                "san=dns:" + HOST + ",ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                "changeit",
                "-keypass",
                "changeit"));
        run(List.of(
                keytool,
                "-exportcert",
                "-rfc",
                "-alias",
                "origin",
                "-keystore",
                store.toString(),
                "-storepass",
                "changeit",
                "-file",
                ca.toString()));
        caPem = Files.readString(ca);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/", ex -> {
            try {
                ex.getRequestBody().readAllBytes();
                Map<String, List<String>> h = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                h.putAll(ex.getRequestHeaders());
                seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().getPath(), h));
                handler.handle(ex);
            } finally {
                ex.close();
            }
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The origin's certificate, PEM: the authority to trust. */
    public String caPem() {
        return caPem;
    }

    public List<Seen> seen() {
        return seen;
    }

    public void handler(Handler h) {
        handler = h;
    }

    public static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            ex.getResponseBody().write(b);
        }
    }

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
