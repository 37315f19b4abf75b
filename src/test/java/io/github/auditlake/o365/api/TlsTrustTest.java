package io.github.auditlake.o365.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.client.ManagementApis;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Extra trust for TLS-inspecting proxies: a server whose certificate no JVM trusts is refused by default and accepted
 * with its CA given as a PEM bundle or a trust store; nothing turns verification off.
 */
class TlsTrustTest {
    @TempDir
    static Path dir;

    static HttpsServer server;
    static Path serverStore;
    static Path caPem;

    @BeforeAll
    static void startServer() throws Exception {
        serverStore = dir.resolve("server.p12");
        caPem = dir.resolve("ca.pem");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        run(List.of(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "corp",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "san=ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                serverStore.toString(),
                "-storepass",
                "changeit",
                "-keypass",
                "changeit"));
        run(List.of(
                keytool.toString(),
                "-exportcert",
                "-rfc",
                "-alias",
                "corp",
                "-keystore",
                serverStore.toString(),
                "-storepass",
                "changeit",
                "-file",
                caPem.toString()));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(serverStore)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/", ex -> {
            byte[] b = "[]".getBytes();
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool finished");
        assertEquals(0, p.exitValue(), out);
    }

    static int get(TlsTrust trust) throws Exception {
        ClientSettings s = ClientSettings.builder()
                .tenantId("t")
                .clientId("c")
                .clientSecret("s")
                .allowList(EndpointAllowList.of("127.0.0.1"))
                .allowedPaths(AllowedPaths.of(dir.toString()))
                .tlsTrust(trust)
                .build();
        OkHttpClient http = ManagementApis.httpClient(s);
        try (Response r = http.newCall(new Request.Builder()
                        .url("https://127.0.0.1:" + server.getAddress().getPort() + "/")
                        .build())
                .execute()) {
            return r.code();
        } finally {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
    }

    @Test
    void anUnknownAuthorityIsRefusedByDefault() {
        assertThrows(SSLHandshakeException.class, () -> get(TlsTrust.DEFAULT));
    }

    @Test
    void aPemBundleAddsTheAuthority() throws Exception {
        assertEquals(200, get(new TlsTrust(null, null, null, caPem)));
    }

    @Test
    void aTrustStoreAddsTheAuthority() throws Exception {
        assertEquals(200, get(new TlsTrust(serverStore, "changeit", "PKCS12", null)));
    }

    @Test
    void theJvmAuthoritiesStayTrusted() {
        TlsTrust t = new TlsTrust(null, null, null, caPem);
        assertTrue(
                t.trustManager(AllowedPaths.of(dir.toString())).getAcceptedIssuers().length > 1, "JVM CAs plus ours");
    }

    @Test
    void inlinePemCertificatesAddTheAuthority() throws Exception {
        assertEquals(200, get(TlsTrust.ofPem(Files.readString(caPem))));
        // as a config provider may give it: the newlines escaped
        assertEquals(200, get(TlsTrust.ofPem(Files.readString(caPem).replace("\n", "\\n"))));
    }

    /** The CA file a REST user names is read only from the worker's allowed directories. */
    @Test
    void aCaFileOutsideTheAllowedDirectoriesIsRefusedAlike() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Path planted = Files.copy(caPem, elsewhere.resolve("connect.log"));
        AllowedPaths allowed = AllowedPaths.of(dir.resolve("allowed-only").toString());
        Files.createDirectories(dir.resolve("allowed-only"));
        IllegalArgumentException existing = assertThrows(
                IllegalArgumentException.class, () -> new TlsTrust(null, null, null, planted).trustManager(allowed));
        IllegalArgumentException missing = assertThrows(
                IllegalArgumentException.class,
                () -> new TlsTrust(null, null, null, elsewhere.resolve("nothing-here.pem")).trustManager(allowed));
        assertEquals(existing.getMessage(), missing.getMessage(), "nothing is told about a file outside");
        assertTrue(existing.getMessage().contains("O365_ALLOWED_PATHS"), existing.getMessage());
    }

    @Test
    void toStringHidesThePassword() {
        String s = new TlsTrust(serverStore, "changeit", "PKCS12", null).toString();
        assertFalse(s.contains("changeit"), s);
    }
}
