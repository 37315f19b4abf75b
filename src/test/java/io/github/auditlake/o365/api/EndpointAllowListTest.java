package io.github.auditlake.o365.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.client.ClientSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointAllowListTest {

    @Test
    void microsoftHostsNeedNoEntry() {
        EndpointAllowList none = EndpointAllowList.of("");
        assertTrue(none.allows("https://manage.office.com"));
        assertTrue(none.allows("https://login.microsoftonline.us/"));
        assertTrue(none.allows("https://manage.protection.apps.mil"));
        assertFalse(none.allows("http://manage.office.com"), "plain http to a Microsoft name is not Microsoft");
        assertFalse(none.allows("https://attacker.example"));
        assertFalse(none.allows("http://127.0.0.1:8365"), "loopback too needs an entry");
    }

    @Test
    void hostEntriesMatchAnyPortAndHostPortEntriesOnlyThatPort() {
        EndpointAllowList l = EndpointAllowList.of(" proxy.corp.example , 127.0.0.1:8365,[::1]:9000");
        assertTrue(l.allows("https://proxy.corp.example/o365"));
        assertTrue(l.allows("https://PROXY.corp.example:8443"));
        assertTrue(l.allows("http://127.0.0.1:8365"));
        assertFalse(l.allows("http://127.0.0.1:8366"));
        assertTrue(l.allows("http://[::1]:9000"));
        assertFalse(l.allows("http://[::1]:9001"));
        assertFalse(l.allows("https://evil.proxy.corp.example"));
    }

    @Test
    void anEntryMatchesItsWholeHostNeverAPrefixOrSuffix() {
        EndpointAllowList l = EndpointAllowList.of("localhost,127.0.0.1:8365,proxy.corp.example");
        assertTrue(l.allows("http://localhost:9000"));
        assertFalse(l.allows("https://localhost.attacker.example"), "a prefix of the host is not the host");
        assertFalse(l.allows("http://127.0.0.1.nip.io:8365"), "nor is a numeric prefix");
        assertFalse(l.allows("https://proxy.corp.example.attacker.example"));
        assertFalse(l.allows("https://myproxy.corp.example"), "nor a suffix");
        assertFalse(l.allows("https://localhos"), "nor a part of it");
        assertFalse(EndpointAllowList.of("").allows("https://manage.office.com.attacker.example"));
        assertFalse(EndpointAllowList.of("").allows("https://attacker-manage.office.com"));
    }

    @Test
    void starAllowsEveryHost() {
        assertTrue(EndpointAllowList.of("*").allows("https://anything.example:1234"));
    }

    @Test
    void theSystemPropertyWinsOverTheEnvironment() {
        EndpointAllowList l = EndpointAllowList.from(
                Map.of(EndpointAllowList.PROPERTY, "a.example")::get, Map.of(EndpointAllowList.ENV, "b.example")::get);
        assertTrue(l.allows("https://a.example"));
        assertFalse(l.allows("https://b.example"));
        EndpointAllowList env = EndpointAllowList.from(k -> null, Map.of(EndpointAllowList.ENV, "b.example")::get);
        assertTrue(env.allows("https://b.example"));
    }

    @Test
    void refusalTellsTheOperatorHowToAllowTheHost() {
        String m = EndpointAllowList.of("").refusal("o365.login.url", "https://attacker.example:8443/x");
        assertTrue(m.contains("O365_ENDPOINT_OVERRIDE_HOSTS=attacker.example:8443"), m);
        assertTrue(m.contains("-Do365.endpoint.override.hosts"), m);
    }

    @Test
    void clientSettingsRefuseOverridesAndProxiesOffTheList() {
        ClientSettings.Builder b = ClientSettings.builder()
                .tenantId("t")
                .clientId("c")
                .clientSecret("s")
                .allowList(EndpointAllowList.of("ok.example"));
        assertThrows(
                IllegalArgumentException.class,
                () -> b.apiBaseUrl("https://attacker.example").build());
        b.apiBaseUrl("https://ok.example");
        assertThrows(
                IllegalArgumentException.class,
                () -> b.loginBaseUrl("https://attacker.example").build());
        b.loginBaseUrl("https://ok.example/login");
        b.build();
        b.proxy("proxy.attacker.example", 3128);
        // even without credentials: a proxy sees every host, and a TLS-inspecting one everything
        assertThrows(IllegalArgumentException.class, b::build);
        b.proxyCredentials("u", "p");
        assertThrows(IllegalArgumentException.class, b::build);
        b.proxy("ok.example", 3128);
        b.build();
        b.proxyCredentials(null, null);
        b.build();
    }
}
