package io.github.auditlake.o365;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.config.O365SourceTaskConfig;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;
import org.junit.jupiter.api.Test;

class O365AuditSourceConnectorTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";

    static Map<String, String> props() {
        Map<String, String> p = new HashMap<>();
        p.put("o365.tenant.id", TENANT);
        p.put("o365.client.id", "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69");
        p.put("o365.client.secret", "s3cret");
        return p;
    }

    static Map<String, List<String>> errors(Config c) {
        Map<String, List<String>> m = new HashMap<>();
        for (ConfigValue v : c.configValues()) {
            if (!v.errorMessages().isEmpty()) {
                m.put(v.name(), v.errorMessages());
            }
        }
        return m;
    }

    @Test
    void isFoundByTheServiceLoader() {
        boolean found = ServiceLoader.load(SourceConnector.class).stream()
                .anyMatch(p -> p.type() == O365AuditSourceConnector.class);
        assertTrue(found);
    }

    @Test
    void spreadsStreamsOverTasksNeverTwice() {
        O365AuditSourceConnector c = new O365AuditSourceConnector();
        c.start(props());
        for (int max : new int[] {1, 2, 3, 5, 10}) {
            List<Map<String, String>> tasks = c.taskConfigs(max);
            assertEquals(Math.min(max, 5), tasks.size());
            List<String> all = tasks.stream()
                    .flatMap(t -> List.of(
                            t.get(O365SourceTaskConfig.TASK_STREAMS_CONFIG).split(","))
                            .stream())
                    .toList();
            assertEquals(5, all.size());
            assertEquals(5, new HashSet<>(all).size());
            int budget = 0;
            for (Map<String, String> t : tasks) {
                int share = new O365SourceTaskConfig(t).requestsPerMinuteFor(TENANT);
                assertTrue(share >= 1);
                budget += share;
            }
            assertTrue(budget <= 1800 && budget > 1700, "the tasks share the tenant's budget: " + budget);
        }
    }

    /**
     * {@code o365.history.queries.per.day} is a tenant's budget: spread over tasks, each task gets the share of the
     * tenant's streams it holds (at least 1), so the tasks of a tenant together submit at most the budget (on main,
     * each task had the whole budget: five tasks, five times it).
     */
    @Test
    void theDailyHistoryQueryBudgetOfATenantIsSharedByItsTasksByTheStreamsTheyHold() {
        String other = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
        Map<String, String> p = props();
        p.remove("o365.tenant.id");
        p.put("o365.tenant.ids", TENANT + "," + other);
        p.put("o365.history.start", "P30D");
        p.put("o365.history.queries.per.day", "150");
        O365AuditSourceConnector c = new O365AuditSourceConnector();
        c.start(p);
        for (int max : new int[] {1, 2, 3, 4, 5, 7, 10}) {
            List<Map<String, String>> tasks = c.taskConfigs(max);
            for (String tenant : List.of(TENANT, other)) {
                int sum = 0;
                for (Map<String, String> t : tasks) {
                    O365SourceTaskConfig tc = new O365SourceTaskConfig(t);
                    long mine = tc.assignedStreams().stream()
                            .filter(s -> s.tenantId().equals(tenant))
                            .count();
                    int share = tc.historyQueriesPerDayFor(tenant);
                    assertEquals(Math.max(1, 150 * mine / 5), share, max + " tasks, " + mine + " streams of " + tenant);
                    if (mine > 0) {
                        sum += share;
                    }
                }
                assertTrue(sum <= 150, max + " tasks: the tasks of " + tenant + " submit " + sum + " a day");
                assertTrue(sum >= 150 - tasks.size(), max + " tasks: the budget is used: " + sum);
            }
        }
        // one task per stream of one tenant: a fifth each
        O365AuditSourceConnector single = new O365AuditSourceConnector();
        Map<String, String> one = props();
        one.put("o365.history.start", "P30D");
        single.start(one);
        for (Map<String, String> t : single.taskConfigs(5)) {
            assertEquals(30, new O365SourceTaskConfig(t).historyQueriesPerDayFor(TENANT));
        }
    }

    /**
     * On main, o365.task.requests.per.minute typed into the connector config was copied to every task, which then
     * ignored its share of o365.requests.per.minute (a REST user could lift the budget without bound).
     */
    @Test
    void aTaskBudgetTypedIntoTheConnectorConfigNeverReachesATask() {
        O365AuditSourceConnector c = new O365AuditSourceConnector();
        Map<String, String> p = props();
        p.put(O365SourceTaskConfig.TASK_REQUESTS_PER_MINUTE_CONFIG, "2000000000");
        c.start(p);
        int budget = 0;
        for (Map<String, String> t : c.taskConfigs(5)) {
            assertFalse(t.containsKey(O365SourceTaskConfig.TASK_REQUESTS_PER_MINUTE_CONFIG), t.toString());
            budget += new O365SourceTaskConfig(t).requestsPerMinuteFor(TENANT);
        }
        assertTrue(budget <= 1800, "the tasks share o365.requests.per.minute: " + budget);
        Map<String, String> direct = new HashMap<>(p);
        direct.put(O365SourceTaskConfig.TASK_STREAMS_CONFIG, TENANT + "|Audit.Exchange");
        direct.put(O365SourceTaskConfig.TASK_REQUESTS_PER_MINUTE_CONFIG, "0");
        assertThrows(org.apache.kafka.common.config.ConfigException.class, () -> new O365SourceTaskConfig(direct));
    }

    @Test
    void declaresExactlyOnceAndConnectorDefinedBoundaries() {
        O365AuditSourceConnector c = new O365AuditSourceConnector();
        assertEquals(ExactlyOnceSupport.SUPPORTED, c.exactlyOnceSupport(props()));
        assertEquals(ConnectorTransactionBoundaries.SUPPORTED, c.canDefineTransactionBoundaries(props()));
    }

    @Test
    void alterOffsetsAcceptsValidEditsAndResetsAndRejectsMalformedOnes() {
        O365AuditSourceConnector c = new O365AuditSourceConnector();
        Map<String, Object> partition = Map.of("tenant", TENANT, "contentType", "Audit.Exchange");
        Map<Map<String, ?>, Map<String, ?>> ok = new HashMap<>();
        ok.put(partition, Map.of("v", 1, "hw", 1_700_000_000_000L));
        assertTrue(c.alterOffsets(props(), ok));
        Map<Map<String, ?>, Map<String, ?>> reset = new HashMap<>();
        reset.put(partition, null);
        assertTrue(c.alterOffsets(props(), reset));
        Map<Map<String, ?>, Map<String, ?>> bad = new HashMap<>();
        bad.put(partition, Map.of("hw", 5L));
        assertThrows(ConnectException.class, () -> c.alterOffsets(props(), bad));
        Map<Map<String, ?>, Map<String, ?>> badPartition = new HashMap<>();
        badPartition.put(Map.of("tenant", TENANT, "contentType", "Audit.Nope"), Map.of("v", 1, "hw", 5L));
        assertThrows(ConnectException.class, () -> c.alterOffsets(props(), badPartition));
    }

    @Test
    void alterOffsetsRefusesAHighWatermarkInSecondsOrInTheFuture() {
        O365AuditSourceConnector c = new O365AuditSourceConnector();
        Map<String, Object> partition = Map.of("tenant", TENANT, "contentType", "Audit.Exchange");
        long now = System.currentTimeMillis();
        for (long hw : new long[] {now / 1000, now * 1000, now + 3 * 86_400_000L}) {
            Map<Map<String, ?>, Map<String, ?>> edit = new HashMap<>();
            edit.put(partition, Map.of("v", 2, "hw", hw));
            ConnectException e = assertThrows(ConnectException.class, () -> c.alterOffsets(props(), edit));
            assertTrue(e.getMessage().contains("did you give seconds"), e.getMessage());
        }
    }

    @Test
    void validateReportsCrossFieldMistakesOnTheRightFields() {
        O365AuditSourceConnector c = new O365AuditSourceConnector((cfg, rpm, v) -> {
            throw new AssertionError("no live check when the config is incomplete");
        });
        Map<String, String> none = props();
        none.remove("o365.client.secret");
        Map<String, List<String>> e = errors(c.validate(none));
        assertTrue(e.containsKey("o365.client.secret") && e.containsKey("o365.client.certificate.path"), e.toString());

        Map<String, String> both = props();
        both.put("o365.client.certificate.path", "/nonexistent.p12");
        assertTrue(errors(c.validate(both)).containsKey("o365.client.certificate.path"));

        Map<String, String> window = props();
        window.put("o365.window.max.ms", Long.toString(24 * 3600_000L));
        assertTrue(errors(c.validate(window)).containsKey("o365.window.max.ms"));

        Map<String, String> coverage = props();
        coverage.put("o365.straggler.coverage.ms", Long.toString(7 * 24 * 3600_000L));
        assertTrue(errors(c.validate(coverage)).containsKey("o365.straggler.coverage.ms"), "beyond the retention");

        Map<String, String> wrongCase = props();
        wrongCase.put("topic", "o365.${contenttype}");
        String m = String.join(" ", errors(c.validate(wrongCase)).getOrDefault("topic", List.of()));
        assertTrue(m.contains("${contentType}"), "unknown placeholders are refused and the valid ones listed: " + m);

        Map<String, String> collide = props();
        collide.put("topic", "o365.${contentType}");
        collide.put("o365.heartbeat.topic", "o365.audit.exchange");
        collide.put("o365.skips.topic", "o365.dlp.all");
        Map<String, List<String>> ce = errors(c.validate(collide));
        assertTrue(ce.containsKey("o365.heartbeat.topic") && ce.containsKey("o365.skips.topic"), ce.toString());

        Map<String, String> http = props();
        http.put("o365.api.url", "http://manage.example.com");
        assertTrue(errors(c.validate(http)).containsKey("o365.api.url"));

        Map<String, String> badTenant = props();
        badTenant.put("o365.tenant.id", "contoso.onmicrosoft.com");
        assertTrue(errors(c.validate(badTenant)).containsKey("o365.tenant.id"));
    }

    @Test
    void validateRunsALiveCheckAndPutsItsErrorOnTheFieldToFix() {
        FakeManagementApi permissionDenied = new FakeManagementApi(TENANT, Clock.systemUTC()) {
            @Override
            public List<io.github.auditlake.o365.api.Subscription> listSubscriptions() {
                throw new ApiException(
                        ErrorKind.PERMANENT,
                        403,
                        "AF10001",
                        "The permission set () sent in the "
                                + "request did not include the expected permission ActivityFeed.Read.",
                        null,
                        null,
                        null);
            }
        };
        O365AuditSourceConnector c = new O365AuditSourceConnector((cfg, rpm, v) -> permissionDenied);
        Map<String, List<String>> e = errors(c.validate(props()));
        assertEquals(Set.of("o365.client.id"), e.keySet());

        FakeManagementApi badSecret = new FakeManagementApi(TENANT, Clock.systemUTC()) {
            @Override
            public List<io.github.auditlake.o365.api.Subscription> listSubscriptions() {
                throw new ApiException(
                        ErrorKind.AUTHENTICATION,
                        401,
                        "invalid_client",
                        "AADSTS7000215: Invalid client secret provided.",
                        null,
                        null,
                        null);
            }
        };
        Map<String, List<String>> e2 =
                errors(new O365AuditSourceConnector((cfg, rpm, v) -> badSecret).validate(props()));
        assertEquals(Set.of("o365.client.secret"), e2.keySet());

        FakeManagementApi fine = new FakeManagementApi(TENANT, Clock.systemUTC());
        assertTrue(errors(new O365AuditSourceConnector((cfg, rpm, v) -> fine).validate(props()))
                .isEmpty());
    }

    @Test
    void aHealthTopicThatIsAnAuditHeartbeatOrSkipsTopicIsRefused() {
        // no live check over the network: the client cannot be made
        O365AuditSourceConnector c = new O365AuditSourceConnector((cfg, rpm, v) -> {
            throw new io.github.auditlake.o365.api.ApiException(
                    io.github.auditlake.o365.api.ErrorKind.TRANSIENT, "offline test");
        });
        for (String clash : List.of("o365.audit.exchange", "o365-audit-skips", "o365-audit-heartbeats")) {
            Map<String, String> p = props();
            p.put("topic", "o365.${contentType}");
            p.put("o365.health.topic", clash);
            assertTrue(errors(c.validate(p)).containsKey("o365.health.topic"), clash);
        }
        Map<String, String> ok = props();
        ok.put("o365.health.topic", "o365-audit-health");
        assertFalse(errors(c.validate(ok)).containsKey("o365.health.topic"));
    }
}
