package io.github.auditlake.o365.simulator;

import static io.github.auditlake.o365.simulator.SimTestSupport.CLIENT;
import static io.github.auditlake.o365.simulator.SimTestSupport.OTHER_TENANT;
import static io.github.auditlake.o365.simulator.SimTestSupport.SECRET;
import static io.github.auditlake.o365.simulator.SimTestSupport.T0;
import static io.github.auditlake.o365.simulator.SimTestSupport.TENANT;
import static io.github.auditlake.o365.simulator.SimTestSupport.assertApiError;
import static io.github.auditlake.o365.simulator.SimTestSupport.assertion;
import static io.github.auditlake.o365.simulator.SimTestSupport.feed;
import static io.github.auditlake.o365.simulator.SimTestSupport.form;
import static io.github.auditlake.o365.simulator.SimTestSupport.get;
import static io.github.auditlake.o365.simulator.SimTestSupport.json;
import static io.github.auditlake.o365.simulator.SimTestSupport.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.IHttpResponse;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Sign-in conformance: both token endpoints, both credential kinds, Entra error bodies, bearer checks. */
class SimAuthTest {

    static final String NO_ROLES = "aaaaaaaa-0000-4000-8000-000000000001";
    static final String NO_DLP = "aaaaaaaa-0000-4000-8000-000000000002";
    static final String CERT_APP = "aaaaaaaa-0000-4000-8000-000000000003";

    @TempDir
    static Path dir;

    SimClock clock;
    ManagementApiSimulator sim;
    static SimTestSupport.Cert cert;
    static SimTestSupport.Cert otherCert;

    @BeforeAll
    static void certificates() throws Exception {
        cert = SimTestSupport.selfSigned(dir, "sim-app");
        otherCert = SimTestSupport.selfSigned(dir, "intruder");
    }

