package io.github.auditlake.o365.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.EndpointAllowList;
import io.github.auditlake.o365.api.StubServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

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
        Config base = new Config(O365SourceConfig.CONFIG_DEF.validate(props));
        Config out = new ConfigValidator(new DefaultApiFactory(), allow).validate(props, base);
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

    @Test
    void anUnreadableTrustStoreIsReportedOnItsField() {
        Map<String, String> p = props(null, null);
        p.put("o365.tls.truststore.path", "/nonexistent/corp.p12");
        assertTrue(validate(p, EndpointAllowList.of("")).containsKey("o365.tls.truststore.path"));
    }
}
