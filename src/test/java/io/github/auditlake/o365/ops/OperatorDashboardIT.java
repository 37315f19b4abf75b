package io.github.auditlake.o365.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cluster.Classpaths;
import io.github.auditlake.o365.cluster.ProcessConnectWorker;
import io.github.auditlake.o365.cluster.ProcessKafka;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import io.github.auditlake.o365.testkit.ConnectorConfigs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The operator's view against a real worker: a Connect worker process started with the Prometheus JMX exporter agent
 * ({@code io.prometheus.jmx:jmx_prometheus_javaagent}, copied to {@code target/jmx-exporter/} by the build) and the
 * rules of {@code config/prometheus/jmx-exporter.yaml} runs the connector against the simulator; the exporter is
 * scraped over loopback until the series appear, and every series the Grafana dashboard
 * ({@code config/grafana/o365-audit-dashboard.json}) queries must exist, with the labels the dashboard selects on.
 */
class OperatorDashboardIT {
    static final String TENANT = "5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    static final String CLIENT = "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d";
    static final String SECRET = "ops-secret";
    static final String CONNECTOR = "ops";
    static final Duration TIMEOUT = Duration.ofSeconds(150);

    static final Path RULES = Classpaths.projectDir().resolve("config/prometheus/jmx-exporter.yaml");
    static final Path DASHBOARD = Classpaths.projectDir().resolve("config/grafana/o365-audit-dashboard.json");
    static final Path AGENT = Classpaths.projectDir().resolve("target/jmx-exporter/jmx_prometheus_javaagent.jar");

    @Test
    void everySeriesTheDashboardQueriesIsExported() throws Exception {
        assertTrue(
                Files.isRegularFile(AGENT),
                AGENT + " is missing: the build copies it in generate-test-resources (./mvnw verify -DskipUTs "
                        + "-Dtest=OperatorDashboardIT)");
        Map<String, Set<String>> wanted = DashboardQueries.read(DASHBOARD).labelsByMetric();
        assertTrue(wanted.size() > 20, "the dashboard's metrics: " + wanted.keySet());

        Path work = Classpaths.projectDir().resolve("target/it/opsview-" + System.currentTimeMillis());
        Files.createDirectories(work);
        int port = Classpaths.freePort();
        try (ManagementApiSimulator sim = ManagementApiSimulator.builder()
                        .seed(23)
                        .tenant(TenantSpec.of(TENANT)
                                .app(AppSpec.of(CLIENT).secret(SECRET))
                                .subscribedAll(true)
                                .volumeAll(Volume.of(4, 20))
                                .backfill(Duration.ofHours(2)))
                        .build()
                        .start();
                ProcessKafka kafka = ProcessKafka.start(work.resolve("kafka"), TIMEOUT)) {
            kafka.createTopic("o365-ops", 1);
            try (ProcessConnectWorker worker = ProcessConnectWorker.builder(
                            work.resolve("worker"), kafka.bootstrapServers())
                    .groupId("ops")
                    .jvmArg("-javaagent:" + AGENT + "=127.0.0.1:" + port + ":" + RULES)
                    .start(TIMEOUT)) {
                Map<String, String> c = ConnectorConfigs.forSimulator(sim.baseUrl())
                        .connector(1)
                        .tenant(TENANT)
                        .client(CLIENT, SECRET)
                        .contentTypes(ContentType.EXCHANGE, ContentType.SHAREPOINT)
                        .lookback(Duration.ofHours(2))
                        .pollInterval(Duration.ofSeconds(1))
                        .noHeartbeats()
                        .topic("o365-ops")
                        .stringConverters()
                        .build();
                worker.putConnector(CONNECTOR, c, TIMEOUT);
                worker.awaitRunning(CONNECTOR, TIMEOUT);

                URI metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
                // poll with a deadline: the exporter answers once the worker JVM runs; the connector's series once
                // its task started, and they carry counts once it collected
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                Scrape last = scrape(metrics);
                Map<String, Set<String>> problems = last.missing(wanted, CONNECTOR);
                while ((!problems.isEmpty() || emitted(last) == 0) && System.nanoTime() < deadline) {
                    assertTrue(
                            worker.process().isAlive(),
                            "the worker exited; log " + worker.process().log());
                    Thread.sleep(500); // polling interval, not synchronisation: the loop checks the condition
                    last = scrape(metrics);
                    problems = last.missing(wanted, CONNECTOR);
                }
                Files.writeString(work.resolve("metrics.txt"), last.text());
                assertEquals(
                        Map.of(),
                        problems,
                        "series (or their labels) the dashboard queries but the exporter does not give; the scrape "
                                + "is in " + work.resolve("metrics.txt"));
                assertTrue(emitted(last) > 0, "records collected from the simulator, as the exporter gives them");
                // the check itself, on this real scrape: a series the dashboard would query and the exporter lacks,
                // or a label its series lack, is reported
                assertEquals(
                        Map.of(
                                "o365_audit_no_such_series",
                                Set.of("(no series)"),
                                "o365_audit_lag_ms",
                                Set.of("tenant")),
                        last.missing(
                                Map.of(
                                        "o365_audit_no_such_series",
                                        Set.of(),
                                        "o365_audit_lag_ms",
                                        Set.of("connector", "tenant")),
                                CONNECTOR));
            }
        }
    }

    /** Records the connector emitted, summed over its tasks, from the exporter (0 before the series appear). */
    static double emitted(Scrape s) {
        return s.series().getOrDefault("o365_audit_records_emitted_total", List.of()).stream()
                .filter(x -> CONNECTOR.equals(x.labels().get("connector")))
                .mapToDouble(Scrape.Sample::value)
                .sum();
    }

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static Scrape scrape(URI uri) {
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofSeconds(20))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Scrape.parse(r.body()) : Scrape.parse("");
        } catch (IOException e) {
            return Scrape.parse(""); // the agent's server is not up yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
