package io.github.auditlake.o365.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.AllowedPaths;
import io.github.auditlake.o365.api.EndpointAllowList;
import io.github.auditlake.o365.api.StubServer;
import io.github.auditlake.o365.api.TunnelProxy;
import io.github.auditlake.o365.testkit.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A REST user who may create connectors must not be able to make {@code validate()} (which signs in live) send the
 * worker's credentials to a host of their choosing.
 */
class ConfigValidatorSecurityTest {
    static final String SECRET = "planted-Secret-9d8c7b";

    static Map<String, String> props(String loginUrl, String apiUrl) {
        Map<String, String> p = new HashMap<>();
        p.put("o365.tenant.id", "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d");
        p.put("o365.client.id", "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69");
        p.put("o365.client.secret", SECRET);
        if (loginUrl != null) {
            p.put("o365.login.url", loginUrl);
        }
        if (apiUrl != null) {
            p.put("o365.api.url", apiUrl);
        }
        return p;
    }

    static Map<String, List<String>> validate(Map<String, String> props, EndpointAllowList allow) {
        return validate(props, allow, AllowedPaths.of(""));
    }

    static Map<String, List<String>> validate(Map<String, String> props, EndpointAllowList allow, AllowedPaths files) {
        Config base = new Config(O365SourceConfig.CONFIG_DEF.validate(props));
        Config out = new ConfigValidator(new DefaultApiFactory().withAllowedPaths(files), allow, files)
                .validate(props, base);
        Map<String, List<String>> m = new HashMap<>();
        for (ConfigValue v : out.configValues()) {
            if (!v.errorMessages().isEmpty()) {
                m.put(v.name(), v.errorMessages());
            }
        }
        return m;
    }

    @Test
    void anOverrideOffTheAllowListFailsOnItsFieldAndNothingIsSentThere() throws Exception {
        try (StubServer attacker = new StubServer()) {
            Map<String, List<String>> e =
                    validate(props(attacker.baseUrl(), attacker.baseUrl()), EndpointAllowList.of("127.0.0.1:1"));
            assertEquals(java.util.Set.of("o365.login.url", "o365.api.url"), e.keySet(), e.toString());
            assertTrue(e.get("o365.login.url").get(0).contains("O365_ENDPOINT_OVERRIDE_HOSTS"), e.toString());
            assertTrue(attacker.requests().isEmpty(), "the attacker received " + attacker.requests());
        }
    }

    @Test
    void anAllowedOverrideIsContacted() throws Exception {
        try (StubServer allowed = new StubServer()) {
            validate(
                    props(allowed.baseUrl(), allowed.baseUrl()),
                    EndpointAllowList.of(allowed.baseUrl().substring("http://".length())));
            assertFalse(allowed.requests().isEmpty(), "the live check signed in at the allowed host");
        }
    }

    @Test
    void anAuthenticatingProxyOffTheListIsRefused() {
        Map<String, String> p = props(null, null);
        p.put("o365.http.proxy.url", "http://127.0.0.1:3128");
        p.put("o365.http.proxy.user", "u");
        p.put("o365.http.proxy.password", "planted-proxy-pw");
        Map<String, List<String>> e = validate(p, EndpointAllowList.of(""));
        assertTrue(e.containsKey("o365.http.proxy.url"), e.toString());
    }

    @Test
    void aProxyUrlWithCredentialsIsRefusedAndNamesTheFieldsToUse() {
        Map<String, String> p = props(null, null);
        p.put("o365.http.proxy.url", "http://bob:planted-proxy-pw@proxy.example:3128");
        Map<String, List<String>> e = validate(p, EndpointAllowList.of("*"));
        String m = String.join(" ", e.get("o365.http.proxy.url"));
        assertTrue(m.contains("o365.http.proxy.user") && m.contains("o365.http.proxy.password"), m);
        assertFalse(m.contains("planted-proxy-pw"), "the message never echoes the password: " + m);
    }

    @TempDir
    Path dir;

    /** A CA certificate (the attacker's), PEM, with its base64 lines. */
    static String caPem() {
        return "-----BEGIN CERTIFICATE-----\n"
                + "MIIBszCCAVmgAwIBAgIUPLANTEDcaPLANTEDcaPLANTEDca0wCgYIKoZIzj0EAwIw\n"
                + "ATTACKERplantedCAline2ATTACKERplantedCAline2ATTACKERplantedCAli\n"
                + "-----END CERTIFICATE-----\n";
    }

