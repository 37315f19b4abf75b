package io.github.auditlake.o365.it;

import static io.github.auditlake.o365.it.ClusterSupport.connector;
import static io.github.auditlake.o365.it.ClusterSupport.consumeUntil;
import static io.github.auditlake.o365.it.ClusterSupport.containsAll;
import static io.github.auditlake.o365.it.ClusterSupport.expected;
import static io.github.auditlake.o365.it.ClusterSupport.simulator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.O365AuditSourceConnector;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.Faults;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.RecordedRequest;
import io.github.auditlake.o365.simulator.SimBlob;
import io.github.auditlake.o365.simulator.Volume;
import io.github.auditlake.o365.testkit.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorOffsets;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connector in a real Connect cluster (three in-JVM workers, one broker), deployed and operated through the
 * REST API, against the simulator. The tests share one cluster; each uses its own tenant, topic and connector.
 */
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class ConnectClusterTest {
    static EmbeddedConnectCluster connect;

    @BeforeAll
    static void startCluster() {
        Map<String, String> worker = new HashMap<>();
        worker.put("offset.flush.interval.ms", "500");
        // reassign the tasks of a departed worker at once instead of after the default 5 minutes
        worker.put("scheduled.rebalance.max.delay.ms", "1000");
        // secrets come from a config provider, resolved by the worker before validate() runs
        worker.put("config.providers", "file");
        worker.put("config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider");
        connect = new EmbeddedConnectCluster.Builder()
                .name("o365-it")
                .numWorkers(3)
                .numBrokers(1)
                .workerProps(worker)
                .build();
        connect.start();
    }

    @AfterAll
    static void stopCluster() {
        if (connect != null) {
            connect.stop();
        }
    }

    static final Duration wait = Duration.ofSeconds(90);
    /** The connector starts at (its start - lookback), a little after t0 - lookback: leave the first minutes out. */
    static final Duration MARGIN = Duration.ofMinutes(5);

    @org.junit.jupiter.api.AfterEach
    void deleteConnectors() {
        for (String c : connect.connectors()) {
            connect.deleteConnector(c);
        }
    }

    @Test
    void deliversEveryRecordTheSimulatorServedForAllFiveContentTypes() throws Exception {
        String tenant = "11111111-2222-4333-8444-555555555501";
        try (ManagementApiSimulator sim = simulator(tenant, Volume.of(3, 20), Duration.ofHours(6), 0.05)) {
            Instant t0 = Instant.now();
            connect.kafka().createTopic("audit-all", 3);
            Map<String, String> cfg = connector(sim, tenant, "audit-all", Duration.ofHours(6));
            cfg.put("tasks.max", "10");
            connect.configureConnector("all-types", cfg);
            connect.assertions()
                    .assertConnectorAndExactlyNumTasksAreRunning(
                            "all-types", 5, "one task per stream when tasks.max exceeds the number of streams");

            ClusterSupport.awaitAllDelivered(
                    sim,
                    tenant,
                    t0.minus(Duration.ofHours(6)).plus(MARGIN),
                    t0,
                    connect.kafka().bootstrapServers(),
                    "audit-all",
                    false,
                    wait);

            // the tasks publish their counters as plugin metrics (JMX)
            javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            long emitted = 0;
            for (javax.management.ObjectName n : jmx.queryNames(
                    new javax.management.ObjectName("kafka.connect:type=plugins,connector=all-types,*"), null)) {
                try {
                    emitted += ((Number) jmx.getAttribute(n, "records-emitted-total")).longValue();
                } catch (javax.management.AttributeNotFoundException e) {
                    // another plugin's metrics
                }
            }
            assertTrue(emitted > 300, "records-emitted-total over the tasks: " + emitted);
            connect.deleteConnector("all-types");
        }
    }

    @Test
    void stopAlterResetAndResumeThroughTheRestApi() throws Exception {
        String tenant = "11111111-2222-4333-8444-555555555502";
        try (ManagementApiSimulator sim = simulator(tenant, Volume.of(2, 10), Duration.ofHours(4), 0)) {
            Instant t0 = Instant.now();
            connect.kafka().createTopic("audit-ops", 1);
            Map<String, String> cfg = connector(sim, tenant, "audit-ops", Duration.ofHours(4));
            cfg.put("o365.content.types", "Audit.Exchange,Audit.General");
            connect.configureConnector("ops", cfg);
            Set<String> ids = new java.util.HashSet<>();
            ids.addAll(sim.expectedRecordIds(
                    tenant,
                    io.github.auditlake.o365.api.ContentType.EXCHANGE,
                    t0.minus(Duration.ofHours(4)).plus(MARGIN),
                    t0));
            ids.addAll(sim.expectedRecordIds(
                    tenant,
                    io.github.auditlake.o365.api.ContentType.GENERAL,
                    t0.minus(Duration.ofHours(4)).plus(MARGIN),
                    t0));
            consumeUntil(connect.kafka().bootstrapServers(), "audit-ops", false, wait, containsAll(ids));

            connect.stopConnector("ops");
            connect.assertions().assertConnectorIsStopped("ops", "stopped");
            // the stopped task's last offsets are flushed as it stops: read until both streams have one
            ConnectorOffsets[] read = {null};
            Await.until(
                    Duration.ofSeconds(30),
                    () -> {
                        read[0] = connect.connectorOffsets("ops");
                        return read[0].offsets().size() == 2
                                && read[0].offsets().stream().allMatch(o -> o.offset() != null);
                    },
                    () -> "offsets of both streams: " + read[0]);
            ConnectorOffsets offsets = read[0];
            for (ConnectorOffset o : offsets.offsets()) {
                assertEquals(Set.of("tenant", "contentType"), o.partition().keySet());
                assertEquals(2L, ((Number) o.offset().get("v")).longValue());
            }

            // a malformed edit is refused by alterOffsets(); a valid one is accepted
            Map<String, Object> partition = Map.of("tenant", tenant, "contentType", "Audit.Exchange");
            String refused = null;
            try {
                connect.alterSourceConnectorOffset("ops", partition, Map.of("hw", 1L));
            } catch (Exception e) {
                refused = e.getMessage();
            }
            assertTrue(refused != null && refused.contains("version"), "refused: " + refused);
            String seconds = null;
            try {
                connect.alterSourceConnectorOffset(
                        "ops", partition, Map.of("v", 2, "hw", Instant.now().getEpochSecond()));
            } catch (Exception e) {
                seconds = e.getMessage();
            }
            assertTrue(seconds != null && seconds.contains("did you give seconds"), "refused: " + seconds);
            connect.alterSourceConnectorOffset(
                    "ops", partition, Map.of("v", 2, "hw", Instant.now().toEpochMilli()));

            // reset: collection restarts at the initial lookback, so every record is delivered again
            connect.resetConnectorOffsets("ops");
            assertEquals(List.of(), connect.connectorOffsets("ops").offsets());
            connect.resumeConnector("ops");
            Map<String, Integer> counts = consumeUntil(
                    connect.kafka().bootstrapServers(),
                    "audit-ops",
                    false,
                    wait,
                    c -> ids.stream().allMatch(id -> c.getOrDefault(id, 0) >= 2));
            assertTrue(counts.keySet().containsAll(ids));
            connect.deleteConnector("ops");
        }
    }

    /**
     * A storm: the service throttles the first 40 blob fetches and anything beyond 300 requests a minute (AF429 as
     * HTTP 403), and fails a quarter of the rest (500, 503, resets, truncated bodies); the connector's budget is 600
     * a minute. It must lose nothing, retry
     * every throttled fetch of the expected blobs until it succeeds, and stay within its own budget in every
     * 60-second window of the request log while retrying.
     */
    @Test
    void underThrottlingAndServerErrorsRetriesWithinItsBudgetAndLosesNothing() throws Exception {
        String tenant = "11111111-2222-4333-8444-555555555503";
        int budget = 600;
        try (ManagementApiSimulator sim = simulator(tenant, Volume.of(3, 10), Duration.ofHours(4), 0)) {
            sim.faults()
                    .rate(Faults.Kind.HTTP_500, 0.15)
                    .rate(Faults.Kind.HTTP_503, 0.05)
                    .rate(Faults.Kind.RESET_MID_BODY, 0.05)
                    .rate(Faults.Kind.TRUNCATED_BODY, 0.05)
                    .throttle(300)
                    .failNext(40, ".*/activity/feed/audit/.*", Faults.Kind.THROTTLE);
            Instant t0 = Instant.now();
            connect.kafka().createTopic("audit-storm", 1);
            Map<String, String> cfg = connector(sim, tenant, "audit-storm", Duration.ofHours(4));
            cfg.put("o365.requests.per.minute", Integer.toString(budget));
            connect.configureConnector("storm", cfg);
            Set<String> ids =
                    expected(sim, tenant, t0.minus(Duration.ofHours(4)).plus(MARGIN), t0);
            consumeUntil(
                    connect.kafka().bootstrapServers(),
                    "audit-storm",
                    false,
                    Duration.ofSeconds(240),
                    containsAll(ids));
            connect.deleteConnector("storm");

            List<RecordedRequest> api =
                    sim.requests().stream().filter(RecordedRequest::isApi).toList();
            List<RecordedRequest> throttled =
                    api.stream().filter(r -> r.status() == 403).toList();
            assertTrue(throttled.size() > 0, "the service answered AF429 (HTTP 403)");
            assertTrue(api.stream().anyMatch(r -> r.status() >= 500), "server errors were injected");
            // every throttled fetch of an expected blob was made again and eventually answered (retried, not
            // dropped); blobs created later may still be in progress when the connector is deleted
            Set<String> expectedBlobs = new java.util.HashSet<>();
            for (io.github.auditlake.o365.api.ContentType type : io.github.auditlake.o365.api.ContentType.values()) {
                sim.visibleBlobs(tenant, type, t0.minus(Duration.ofHours(4)).plus(MARGIN), t0)
                        .forEach(b -> expectedBlobs.add(b.contentId()));
            }
            for (RecordedRequest t : throttled.stream()
                    .filter(RecordedRequest::isBlobFetch)
                    .filter(t ->
                            expectedBlobs.contains(t.path().substring(t.path().lastIndexOf('/') + 1)))
                    .toList()) {
                assertTrue(
                        api.stream()
                                .anyMatch(r -> r.status() == 200
                                        && r.wallStartNanos() > t.wallStartNanos()
                                        && r.path().equals(t.path())),
                        "throttled fetch of " + t.path() + " retried until answered");
            }
            // the connector's own budget held in every 60-second window, retries included
            long[] starts = api.stream()
                    .mapToLong(RecordedRequest::wallStartNanos)
                    .sorted()
                    .toArray();
            long window = Duration.ofSeconds(60).toNanos();
            for (int i = 0, j = 0; i < starts.length; i++) {
                while (starts[i] - starts[j] >= window) {
                    j++;
                }
                assertTrue(i - j + 1 <= budget, (i - j + 1) + " requests within 60 s, budget " + budget);
            }
        }
    }

    @Test
    void movesTasksOfARemovedWorkerAndLosesNothing() throws Exception {
        String tenant = "11111111-2222-4333-8444-555555555504";
        try (ManagementApiSimulator sim = simulator(tenant, Volume.of(4, 40), Duration.ofHours(8), 0)) {
            sim.faults().latency(Duration.ofMillis(5), Duration.ofMillis(20));
            Instant t0 = Instant.now();
            connect.kafka().createTopic("audit-failover", 1);
            Map<String, String> cfg = connector(sim, tenant, "audit-failover", Duration.ofHours(8));
            cfg.put("tasks.max", "3");
            connect.configureConnector("failover", cfg);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("failover", 3, "tasks running");
            Set<String> ids =
                    expected(sim, tenant, t0.minus(Duration.ofHours(8)).plus(MARGIN), t0);
            // wait for some progress, then remove the worker running task 0
            consumeUntil(connect.kafka().bootstrapServers(), "audit-failover", false, wait, c -> c.size() > 200);
            ConnectorStateInfo status = connect.connectorStatus("failover");
            String workerId = status.tasks().get(0).workerId();
            WorkerHandle victim = connect.workers().stream()
                    .filter(w -> workerId.endsWith(":" + w.url().getPort()))
                    .findFirst()
                    .orElseThrow();
            connect.removeWorker(victim);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("failover", 3, "tasks moved");

            consumeUntil(connect.kafka().bootstrapServers(), "audit-failover", false, wait, containsAll(ids));
            connect.deleteConnector("failover");
            connect.addWorker();
        }
    }

    @Test
    void validateNeverSendsTheSecretToAHostOffTheWorkersAllowListAndWorksOnceItIsAllowed() throws Exception {
        String tenant = "11111111-2222-4333-8444-555555555507";
        String before = System.getProperty(io.github.auditlake.o365.api.EndpointAllowList.PROPERTY);
        try (ManagementApiSimulator sim = simulator(tenant, Volume.of(12, 5), Duration.ofHours(1), 0);
                io.github.auditlake.o365.api.StubServer attacker = new io.github.auditlake.o365.api.StubServer()) {
            java.nio.file.Path secrets = java.nio.file.Files.createTempFile("o365-secrets", ".properties");
            java.nio.file.Files.writeString(secrets, "client.secret=" + ClusterSupport.SECRET + "\n");
            String simHostPort = sim.baseUrl().substring("http://".length());
            // the worker operator allows only the simulator
            System.setProperty(io.github.auditlake.o365.api.EndpointAllowList.PROPERTY, simHostPort);
            Map<String, String> evil = connector(sim, tenant, "audit-allow", Duration.ofHours(1));
            evil.put("name", "allow");
            evil.put("o365.client.secret", "${file:" + secrets + ":client.secret}");
            evil.put("o365.login.url", attacker.baseUrl());
            evil.put("o365.api.url", attacker.baseUrl());
            Map<String, List<String>> errors = errors(evil);
            assertEquals(Set.of("o365.login.url", "o365.api.url"), errors.keySet(), errors.toString());
            assertTrue(errors.get("o365.login.url").get(0).contains("O365_ENDPOINT_OVERRIDE_HOSTS"), errors.toString());
            assertEquals(List.of(), attacker.requests(), "the attacker's listener received nothing");

            // the same configuration against the allowed simulator validates and collects
            Map<String, String> good = connector(sim, tenant, "audit-allow", Duration.ofHours(1));
            good.put("name", "allow");
            good.put("o365.client.secret", "${file:" + secrets + ":client.secret}");
            good.put("o365.content.types", "Audit.Exchange");
            assertEquals(Map.of(), errors(good));
            connect.kafka().createTopic("audit-allow", 1);
            connect.configureConnector("allow", good);
            Set<String> ids = sim.expectedRecordIds(
                    tenant,
                    io.github.auditlake.o365.api.ContentType.EXCHANGE,
                    Instant.now().minus(Duration.ofHours(1)).plus(MARGIN),
                    Instant.now().minus(MARGIN));
            assertTrue(!ids.isEmpty(), "the simulator lists blobs in the last hour (12 per hour)");
            consumeUntil(connect.kafka().bootstrapServers(), "audit-allow", false, wait, containsAll(ids));
            assertEquals(List.of(), attacker.requests());
        } finally {
            if (before == null) {
                System.clearProperty(io.github.auditlake.o365.api.EndpointAllowList.PROPERTY);
            } else {
                System.setProperty(io.github.auditlake.o365.api.EndpointAllowList.PROPERTY, before);
            }
        }
    }

    private static Map<String, List<String>> errors(Map<String, String> config) {
        ConfigInfos infos = connect.validateConnectorConfig(O365AuditSourceConnector.class.getSimpleName(), config);
        return infos.configs().stream()
                .map(ConfigInfo::configValue)
                .filter(v -> !v.errors().isEmpty())
                .collect(Collectors.toMap(v -> v.name(), v -> v.errors()));
    }

    @Test
    void validationNamesTheWrongFieldAndATaskWithBadCredentialsFailsThenResumesAfterTheFix() throws Exception {
        String tenant = "11111111-2222-4333-8444-555555555505";
        AppSpec app = AppSpec.of(ClusterSupport.CLIENT).secret(ClusterSupport.SECRET);
        // tokens live 2 minutes, so a rotated secret is noticed at the next sign-in (refresh ahead of expiry)
        try (ManagementApiSimulator sim =
                simulator(tenant, Volume.of(2, 5), Duration.ofHours(2), 0, app, Duration.ofMinutes(2))) {
            Instant t0 = Instant.now();
            Map<String, String> bad = connector(sim, tenant, "audit-creds", Duration.ofHours(2));
            bad.put("o365.client.secret", "wrong");
            bad.put("name", "creds");
            ConfigInfos infos = connect.validateConnectorConfig(O365AuditSourceConnector.class.getSimpleName(), bad);
            Map<String, List<String>> errors = infos.configs().stream()
                    .map(ConfigInfo::configValue)
                    .filter(v -> !v.errors().isEmpty())
                    .collect(Collectors.toMap(v -> v.name(), v -> v.errors()));
            assertEquals(Set.of("o365.client.secret"), errors.keySet(), errors.toString());

            connect.kafka().createTopic("audit-creds", 1);
            Map<String, String> good = connector(sim, tenant, "audit-creds", Duration.ofHours(2));
            good.put("o365.content.types", "Audit.Exchange");
            good.put("o365.poll.interval.ms", "500");
            connect.configureConnector("creds", good);
            Set<String> ids = sim.expectedRecordIds(
                    tenant,
                    io.github.auditlake.o365.api.ContentType.EXCHANGE,
                    t0.minus(Duration.ofHours(2)).plus(MARGIN),
                    t0);
            Map<String, Integer> before =
                    consumeUntil(connect.kafka().bootstrapServers(), "audit-creds", false, wait, containsAll(ids));
            assertEquals(Set.of(1), ids.stream().map(before::get).collect(Collectors.toSet()), "each record once");
            // wait until the worker committed the offset of every blob of those records (offset.flush.interval.ms
            // is 500 ms): Connect's at-least-once redelivers only what was emitted after the last commit
            List<SimBlob> blobs = sim.visibleBlobs(
                    tenant,
                    io.github.auditlake.o365.api.ContentType.EXCHANGE,
                    t0.minus(Duration.ofHours(2)).plus(MARGIN),
                    t0);
            Await.until(
                    wait,
                    () -> {
                        var committed = ClusterSupport.committed(
                                connect, "creds", tenant, io.github.auditlake.o365.api.ContentType.EXCHANGE);
                        return blobs.stream().allMatch(b -> ClusterSupport.covers(committed, b));
                    },
                    () -> "the committed offset covers every blob delivered");

            // the secret is rotated in Entra: the running task fails and says why
            app.secret("rotated-secret");
            connect.assertions().assertConnectorIsRunningAndTasksHaveFailed("creds", 1, "bad secret fails the task");
            String trace = connect.connectorStatus("creds").tasks().get(0).trace();
            assertTrue(trace.contains("AADSTS7000215"), trace);
            assertTrue(
                    !trace.contains(ClusterSupport.SECRET) && !trace.contains("rotated-secret"),
                    "the task's status trace (REST) never shows a secret: " + trace);

            // the secret is fixed and the task restarted
            good.put("o365.client.secret", "rotated-secret");
            connect.configureConnector("creds", good);
            connect.restartConnectorAndTasks("creds", false, true, false);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("creds", 1, "fixed");
            sim.addBlob(
                    tenant,
                    io.github.auditlake.o365.api.ContentType.EXCHANGE,
                    Instant.now(),
                    Instant.now(),
                    List.of("{\"Id\":\"after-the-fix\",\"CreationTime\":\"2026-11-24T10:00:00\"}"));
            Map<String, Integer> counts = consumeUntil(
                    connect.kafka().bootstrapServers(),
                    "audit-creds",
                    false,
                    wait,
                    c -> c.containsKey("after-the-fix"));
            // after the fix it resumes at the committed offset: no record of before the failure is delivered again
            Map<String, Integer> again = new java.util.TreeMap<>();
            ids.forEach(id -> {
                if (counts.getOrDefault(id, 0) != 1) {
                    again.put(id, counts.getOrDefault(id, 0));
                }
            });
            assertEquals(Map.of(), again, "records of before the failure delivered other than once, of " + ids.size());
            assertEquals(1, counts.get("after-the-fix"));
        }
    }
}
