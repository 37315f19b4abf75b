package io.github.auditlake.o365.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.EndpointAllowList;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.Subscription;
import io.github.auditlake.o365.settings.CollectionSettings;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

/** {@code validate()} with {@code o365.history.start}: its form, the cloud, and the audit-search permission. */
class ConfigValidatorHistoryTest {
    static final String KEY = CollectionSettings.HISTORY_START.key();

    final AtomicInteger graphAsked = new AtomicInteger();

    ApiFactory factory(List<String> roles) {
        return new ApiFactory() {
            @Override
            public ManagementApi create(O365SourceConfig c, int rpm, boolean v) {
                return new FakeManagementApi(c.tenantId(), Clock.systemUTC()) {
                    @Override
                    public List<Subscription> listSubscriptions() {
                        return List.of(new Subscription(ContentType.EXCHANGE.wireName(), "enabled", null));
                    }
                };
            }

            @Override
            public List<String> graphRoles(O365SourceConfig c, String tenant) {
                graphAsked.incrementAndGet();
                return roles;
            }
        };
    }

    static Map<String, String> props(String start) {
        Map<String, String> p = new HashMap<>();
        p.put("o365.tenant.id", "aaaaaaaa-2222-4333-8444-555555555501");
        p.put("o365.client.id", "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69");
        p.put("o365.client.secret", "s3cret");
        p.put(KEY, start);
        return p;
    }

    Map<String, List<String>> errors(Map<String, String> p, List<String> roles) {
        Config base = new Config(O365SourceConfig.CONFIG_DEF.validate(p));
        Config out = new ConfigValidator(factory(roles), EndpointAllowList.of("")).validate(p, base);
        Map<String, List<String>> m = new HashMap<>();
        for (ConfigValue v : out.configValues()) {
            if (!v.errorMessages().isEmpty()) {
                m.put(v.name(), new ArrayList<>(v.errorMessages()));
            }
        }
        return m;
    }

    @Test
    void anotherCloudThanTheGlobalOnesIsAnErrorOnTheFieldThatSaysSo() {
        Map<String, String> p = props("P90D");
        p.put("o365.cloud", "gcc-high");
        Map<String, List<String>> e = errors(p, List.of("AuditLogsQuery.Read.All"));
        assertEquals(List.of(KEY), List.copyOf(e.keySet()), e.toString());
        assertTrue(e.get(KEY).get(0).contains("global service only"), e.toString());
        assertTrue(e.get(KEY).get(0).contains("gcc-high"), e.toString());
    }

    @Test
    void aMissingAuditSearchPermissionIsAClearErrorOnTheField() {
        Map<String, List<String>> e = errors(props("2026-09-01"), List.of("ActivityFeed.Read"));
        assertEquals(List.of(KEY), List.copyOf(e.keySet()), e.toString());
        assertTrue(e.get(KEY).get(0).contains("lacks AuditLogsQuery.Read.All"), e.toString());
        assertTrue(e.get(KEY).get(0).contains("ActivityFeed.Read"), "the roles found: " + e);
    }

    @Test
    void theGrantedPermissionPassesAndHistoryOffAsksNothing() {
        assertEquals(Map.of(), errors(props("P30D"), List.of("ActivityFeed.Read", "AuditLogsQuery.Read.All")));
        assertEquals(1, graphAsked.get());
        assertEquals(Map.of(), errors(props(""), List.of()));
        assertEquals(1, graphAsked.get(), "history off: no Graph token asked for");
    }

    @Test
    void anUnreadableStartIsAnErrorOnTheField() {
        Map<String, List<String>> e = errors(props("90 days"), List.of("AuditLogsQuery.Read.All"));
        assertTrue(e.get(KEY).get(0).contains("not an ISO date"), e.toString());
    }
}