    /**
     * The two-step attack of issue 20, with only REST access: (1) a validate() with a PEM hidden in a non-password
     * field, to plant it in the worker's log; (2) a validate() naming that log as the CA bundle and an attacker's
     * host as the proxy, to intercept sign-in. On main, step 1 wrote the PEM to the log (AbstractConfig logs every
     * non-password value at INFO) and step 2 was accepted for a proxy without credentials.
     */
    @Test
    void theLogPlantedCaAttackFailsAtBothSteps() throws Exception {
        String pem = caPem();
        String line = pem.split("\n")[1];
        Map<String, String> plant = props(null, null);
        plant.put("o365.http.proxy.user", pem);
        plant.put("o365.tls.truststore.path", pem);
        try (LogCapture logs = LogCapture.open()) {
            validate(plant, EndpointAllowList.of(""));
            new O365SourceConfig(plant);
            assertTrue(
                    logs.lines().stream().noneMatch(l -> l.contains(line)),
                    "validate() logged a value the REST user typed: " + logs.lines());
        }

        Path log = Files.createDirectories(dir.resolve("logs")).resolve("connect.log");
        Files.writeString(log, "INFO values: o365.http.proxy.user = " + pem);
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        try (TunnelProxy attacker = new TunnelProxy(1, null)) {
            Map<String, String> use = props(null, null);
            use.put("o365.tls.ca.pem.path", log.toString());
            use.put("o365.http.proxy.url", "http://127.0.0.1:" + attacker.port());
            Map<String, List<String>> e =
                    validate(use, EndpointAllowList.of("proxy.corp.example"), AllowedPaths.of(secrets.toString()));
            assertTrue(
                    e.get("o365.tls.ca.pem.path").get(0).contains("is not in a directory the worker allows"),
                    e.toString());
            assertTrue(e.get("o365.http.proxy.url").get(0).contains("O365_ENDPOINT_OVERRIDE_HOSTS"), e.toString());
            assertEquals(List.of(), attacker.seen(), "nothing was sent through the attacker's proxy");
        }
    }

