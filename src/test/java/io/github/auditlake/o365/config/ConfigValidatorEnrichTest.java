package io.github.auditlake.o365.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.EndpointAllowList;
import io.github.auditlake.o365.api.StubServer;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.Directory;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.TenantSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** validate() with Graph enrichment: o365.graph.url is allow-listed like o365.api.url; the Graph permission. */
class ConfigValidatorEnrichTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final String CLIENT = "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69";
    static final String SECRET = ConfigValidatorSecurityTest.SECRET;

    static ManagementApiSimulator sim(AppSpec app) {
        return ManagementApiSimulator.builder()
                .tenant(TenantSpec.of(TENANT).app(app.secret(SECRET)).subscribedAll(true))
                .build()
                .start();
    }

    static Map<String, String> props(String base, boolean enrich) {
        Map<String, String> p = ConfigValidatorSecurityTest.props(base, base);
        p.put("o365.graph.url", base);
        p.put("o365.enrich.enabled", Boolean.toString(enrich));
        return p;
    }

    @Test
    void aGraphUrlOffTheAllowListFailsOnItsFieldAndNothingIsSentThere() throws Exception {
        try (StubServer attacker = new StubServer()) {
            Map<String, String> p = ConfigValidatorSecurityTest.props(null, null);
            p.put("o365.graph.url", attacker.baseUrl());
            Map<String, List<String>> e = ConfigValidatorSecurityTest.validate(p, EndpointAllowList.of("127.0.0.1:1"));
            assertEquals(java.util.Set.of("o365.graph.url"), e.keySet(), e.toString());
            assertTrue(e.get("o365.graph.url").get(0).contains("O365_ENDPOINT_OVERRIDE_HOSTS"), e.toString());
            assertTrue(attacker.requests().isEmpty(), "the attacker received " + attacker.requests());
        }
    }

    @Test
    void enrichmentWithoutTheGraphPermissionNamesTheMissingOneOnItsField() {
        try (ManagementApiSimulator sim = sim(AppSpec.of(CLIENT)
                .roles(AppSpec.ROLE_READ, AppSpec.ROLE_READ_DLP, Directory.ROLE_USER, Directory.ROLE_APPLICATION))) {
            Map<String, List<String>> e =
                    ConfigValidatorSecurityTest.validate(props(sim.baseUrl(), true), EndpointAllowList.of("*"));
            assertEquals(java.util.Set.of("o365.enrich.enabled"), e.keySet(), e.toString());
            String msg = e.get("o365.enrich.enabled").get(0);
            assertTrue(msg.contains("GroupMember.Read.All") && msg.contains("Directory.Read.All"), msg);
            assertFalse(msg.contains("User.Read.All"), msg);
        }
    }

    @Test
    void enrichmentWithThePermissionValidates() {
        try (ManagementApiSimulator sim = sim(AppSpec.of(CLIENT))) {
            assertEquals(
                    Map.of(),
                    ConfigValidatorSecurityTest.validate(props(sim.baseUrl(), true), EndpointAllowList.of("*")));
            assertTrue(sim.directory().requestCount() > 0, "the permission was checked live");
        }
    }

    @Test
    void enrichmentOffChecksNoGraphPermission() {
        try (ManagementApiSimulator sim = sim(AppSpec.of(CLIENT).roles(AppSpec.ROLE_READ, AppSpec.ROLE_READ_DLP))) {
            assertEquals(
                    Map.of(),
                    ConfigValidatorSecurityTest.validate(props(sim.baseUrl(), false), EndpointAllowList.of("*")));
            assertEquals(0, sim.directory().requestCount());
        }
    }
}
