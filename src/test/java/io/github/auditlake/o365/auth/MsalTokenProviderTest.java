package io.github.auditlake.o365.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.AccessToken;
import io.github.auditlake.o365.api.AllowedPaths;
import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.Cloud;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.FakeTime;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.StubServer;
import io.github.auditlake.o365.api.StubServer.Reply;
import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.client.ManagementApis;
import java.io.FileInputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

public class MsalTokenProviderTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final String CLIENT = "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69";
    static final String SECRET = "s3cr3t-Value~DoNotLog";

    private StubServer stub;
    private OkHttpClient http;
    private FakeTime time;
    private final AtomicInteger issued = new AtomicInteger();

    @BeforeEach
    void setUp() throws Exception {
        stub = new StubServer();
        http = new OkHttpClient();
        time = new FakeTime(Instant.now());
        stub.handler((ex, r) -> {
            if (r.rawPathAndQuery().endsWith("/oauth2/v2.0/token")) {
                Map<String, String> form = form(r.body());
                boolean secretOk = SECRET.equals(form.get("client_secret"));
                boolean assertion = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
                                .equals(form.get("client_assertion_type"))
                        && form.get("client_assertion") != null;
                if (!CLIENT.equals(form.get("client_id")) || !(secretOk || assertion)) {
                    StubServer.send(
                            ex,
                            Reply.json(
                                    401,
                                    "{\"error\":\"invalid_client\",\"error_description\":"
                                            + "\"AADSTS7000215: Invalid client secret provided.\",\"error_codes\":[7000215]}"));
                    return;
                }
                String token = "eyJ0eXAi.token-" + issued.incrementAndGet() + "-" + (assertion ? "cert" : "secret");
                StubServer.send(
                        ex,
                        Reply.json(
                                200,
                                "{\"token_type\":\"Bearer\",\"expires_in\":3599,"
                                        + "\"ext_expires_in\":3599,\"access_token\":\"" + token + "\"}"));
                return;
            }
            StubServer.send(ex, Reply.json(200, "[]"));
        });
    }

    @AfterEach
    void tearDown() {
        stub.close();
        http.dispatcher().executorService().shutdown();
    }

    static Map<String, String> form(String body) {
        Map<String, String> m = new HashMap<>();
        for (String kv : body.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                m.put(
                        URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return m;
    }

    private MsalTokenProvider provider(ClientCredential credential) {
        // a certificate file is read from any directory here; AllowedPathsTest covers the worker's list
        return new MsalTokenProvider(
                TENANT,
                CLIENT,
                credential,
                Cloud.COMMERCIAL.loginBaseUrl(),
                stub.baseUrl(),
                Cloud.COMMERCIAL.scope(),
                http,
                time,
                AllowedPaths.ANY);
    }

    @Test
    void secretSignInUsesRealAuthorityAndScopeThroughOverride() {
        MsalTokenProvider p = provider(ClientCredential.secret(SECRET));
        AccessToken t = p.token();
        assertTrue(t.value().endsWith("-secret"));
        assertEquals("https://login.microsoftonline.com/" + TENANT + "/", p.authority());
        StubServer.Recorded r = stub.requests().get(0);
        assertEquals("/" + TENANT + "/oauth2/v2.0/token", r.rawPathAndQuery());
        Map<String, String> f = form(r.body());
        assertTrue(f.get("scope").contains("https://manage.office.com/.default"), f.get("scope"));
        assertEquals("client_credentials", f.get("grant_type"));
        assertFalse(t.toString().contains(t.value()));
    }

    @Test
    void cachedUntilFiveMinutesBeforeExpiryThenRefreshed() {
        MsalTokenProvider p = provider(ClientCredential.secret(SECRET));
        AccessToken first = p.token();
        assertEquals(first, p.token());
        time.advance(Duration.ofMinutes(50));
        assertEquals(first.value(), p.token().value());
        assertEquals(1, stub.requests().size());
        time.advance(Duration.ofMinutes(5)); // 55 min of 60: inside the 5-minute refresh-ahead margin
        AccessToken second = p.token();
        assertNotEquals(first.value(), second.value());
        assertEquals(2, stub.requests().size());
    }

    @Test
    void invalidateForcesNewToken() {
        MsalTokenProvider p = provider(ClientCredential.secret(SECRET));
        AccessToken first = p.token();
        p.invalidate(first);
        assertNotEquals(first.value(), p.token().value());
        assertEquals(2, stub.requests().size());
    }

    @Test
    void wrongSecretIsAuthenticationNamingTheSetting() {
        MsalTokenProvider p = provider(ClientCredential.secret("wrong"));
        ApiException e = assertThrows(ApiException.class, p::token);
        assertEquals(ErrorKind.AUTHENTICATION, e.kind());
        assertTrue(e.getMessage().contains("client secret"), e.getMessage());
        assertFalse(e.getMessage().contains("wrong"), e.getMessage());
    }

    @Test
    void aSignInErrorNamesTheConfiguredLoginHostNotMicrosofts() {
        ApiException e = assertThrows(ApiException.class, provider(ClientCredential.secret("wrong"))::token);
        assertTrue(
                e.getMessage().startsWith("Sign-in to " + stub.baseUrl() + "/" + TENANT + "/ failed"), e.getMessage());
        assertFalse(e.getMessage().contains("login.microsoftonline.com"), e.getMessage());
        assertTrue(e instanceof SignInException, "a sign-in failure is told apart from an API failure: " + e);
    }

    @Test
    void withoutAnOverrideASignInErrorNamesTheCloudsLoginHost() {
        MsalTokenProvider p = new MsalTokenProvider(
                TENANT,
                CLIENT,
                ClientCredential.secret(SECRET),
                "https://127.0.0.1:1",
                null,
                Cloud.COMMERCIAL.scope(),
                http,
                time);
        ApiException e = assertThrows(ApiException.class, p::token);
        assertTrue(e.getMessage().startsWith("Sign-in to https://127.0.0.1:1/" + TENANT + "/ failed"), e.getMessage());
    }

    @Test
    void loginServerErrorIsTransient() {
        stub.handler((ex, r) -> StubServer.send(
                ex,
                Reply.json(
                        503,
                        "{\"error\":\"temporarily_unavailable\"," + "\"error_description\":\"AADSTS50000: down\"}")));
        ApiException e = assertThrows(
                ApiException.class,
                () -> provider(ClientCredential.secret(SECRET)).token());
        assertEquals(ErrorKind.TRANSIENT, e.kind());
    }

    @Test
    void aTokenResponseLargerThanItsCapFailsTheSignInWithoutBeingReadWhole() {
        long[] served = {0};
        stub.handler((ex, r) -> {
            // a valid token response, padded past the cap and streamed: it is never read whole
            ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
            ex.sendResponseHeaders(200, 0);
            try (java.io.OutputStream os = ex.getResponseBody()) {
                os.write("{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":\"eyJ0.pad\",\"pad\":\""
                        .getBytes(StandardCharsets.UTF_8));
                byte[] chunk = "x".repeat(8192).getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < 2048; i++) { // 16 MiB
                    os.write(chunk);
                    served[0] += chunk.length;
                }
                os.write("\"}".getBytes(StandardCharsets.UTF_8));
            } catch (java.io.IOException stoppedReading) {
                // the client closed the connection: expected
            }
        });
        ApiException e = assertThrows(
                ApiException.class,
                () -> provider(ClientCredential.secret(SECRET)).token());
        assertEquals(ErrorKind.TRANSIENT, e.kind(), e.getMessage());
        assertTrue(
                e.getMessage()
                        .contains("larger than its limit of "
                                + io.github.auditlake.o365.api.BodyLimits.SIGN_IN_MAX_BYTES),
                e.getMessage());
    }

    @Test
    void unreachableLoginIsTransient() {
        MsalTokenProvider p = new MsalTokenProvider(
                TENANT,
                CLIENT,
                ClientCredential.secret(SECRET),
                Cloud.COMMERCIAL.loginBaseUrl(),
                "http://127.0.0.1:1",
                Cloud.COMMERCIAL.scope(),
                http,
                time);
        ApiException e = assertThrows(ApiException.class, p::token);
        assertEquals(ErrorKind.TRANSIENT, e.kind());
        assertTrue(e.getMessage().contains("http://127.0.0.1:1/"), e.getMessage());
        assertTrue(e.getCause() instanceof java.io.IOException, "the IO cause is kept: " + e.getCause());
    }

    public static Path pkcs12(Path dir) throws Exception {
        Path ks = dir.resolve("app.p12");
        Process proc = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "app",
                        "-keyalg",
                        "RSA",
                        "-keysize",
                        "2048",
                        "-validity",
                        "2",
                        "-dname",
                        "CN=auditlake-test",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        ks.toString(),
                        "-storepass",
                        "changeit",
                        "-keypass",
                        "changeit")
                .redirectErrorStream(true)
                .start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(proc.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, proc.exitValue(), out);
        return ks;
    }

    public static Path pem(Path dir, Path p12) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(p12.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        PrivateKey key = (PrivateKey) ks.getKey("app", "changeit".toCharArray());
        Certificate cert = ks.getCertificate("app");
        Base64.Encoder enc = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        String text = "-----BEGIN PRIVATE KEY-----\n" + enc.encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\n" + enc.encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        Path pem = dir.resolve("app.pem");
        Files.writeString(pem, text);
        return pem;
    }

    @Test
    void certificatePkcs12AndPem(@TempDir Path dir) throws Exception {
        Path p12 = pkcs12(dir);
        AccessToken t1 = provider(ClientCredential.certificate(p12, "changeit")).token();
        assertTrue(t1.value().endsWith("-cert"));
        Map<String, String> f = form(stub.requests().get(0).body());
        String[] jwt = f.get("client_assertion").split("\\.");
        assertEquals(3, jwt.length);
        String claims = new String(Base64.getUrlDecoder().decode(jwt[1]), StandardCharsets.UTF_8);
        String header = new String(Base64.getUrlDecoder().decode(jwt[0]), StandardCharsets.UTF_8);
        assertTrue(header.contains("\"x5t"), header);
        assertTrue(claims.contains("\"iss\":\"" + CLIENT + "\""), claims);
        assertTrue(claims.contains("login.microsoftonline.com/" + TENANT), claims);

        AccessToken t2 =
                provider(ClientCredential.certificate(pem(dir, p12), null)).token();
        assertTrue(t2.value().endsWith("-cert"));

        ApiException bad = assertThrows(ApiException.class, () -> provider(ClientCredential.certificate(p12, "wrong")));
        assertEquals(ErrorKind.AUTHENTICATION, bad.kind());
        assertTrue(bad.getMessage().contains("certificate"), bad.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Cloud.class)
    void eachCloudsAuthorityAndScope(Cloud cloud) {
        ClientSettings s = ClientSettings.builder()
                .tenantId(TENANT)
                .clientId(CLIENT)
                .clientSecret(SECRET)
                .cloud(cloud)
                .loginBaseUrl(stub.baseUrl())
                .build();
        MsalTokenProvider p = (MsalTokenProvider) ManagementApis.tokenProvider(s, http);
        String expectedLogin = switch (cloud) {
            case COMMERCIAL, GCC -> "https://login.microsoftonline.com";
            case GCC_HIGH, DOD -> "https://login.microsoftonline.us";
        };
        String expectedApi = switch (cloud) {
            case COMMERCIAL -> "https://manage.office.com";
            case GCC -> "https://manage-gcc.office.com";
            case GCC_HIGH -> "https://manage.office365.us";
            case DOD -> "https://manage.protection.apps.mil";
        };
        assertEquals(expectedLogin + "/" + TENANT + "/", p.authority());
        assertEquals(expectedApi + "/.default", p.scope());
        assertEquals(expectedApi, s.effectiveApiBaseUrl());
        p.token();
        assertTrue(form(stub.requests().get(0).body()).get("scope").contains(expectedApi + "/.default"));
        assertEquals("/" + TENANT + "/oauth2/v2.0/token", stub.requests().get(0).rawPathAndQuery());
    }

    @Test
    void apiOverrideOnAKnownCloudHostPicksThatCloudsScope() {
        ClientSettings s = ClientSettings.builder()
                .tenantId(TENANT)
                .clientId(CLIENT)
                .clientSecret(SECRET)
                .apiBaseUrl("https://manage.office365.us/")
                .build();
        assertEquals("https://manage.office365.us/.default", s.scope());
        assertEquals("https://login.microsoftonline.com", s.loginAuthorityBaseUrl());
    }

    /** Captures every event at TRACE for our loggers and MSAL's. */
    static final class Capture extends AbstractAppender {
        final List<String> lines = new ArrayList<>();

        Capture() {
            super("capture", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public synchronized void append(LogEvent event) {
            StringBuilder sb = new StringBuilder(event.getMessage().getFormattedMessage());
            for (Throwable t = event.getThrown(); t != null; t = t.getCause()) {
                sb.append(' ').append(t);
            }
            lines.add(sb.toString());
        }
    }

    @Test
    void noSecretOrTokenInAnyLogLine() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        Capture capture = new Capture();
        capture.start();
        Map<LoggerConfig, Level> previous = new HashMap<>();
        List<LoggerConfig> added = new ArrayList<>();
        for (String name : List.of("io.github.auditlake.o365", "com.microsoft.aad.msal4j")) {
            LoggerConfig lc = cfg.getLoggerConfig(name);
            if (!lc.getName().equals(name)) {
                lc = new LoggerConfig(name, Level.TRACE, true);
                cfg.addLogger(name, lc);
                added.add(lc);
            }
            previous.put(lc, lc.getLevel());
            lc.setLevel(Level.TRACE);
            lc.addAppender(capture, Level.TRACE, null);
        }
        ctx.updateLoggers();
        try {
            ClientSettings s = ClientSettings.builder()
                    .tenantId(TENANT)
                    .clientId(CLIENT)
                    .clientSecret(SECRET)
                    .apiBaseUrl(stub.baseUrl())
                    .loginBaseUrl(stub.baseUrl())
                    .clock(time)
                    .sleeper(time)
                    .build();
            try (ManagementApi api = ManagementApis.create(s)) {
                api.listSubscriptions();
                api.listSubscriptions();
            }
            ClientSettings bad = ClientSettings.builder()
                    .tenantId(TENANT)
                    .clientId(CLIENT)
                    .clientSecret("wrong-" + SECRET)
                    .apiBaseUrl(stub.baseUrl())
                    .loginBaseUrl(stub.baseUrl())
                    .clock(time)
                    .sleeper(time)
                    .build();
            try (ManagementApi api = ManagementApis.create(bad)) {
                assertThrows(ApiException.class, api::listSubscriptions);
            }
        } finally {
            previous.forEach((lc, level) -> {
                lc.removeAppender("capture");
                lc.setLevel(level);
            });
            added.forEach(lc -> cfg.removeLogger(lc.getName()));
            ctx.updateLoggers();
        }
        assertFalse(capture.lines.isEmpty(), "expected some log lines at TRACE");
        assertTrue(capture.lines.stream().anyMatch(l -> l.contains("subscriptions/list")), "request lines logged");
        for (String line : capture.lines) {
            assertFalse(line.contains(SECRET), "secret in log: " + line);
            assertFalse(line.contains("token-1") || line.contains("eyJ0eXAi"), "token in log: " + line);
            assertFalse(line.contains("Bearer "), "Authorization in log: " + line);
        }
        // the bearer actually sent
        assertTrue(stub.requests().stream()
                .anyMatch(r -> "Bearer eyJ0eXAi.token-1-secret".equals(r.header("Authorization"))));
    }
}