    /** validate() says the same about a file outside the allowed directories whether it exists, or holds a PEM. */
    @Test
    void messagesTellNothingAboutAFileOutsideTheAllowedDirectories() throws Exception {
        Path allowed = Files.createDirectories(dir.resolve("allowed"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path pem = Files.writeString(outside.resolve("ca.pem"), caPem());
        Path other = Files.writeString(outside.resolve("notes.txt"), "not a pem");
        for (String key : List.of(
                "o365.tls.ca.pem.path",
                "o365.tls.truststore.path",
                "o365.client.certificate.path",
                "o365.client.assertion.file")) {
            List<String> messages = new java.util.ArrayList<>();
            for (Path f : List.of(pem, other, outside.resolve("missing"), outside)) {
                Map<String, String> p = props(null, null);
                if (key.equals("o365.client.certificate.path") || key.equals("o365.client.assertion.file")) {
                    p.remove("o365.client.secret");
                }
                if (key.equals("o365.client.assertion.file")) {
                    p.put("o365.auth.method", "workload-identity");
                }
                p.put(key, f.toString());
                Map<String, List<String>> e =
                        validate(p, EndpointAllowList.of(""), AllowedPaths.of(allowed.toString()));
                messages.add(String.valueOf(e.get(key)));
            }
            assertEquals(1, messages.stream().distinct().count(), key + ": " + messages);
            assertTrue(messages.get(0).contains("O365_ALLOWED_PATHS"), messages.get(0));
        }
    }

    /**
     * On main, o365.tls.ca.pem.path=/dev/zero hung validate() forever, and /dev/zero as certificate or assertion
     * exhausted the heap. Allowed or not, a device is never read.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void devZeroIsNeverReadAsACaCertificateOrAssertion() {
        for (AllowedPaths files : List.of(AllowedPaths.of(""), AllowedPaths.of("/dev"))) {
            for (String key : List.of(
                    "o365.tls.ca.pem.path",
                    "o365.tls.truststore.path",
                    "o365.client.certificate.path",
                    "o365.client.assertion.file")) {
                Map<String, String> p = props(null, null);
                if (!key.startsWith("o365.tls")) {
                    p.remove("o365.client.secret");
                }
                if (key.equals("o365.client.assertion.file")) {
                    p.put("o365.auth.method", "workload-identity");
                }
                p.put(key, "/dev/zero");
                Map<String, List<String>> e = validate(p, EndpointAllowList.of(""), files);
                assertTrue(e.containsKey(key), key + ": " + e);
            }
        }
    }

    /** On main, any worker file named as the assertion was read and sent to the login host as client_assertion. */
    @Test
    void anAssertionFileOutsideTheAllowedDirectoriesIsNeverSent() throws Exception {
        Path secret = Files.writeString(
                Files.createDirectories(dir.resolve("etc")).resolve("shadow"), "PLANTED-worker-file-content");
        try (StubServer login = new StubServer()) {
            String host = login.baseUrl().substring("http://".length());
            Map<String, String> p = props(login.baseUrl(), login.baseUrl());
            p.remove("o365.client.secret");
            p.put("o365.auth.method", "workload-identity");
            p.put("o365.client.assertion.file", secret.toString());
            Map<String, List<String>> e = validate(p, EndpointAllowList.of(host), AllowedPaths.of(""));
            assertTrue(e.containsKey("o365.client.assertion.file"), e.toString());
            assertTrue(
                    login.requests().stream()
                            .noneMatch(r -> String.valueOf(r.body()).contains("PLANTED")),
                    "the file was sent: " + login.requests());
            assertTrue(login.requests().isEmpty(), "no sign-in at all: " + login.requests());
        }
    }

    @Test
    void aProxyWithoutCredentialsOffTheListIsRefused() {
        Map<String, String> p = props(null, null);
        p.put("o365.http.proxy.url", "http://proxy.attacker.example:3128");
        Map<String, List<String>> e = validate(p, EndpointAllowList.of(""));
        assertTrue(e.get("o365.http.proxy.url").get(0).contains("O365_ENDPOINT_OVERRIDE_HOSTS"), e.toString());
        assertFalse(
                validate(p, EndpointAllowList.of("proxy.attacker.example:3128")).containsKey("o365.http.proxy.url"));
    }

    /** On main, an http (loopback) override was sent through the proxy in absolute form, the secret in clear. */
    @Test
    void aPlainHttpOverrideWithAProxyIsRefusedOnItsField() {
        Map<String, String> p = props("http://127.0.0.1:8365", "https://127.0.0.1:8443");
        p.put("o365.http.proxy.url", "http://proxy.corp.example:3128");
        Map<String, List<String>> e = validate(p, EndpointAllowList.of("127.0.0.1,proxy.corp.example"));
        assertTrue(e.get("o365.login.url").get(0).contains("in clear"), e.toString());
        assertFalse(e.containsKey("o365.api.url"), e.toString());
    }

    @Test
    void aCertificateOrCaGivenBothAsFileAndInlineIsRefused() {
        Map<String, String> p = props(null, null);
        p.remove("o365.client.secret");
        p.put("o365.client.certificate.path", "/etc/kafka/secrets/app.pem");
        p.put("o365.client.certificate.pem", "-----BEGIN PRIVATE KEY-----\nPLANTEDkey\n-----END PRIVATE KEY-----");
        p.put("o365.tls.ca.pem.path", "/etc/kafka/secrets/ca.pem");
        p.put("o365.tls.ca.pem", caPem());
        Map<String, List<String>> e = validate(p, EndpointAllowList.of(""));
        for (String key : List.of(
                "o365.client.certificate.path",
                "o365.client.certificate.pem",
                "o365.tls.ca.pem.path",
                "o365.tls.ca.pem")) {
            assertTrue(e.containsKey(key), key + ": " + e);
        }
        assertFalse(e.toString().contains("PLANTED"), "no material in messages: " + e);
    }

    @Test
    void aBrokenInlineCertificateIsReportedWithoutEchoingIt() {
        Map<String, String> p = props(null, null);
        p.remove("o365.client.secret");
        p.put(
                "o365.client.certificate.pem",
                "-----BEGIN PRIVATE KEY-----\nPLANTEDnotakey==\n-----END PRIVATE KEY-----\n");
        p.put("o365.tls.ca.pem", "-----BEGIN CERTIFICATE-----\nPLANTEDnotacert==\n-----END CERTIFICATE-----\n");
        Map<String, List<String>> e = validate(p, EndpointAllowList.of(""));
        assertTrue(e.containsKey("o365.client.certificate.pem"), e.toString());
        assertTrue(e.containsKey("o365.tls.ca.pem"), e.toString());
        assertFalse(e.toString().contains("PLANTED"), "no material in messages: " + e);
    }

    @Test
    void anUnreadableTrustStoreIsReportedOnItsField() {
        Map<String, String> p = props(null, null);
        p.put("o365.tls.truststore.path", "/nonexistent/corp.p12");
        assertTrue(validate(p, EndpointAllowList.of("")).containsKey("o365.tls.truststore.path"));
    }
}
