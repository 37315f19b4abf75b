package io.github.auditlake.o365.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/** Shared helpers of the simulator conformance tests: a plain JDK HttpClient, nothing from the project client. */
public final class SimTestSupport {

    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final String OTHER_TENANT = "11111111-2222-4333-8444-555555555555";
    static final String CLIENT = "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69";
    static final String SECRET = "s3cret~value";
    static final String PUBLISHER = "0b2e5c4d-1111-4222-8333-444455556666";
    static final Instant T0 = Instant.parse("2024-03-01T12:00:00Z");

    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SimTestSupport() {}

    static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    static HttpResponse<String> post(String url, String contentType, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    static HttpResponse<String> get(String url, String token, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(60))
                .GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    static HttpResponse<String> apiPost(String url, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body))
                .header("Authorization", "Bearer " + token);
        if (body != null) {
            b.header("Content-Type", "application/json; utf-8");
        }
        return send(b.build());
    }

    static HttpResponse<String> send(HttpRequest r) {
        try {
            return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<InputStream> stream(String url, String token) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(300))
                        .header("Authorization", "Bearer " + token)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return Jwts.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    /** A v2 client-secret token for (tenant, client, secret). */
    static String token(ManagementApiSimulator sim, String tenant, String client, String secret) {
        HttpResponse<String> r = post(
                sim.tokenEndpointV2(tenant),
                "application/x-www-form-urlencoded",
                form(Map.of(
                        "grant_type",
                        "client_credentials",
                        "client_id",
                        client,
                        "client_secret",
                        secret,
                        "scope",
                        "https://manage.office.com/.default")));
        assertEquals(200, r.statusCode(), r.body());
        return json(r).get("access_token").asText();
    }

    static String token(ManagementApiSimulator sim) {
        return token(sim, TENANT, CLIENT, SECRET);
    }

    static String feed(ManagementApiSimulator sim) {
        return sim.apiRoot(TENANT);
    }

    static void assertApiError(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(code, json(r).path("error").path("code").asText(), r.body());
        assertEquals(
                "application/json; charset=utf-8",
                r.headers().firstValue("Content-Type").orElse(""));
    }

    static String recordJson(String id, String creationTime) {
        ObjectNode n = Jwts.JSON.createObjectNode();
        n.put("CreationTime", creationTime)
                .put("Id", id)
                .put("Operation", "Test")
                .put("RecordType", 2)
                .put("OrganizationId", TENANT)
                .put("UserType", 0)
                .put("UserKey", "k")
                .put("Workload", "Exchange")
                .put("UserId", "u@x")
                .put("ClientIP", "1.2.3.4");
        return n.toString();
    }

    static List<String> records(int n) {
        return java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> recordJson(UUID.randomUUID().toString(), "2024-03-01T10:00:00"))
                .collect(Collectors.toList());
    }

    /** A self-signed RSA-2048 certificate and key made with keytool (as an operator would). */
    public record Cert(X509Certificate certificate, PrivateKey key, Path pkcs12, String password) {
        /** The key (PKCS#8) and the certificate as one PEM text, as {@code o365.client.certificate.pem} takes it. */
        public String pem() throws java.security.cert.CertificateEncodingException {
            java.util.Base64.Encoder b64 =
                    java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
            return "-----BEGIN PRIVATE KEY-----\n" + b64.encodeToString(key.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\n"
                    + b64.encodeToString(certificate.getEncoded()) + "\n-----END CERTIFICATE-----\n";
        }
    }

    static Cert selfSigned(Path dir, String alias) throws Exception {
        return selfSigned(dir, alias, 30);
    }

    /** A self-signed certificate valid for {@code days} (its {@code notAfter} that far ahead). */
    public static Cert selfSigned(Path dir, String alias, int days) throws Exception {
        Path ks = dir.resolve(alias + ".p12");
        String pw = "changeit";
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        alias,
                        "-keyalg",
                        "RSA",
                        "-keysize",
                        "2048",
                        "-validity",
                        Integer.toString(days),
                        "-dname",
                        "CN=" + alias,
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        ks.toString(),
                        "-storepass",
                        pw,
                        "-keypass",
                        pw)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, pw.toCharArray());
        }
        return new Cert(
                (X509Certificate) store.getCertificate(alias),
                (PrivateKey) store.getKey(alias, pw.toCharArray()),
                ks,
                pw);
    }

    /** A client assertion as MSAL4J builds it (x5t#S256 + x5c) or with the legacy SHA-1 x5t. */
    static String assertion(Cert cert, String alg, String aud, String clientId, long nbf, long exp, boolean legacyX5t) {
        ObjectNode header = Jwts.JSON.createObjectNode();
        if (legacyX5t) {
            header.put("x5t", Jwts.x5t(cert.certificate()));
        } else {
            header.put("x5t#S256", Jwts.x5tS256(cert.certificate()));
            header.putArray("x5c").add(Jwts.x5cValue(cert.certificate()));
        }
        ObjectNode claims = Jwts.JSON
                .createObjectNode()
                .put("aud", aud)
                .put("iss", clientId)
                .put("sub", clientId)
                .put("jti", UUID.randomUUID().toString())
                .put("nbf", nbf)
                .put("exp", exp);
        return Jwts.signRsa(alg, header, claims, cert.key());
    }
}