    @BeforeEach
    void setUp() throws Exception {
        clock = SimClock.fixed(T0);
        sim = ManagementApiSimulator.builder()
                .clock(clock)
                .tokenLifetime(Duration.ofMinutes(60))
                .tenant(TenantSpec.of(TENANT)
                        .domain("contoso.onmicrosoft.com")
                        .subscribedAll(true)
                        .app(AppSpec.of(CLIENT).secret(SECRET))
                        .app(AppSpec.of(NO_ROLES).secret("x").noRoles())
                        .app(AppSpec.of(NO_DLP).secret("x").roles(AppSpec.ROLE_READ, AppSpec.ROLE_SERVICE_HEALTH))
                        .app(AppSpec.of(CERT_APP).certificate(cert.certificate())))
                .tenant(TenantSpec.of(OTHER_TENANT)
                        .app(AppSpec.of(CLIENT).secret(SECRET))
                        .subscribedAll(true))
                .build()
                .start();
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    private static Map<String, String> m(String... kv) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            out.put(kv[i], kv[i + 1]);
        }
        return out;
    }

    private HttpResponse<String> v2(String tenant, Map<String, String> fields, String... headers) {
        return post(sim.tokenEndpointV2(tenant), "application/x-www-form-urlencoded", form(fields), headers);
    }

    private static JsonNode claims(String jwt) throws Exception {
        return Jwts.JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }

    @Test
    void v1SecretGivesStringNumbersAndV1Token() throws Exception {
        HttpResponse<String> r = post(
                sim.tokenEndpointV1(TENANT) + "?api-version=1.0",
                "application/x-www-form-urlencoded",
                form(m(
                        "grant_type",
                        "client_credentials",
                        "resource",
                        "https://manage.office.com",
                        "client_id",
                        CLIENT,
                        "client_secret",
                        SECRET)));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode n = json(r);
        assertTrue(n.get("expires_in").isTextual(), r.body());
        assertEquals("3600", n.get("expires_in").asText());
        assertTrue(n.get("expires_on").isTextual());
        assertTrue(n.get("not_before").isTextual());
        assertEquals("https://manage.office.com", n.get("resource").asText());
        assertEquals("Bearer", n.get("token_type").asText());
        JsonNode c = claims(n.get("access_token").asText());
        assertEquals("https://manage.office.com", c.get("aud").asText());
        assertEquals(TENANT, c.get("tid").asText());
        assertEquals(CLIENT, c.get("appid").asText());
        assertEquals("1.0", c.get("ver").asText());
        assertEquals("https://sts.windows.net/" + TENANT + "/", c.get("iss").asText());
        assertEquals(T0.getEpochSecond() + 3600, c.get("exp").asLong());
        assertTrue(c.get("iat").asLong() <= T0.getEpochSecond() && c.get("nbf").asLong() <= T0.getEpochSecond());
        assertEquals(
                List.of("ActivityFeed.Read", "ActivityFeed.ReadDlp"),
                List.of(c.get("roles").get(0).asText(), c.get("roles").get(1).asText()));
    }

    @Test
    void v2SecretInBodyWithMsalExtrasGivesNumbers() throws Exception {
        HttpResponse<String> r = v2(
                "contoso.onmicrosoft.com",
                m(
                        "client_id",
                        CLIENT,
                        "client_secret",
                        SECRET,
                        "scope",
                        "openid profile offline_access https://manage.office.com/.default",
                        "client_info",
                        "1",
                        "grant_type",
                        "client_credentials"),
                "X-client-sku",
                "MSAL.Java",
                "Client-request-id",
                "0e8fa6f1-1111-4222-8333-444455556666",
                "Return-client-request-id",
                "true");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode n = json(r);
        assertTrue(n.get("expires_in").isNumber());
        assertEquals(3600, n.get("expires_in").asInt());
        assertTrue(n.get("ext_expires_in").isNumber());
        assertFalse(n.has("refresh_token"));
        assertEquals(TENANT, claims(n.get("access_token").asText()).get("tid").asText());
    }

    @Test
    void v2SecretAsHttpBasic() {
        String basic = Base64.getEncoder().encodeToString((CLIENT + ":" + SECRET).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = v2(
                TENANT,
                m("scope", "https://manage.office.com/.default", "grant_type", "client_credentials"),
                "Authorization",
                "Basic " + basic);
        assertEquals(200, r.statusCode(), r.body());
        String bad = Base64.getEncoder().encodeToString((CLIENT + ":nope").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r2 = v2(
                TENANT,
                m("scope", "https://manage.office.com/.default", "grant_type", "client_credentials"),
                "Authorization",
                "Basic " + bad);
        assertEquals(401, r2.statusCode());
        assertEquals(7000215, json(r2).get("error_codes").get(0).asInt());
    }

    @Test
    void entraErrorBodies() {
        HttpResponse<String> bad = v2(
                TENANT,
                m(
                        "client_id",
                        CLIENT,
                        "client_secret",
                        "wrong",
                        "scope",
                        "https://manage.office.com/.default",
                        "grant_type",
                        "client_credentials"));
        assertEquals(401, bad.statusCode());
        JsonNode n = json(bad);
        assertEquals("invalid_client", n.get("error").asText());
        assertTrue(n.get("error_description").asText().startsWith("AADSTS7000215: Invalid client secret provided"));
        assertEquals(7000215, n.get("error_codes").get(0).asInt());
        assertTrue(n.hasNonNull("timestamp") && n.hasNonNull("trace_id") && n.hasNonNull("correlation_id"));
        assertFalse(bad.body().contains("wrong"), "the secret must not be echoed");

        HttpResponse<String> app = v2(
                TENANT,
                m(
                        "client_id",
                        "99999999-0000-4000-8000-000000000000",
                        "client_secret",
                        "x",
                        "scope",
                        "https://manage.office.com/.default",
                        "grant_type",
                        "client_credentials"));
        assertEquals(400, app.statusCode());
        assertEquals("unauthorized_client", json(app).get("error").asText());
        assertEquals(700016, json(app).get("error_codes").get(0).asInt());

        HttpResponse<String> tenant = v2(
                "nosuch.onmicrosoft.com",
                m(
                        "client_id",
                        CLIENT,
                        "client_secret",
                        SECRET,
                        "scope",
                        "https://manage.office.com/.default",
                        "grant_type",
                        "client_credentials"));
        assertEquals(400, tenant.statusCode());
        assertEquals(90002, json(tenant).get("error_codes").get(0).asInt());

        HttpResponse<String> scope = v2(
                TENANT,
                m(
                        "client_id",
                        CLIENT,
                        "client_secret",
                        SECRET,
                        "scope",
                        "https://vault.azure.net/.default",
                        "grant_type",
                        "client_credentials"));
        assertEquals(400, scope.statusCode());
        assertEquals(500011, json(scope).get("error_codes").get(0).asInt());
    }

    private HttpResponse<String> withAssertion(String tenant, String jwt, boolean v1) {
        Map<String, String> f = m(
                "client_id",
                CERT_APP,
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion",
                jwt,
                "grant_type",
                "client_credentials");
        if (v1) {
            f.put("resource", "https://manage.office.com");
            return post(sim.tokenEndpointV1(tenant), "application/x-www-form-urlencoded", form(f));
        }
        f.put("scope", "https://manage.office.com/.default");
        return v2(tenant, f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS256", "PS256"})
    void certificateAssertionIsVerified(String alg) throws Exception {
        long now = T0.getEpochSecond();
        String aud = sim.tokenEndpointV2(TENANT);
        HttpResponse<String> ok =
                withAssertion(TENANT, assertion(cert, alg, aud, CERT_APP, now, now + 600, false), false);
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(
                "2",
                claims(json(ok).get("access_token").asText()).get("appidacr").asText());
        // the Microsoft authority as audience is accepted too (client behind a rewriting IHttpClient)
        HttpResponse<String> ms = withAssertion(
                TENANT,
                assertion(
                        cert,
                        alg,
                        "https://login.microsoftonline.com/" + TENANT + "/oauth2/v2.0/token",
                        CERT_APP,
                        now,
                        now + 600,
                        false),
                false);
        assertEquals(200, ms.statusCode(), ms.body());
        // legacy v1 form: RS256/PS256 + SHA-1 x5t, aud = v1 endpoint
        HttpResponse<String> v1 = withAssertion(
                TENANT, assertion(cert, alg, sim.tokenEndpointV1(TENANT), CERT_APP, now, now + 600, true), true);
        assertEquals(200, v1.statusCode(), v1.body());
    }

    @Test
    void badAssertionsAreRefused() throws Exception {
        long now = T0.getEpochSecond();
        String aud = sim.tokenEndpointV2(TENANT);
        // signed by another key but claiming the registered certificate's thumbprint
        SimTestSupport.Cert forged = new SimTestSupport.Cert(cert.certificate(), otherCert.key(), null, null);
        assertAssertionError(
                withAssertion(TENANT, assertion(forged, "RS256", aud, CERT_APP, now, now + 600, false), false), 700027);
        // unregistered certificate
        assertAssertionError(
                withAssertion(TENANT, assertion(otherCert, "RS256", aud, CERT_APP, now, now + 600, false), false),
                700027);
        // wrong audience
        assertAssertionError(
                withAssertion(
                        TENANT,
                        assertion(
                                cert,
                                "PS256",
                                "https://evil.example/" + TENANT + "/oauth2/v2.0/token",
                                CERT_APP,
                                now,
                                now + 600,
                                false),
                        false),
                700027);
        // wrong iss/sub
        assertAssertionError(
                withAssertion(TENANT, assertion(cert, "RS256", aud, CLIENT, now, now + 600, false), false), 700027);
        // expired, and not yet valid
        assertAssertionError(
                withAssertion(TENANT, assertion(cert, "RS256", aud, CERT_APP, now - 3600, now - 1200, false), false),
                700024);
        assertAssertionError(
                withAssertion(TENANT, assertion(cert, "RS256", aud, CERT_APP, now + 3600, now + 4200, false), false),
                700024);
        // garbage
        assertAssertionError(withAssertion(TENANT, "not.a.jwt", false), 700027);
    }

    private static void assertAssertionError(HttpResponse<String> r, int code) {
        assertEquals(401, r.statusCode(), r.body());
        assertEquals("invalid_client", json(r).get("error").asText());
        assertEquals(code, json(r).get("error_codes").get(0).asInt(), r.body());
    }

    @Test
    void bearerChecksOnTheApi() {
        String url = feed(sim) + "/subscriptions/list";
        HttpResponse<String> none = get(url, null);
        assertEquals(401, none.statusCode());
        assertEquals(401, get(url, "garbage").statusCode());
        String token = SimTestSupport.token(sim);
        assertEquals(200, get(url, token).statusCode());
        // a token signed by another simulator instance is invalid here
        try (ManagementApiSimulator other = ManagementApiSimulator.builder()
                .clock(clock)
                .tenant(TenantSpec.of(TENANT).app(AppSpec.of(CLIENT).secret(SECRET)))
                .build()
                .start()) {
            assertEquals(401, get(url, SimTestSupport.token(other)).statusCode());
        }
        // expiry, by moving the simulated clock
        clock.advance(Duration.ofMinutes(59));
        assertEquals(200, get(url, token).statusCode());
        clock.advance(Duration.ofMinutes(1));
        HttpResponse<String> expired = get(url, token);
        assertEquals(401, expired.statusCode());
        assertTrue(expired.headers().firstValue("WWW-Authenticate").isPresent());
    }

    @Test
    void rolesTenantAndGuidChecks() {
        HttpResponse<String> noRole =
                get(feed(sim) + "/subscriptions/list", SimTestSupport.token(sim, TENANT, NO_ROLES, "x"));
        assertApiError(noRole, 401, "AF10001");
        assertTrue(json(noRole).at("/error/message").asText().contains("permission set ()"));

        String noDlp = SimTestSupport.token(sim, TENANT, NO_DLP, "x");
        assertEquals(
                200,
                get(feed(sim) + "/subscriptions/content?contentType=Audit.General", noDlp)
                        .statusCode());
        HttpResponse<String> dlp = get(feed(sim) + "/subscriptions/content?contentType=DLP.All", noDlp);
        assertEquals(401, dlp.statusCode(), dlp.body());
        HttpResponse<String> dlpOk =
                get(feed(sim) + "/subscriptions/content?contentType=DLP.All", SimTestSupport.token(sim));
        assertEquals(200, dlpOk.statusCode());

        String other = SimTestSupport.token(sim, OTHER_TENANT, CLIENT, SECRET);
        HttpResponse<String> mismatch = get(feed(sim) + "/subscriptions/list", other);
        assertApiError(mismatch, 401, "AF20010");
        assertTrue(json(mismatch).at("/error/message").asText().contains(OTHER_TENANT));

        HttpResponse<String> notGuid = get(
                sim.baseUrl() + "/api/v1.0/contoso.onmicrosoft.com/activity/feed" + "/subscriptions/list",
                SimTestSupport.token(sim));
        assertApiError(notGuid, 400, "AF20013");
    }

    @Test
    void iisStyleHeaders() {
        HttpResponse<String> r = get(feed(sim) + "/subscriptions/list", SimTestSupport.token(sim));
        assertEquals("Microsoft-IIS/10.0", r.headers().firstValue("Server").orElse(""));
        assertEquals("ASP.NET", r.headers().firstValue("X-Powered-By").orElse(""));
        assertEquals(
                "application/json; charset=utf-8",
                r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(r.headers().firstValue("Date").isPresent());
    }

    /** MSAL4J, the library the connector uses, signs in with a secret and with a certificate. */
    @Test
    void msal4jSignsInWithSecretAndCertificate() throws Exception {
        try (ManagementApiSimulator live = ManagementApiSimulator.builder()
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret(SECRET).certificate(cert.certificate())))
                .build()
                .start()) {
            IClientCredential secret = ClientCredentialFactory.createFromSecret(SECRET);
            IClientCredential certificate;
            try (InputStream in = Files.newInputStream(cert.pkcs12())) {
                certificate = ClientCredentialFactory.createFromCertificate(in, cert.password());
            }
            for (IClientCredential cred : List.of(secret, certificate)) {
                ConfidentialClientApplication app = ConfidentialClientApplication.builder(CLIENT, cred)
                        .authority("https://login.microsoftonline.com/" + TENANT + "/")
                        .instanceDiscovery(false)
                        .httpClient(forwardTo(live.baseUrl()))
                        .build();
                String token = app.acquireToken(
                                ClientCredentialParameters.builder(Set.of("https://manage.office.com/.default"))
                                        .build())
                        .get()
                        .accessToken();
                assertEquals(
                        200,
                        get(live.apiRoot(TENANT) + "/subscriptions/list", token).statusCode());
            }
            assertTrue(live.requests().stream()
                    .anyMatch(r -> r.header("x-client-sku").isPresent()));
        }
    }

    /** An MSAL IHttpClient that sends everything to the simulator, keeping path and query. */
    static IHttpClient forwardTo(String base) {
        return request -> {
            URI u = request.url().toURI();
            HttpRequest.Builder b = HttpRequest.newBuilder(
                    URI.create(base + u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery())));
            request.headers().forEach((k, v) -> {
                if (!k.equalsIgnoreCase("Content-Length") && !k.equalsIgnoreCase("Host")) {
                    b.header(k, v);
                }
            });
            b.method(
                    request.httpMethod().name(),
                    request.body() == null
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(request.body()));
            HttpResponse<String> r = SimTestSupport.send(b.build());
            com.microsoft.aad.msal4j.HttpResponse out = new com.microsoft.aad.msal4j.HttpResponse()
                    .statusCode(r.statusCode())
                    .body(r.body());
            out.addHeaders(r.headers().map());
            return (IHttpResponse) out;
        };
    }
}
