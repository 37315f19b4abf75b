package io.github.auditlake.o365.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.EndpointAllowList;
import io.github.auditlake.o365.api.Endpoints;
import io.github.auditlake.o365.api.StubServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

/** validate() rules of o365.auth.method=managed-identity: the fields must match the method. */
class ConfigValidatorManagedIdentityTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final String OTHER_TENANT = "11111111-2222-4333-8444-555555555555";
    static final String CLIENT = "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69";
    static final String IDENTITY = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    /** Nothing listens there: a live check that got through would report it as unreachable. */
    static final String DEAD_ENDPOINT = "http://127.0.0.1:1/metadata/identity/oauth2/token";

    static Map<String, String> managed() {
        Map<String, String> p = new HashMap<>();
        p.put("o365.tenant.id", TENANT);
        p.put("o365.auth.method", "managed-identity");
        p.put("o365.managed.identity.endpoint", DEAD_ENDPOINT);
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

    static Map<String, List<String>> validate(Map<String, String> props) {
        return validate(props, EndpointAllowList.of("127.0.0.1"));
    }

    @Test
    void appRegistrationFieldsAreErrorsOnTheirOwnFields() {
        Map<String, String> p = managed();
        p.put("o365.client.id", CLIENT);
        p.put("o365.client.secret", "s3cret");
        p.put("o365.client.certificate.path", "/etc/app.p12");
        p.put("o365.client.assertion.file", "/var/run/token");
        p.put("o365.login.url", "http://127.0.0.1:2");
        Map<String, List<String>> e = validate(p);
        assertEquals(
                Set.of(
                        "o365.client.id",
                        "o365.client.secret",
                        "o365.client.certificate.path",
                        "o365.client.assertion.file",
                        "o365.login.url"),
                e.keySet(),
                e.toString());
        assertTrue(
                e.get("o365.client.id").get(0).contains("o365.managed.identity.client.id"),
                "says where a user-assigned identity's client id goes: " + e);
        assertTrue(e.get("o365.client.secret").get(0).contains("remove o365.client.secret"), e.toString());
    }

    @Test
    void aManagedIdentityCannotCollectSeveralTenants() {
        Map<String, String> p = managed();
        p.remove("o365.tenant.id");
        p.put("o365.tenant.ids", TENANT + "," + OTHER_TENANT);
        Map<String, List<String>> e = validate(p);
        assertEquals(Set.of("o365.tenant.ids"), e.keySet(), e.toString());
        assertTrue(e.get("o365.tenant.ids").get(0).contains("own tenant only"), e.toString());
    }

    @Test
    void withoutClientIdTheLiveCheckRunsAndReportsTheIdentityEndpoint() {
        // no o365.client.id is fine with this method; the endpoint is checked live, and its failure lands on it
        Map<String, List<String>> e = validate(managed());
        assertEquals(Set.of("o365.managed.identity.endpoint"), e.keySet(), e.toString());
        assertTrue(
                e.get("o365.managed.identity.endpoint").get(0).contains("Cannot reach " + DEAD_ENDPOINT), e.toString());
    }

    @Test
    void otherMethodsNeedTheClientIdAndRefuseManagedIdentityFields() {
        Map<String, String> p = new HashMap<>();
        p.put("o365.tenant.id", TENANT);
        p.put("o365.client.secret", "s3cret");
        p.put("o365.managed.identity.client.id", IDENTITY);
        p.put("o365.managed.identity.endpoint", DEAD_ENDPOINT);
        Map<String, List<String>> e = validate(p);
        assertEquals(
                Set.of("o365.client.id", "o365.managed.identity.client.id", "o365.managed.identity.endpoint"),
                e.keySet(),
                e.toString());
        assertTrue(e.get("o365.client.id").get(0).contains("is required"), e.toString());
    }

    @Test
    void theConnectorStartsWithoutClientIdOnlyWithAManagedIdentity() {
        Map<String, String> p = managed();
        io.github.auditlake.o365.O365AuditSourceConnector c = new io.github.auditlake.o365.O365AuditSourceConnector();
        c.start(p);
        assertEquals(1, c.taskConfigs(1).size());
        p.put("o365.auth.method", "secret");
        p.put("o365.client.secret", "s3cret");
        org.apache.kafka.connect.errors.ConnectException e = assertThrows(
                org.apache.kafka.connect.errors.ConnectException.class,
                () -> new io.github.auditlake.o365.O365AuditSourceConnector().start(p));
        assertTrue(e.getMessage().contains("o365.client.id is required"), e.getMessage());
    }

    @Test
    void autoNeverPicksManagedIdentity() {
        Map<String, String> p = new HashMap<>();
        p.put("o365.tenant.id", TENANT);
        p.put("o365.client.id", CLIENT);
        Map<String, List<String>> e = validate(p);
        assertTrue(
                e.containsKey("o365.client.secret")
                        && e.get("o365.client.secret").get(0).startsWith("No credential"),
                e.toString());
        assertEquals(io.github.auditlake.o365.settings.AuthMethod.SECRET, new O365SourceConfig(p).authMethod());
    }

    @Test
    void theUserAssignedClientIdMustBeAGuid() {
        Map<String, String> p = managed();
        p.put("o365.managed.identity.client.id", "my-identity");
        assertTrue(validate(p).containsKey("o365.managed.identity.client.id"));
    }

    @Test
    void theDefaultImdsEndpointIsNoOverride() {
        Map<String, String> p = managed();
        p.put("o365.managed.identity.endpoint", O365SourceConfig.MANAGED_IDENTITY_ENDPOINT_DEFAULT);
        assertEquals(null, new O365SourceConfig(p).managedIdentityEndpointOverride());
        p.remove("o365.managed.identity.endpoint");
        assertEquals(null, new O365SourceConfig(p).managedIdentityEndpointOverride());
    }

    @Test
    void anEndpointOverrideOffTheAllowListFailsOnItsFieldAndIsNotContacted() throws Exception {
        try (StubServer attacker = new StubServer()) {
            Map<String, String> p = managed();
            p.put("o365.managed.identity.endpoint", attacker.baseUrl() + "/metadata/identity/oauth2/token");
            Map<String, List<String>> e = validate(p, EndpointAllowList.of("127.0.0.1:1"));
            assertEquals(Set.of("o365.managed.identity.endpoint"), e.keySet(), e.toString());
            assertTrue(
                    e.get("o365.managed.identity.endpoint").get(0).contains("O365_ENDPOINT_OVERRIDE_HOSTS"),
                    e.toString());
            assertTrue(attacker.requests().isEmpty(), "the endpoint received " + attacker.requests());
        }
    }

    @Test
    void plainHttpOnlyForLoopbackAndLinkLocalEndpoints() {
        Map<String, String> p = managed();
        p.put("o365.managed.identity.endpoint", "http://identity.example/metadata/identity/oauth2/token");
        assertTrue(validate(p, EndpointAllowList.of("*"))
                .get("o365.managed.identity.endpoint")
                .get(0)
                .contains("plain http"));
        assertEquals(
                "http://169.254.169.254/other/token",
                Endpoints.validateIdentityEndpoint("http://169.254.169.254/other/token", "x"));
        assertEquals(
                "https://identity.example/token",
                Endpoints.validateIdentityEndpoint(" https://identity.example/token ", "x"));
        assertThrows(
                IllegalArgumentException.class,
                () -> Endpoints.validateIdentityEndpoint("http://169.254.300.1/token", "x"));
        assertThrows(
                IllegalArgumentException.class,
                () -> Endpoints.validateIdentityEndpoint("https://identity.example/token?api-version=1", "x"));
    }
}
