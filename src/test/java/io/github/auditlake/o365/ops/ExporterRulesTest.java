package io.github.auditlake.o365.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.cluster.Classpaths;
import io.github.auditlake.o365.cluster.JavaProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The exporter rules of {@code config/prometheus/jmx-exporter.yaml}, applied by the real exporter agent to plugin
 * metrics with zero, one and two tags of their own ({@link PluginMetricsProbe} in a child JVM): a new plugin metric
 * of the connector needs no new rule. {@link OperatorDashboardIT} checks the same rules on a real worker.
 */
class ExporterRulesTest {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void pluginMetricsWithTheirOwnTagsNeedNoNewRule() throws Exception {
        assertTrue(
                Files.isRegularFile(OperatorDashboardIT.AGENT),
                OperatorDashboardIT.AGENT + " is missing: the build copies it in generate-test-resources");
        Path work = Classpaths.projectDir().resolve("target/it/exporter-rules-" + System.currentTimeMillis());
        int port = Classpaths.freePort();
        List<Path> cp = new ArrayList<>(Classpaths.kafkaRuntime());
        cp.add(Paths.get(PluginMetricsProbe.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI())); // target/test-classes: the probe only
        try (JavaProcess probe = JavaProcess.start(
                "plugin-metrics-probe",
                Paths.get(System.getProperty("java.home")),
                List.of(
                        "-Xmx64m",
                        "-javaagent:" + OperatorDashboardIT.AGENT + "=127.0.0.1:" + port + ":"
                                + OperatorDashboardIT.RULES),
                cp,
                PluginMetricsProbe.class.getName(),
                List.of(),
                work.resolve("probe.log"))) {
            URI uri = URI.create("http://127.0.0.1:" + port + "/metrics");
            Scrape[] s = new Scrape[1];
            probe.awaitReady("the probe's series on " + uri, TIMEOUT, () -> {
                s[0] = OperatorDashboardIT.scrape(uri);
                return s[0].series().containsKey("o365_audit_stream_retries_total");
            });
            assertEquals(
                    List.of(new Scrape.Sample(Map.of("connector", "probe", "task", "0"), 42)),
                    s[0].series().get("o365_audit_records_emitted_total"));
            assertEquals(
                    List.of(new Scrape.Sample(Map.of("connector", "probe", "task", "0"), 1500)),
                    s[0].series().get("o365_audit_lag_ms"));
            assertEquals(
                    List.of(new Scrape.Sample(Map.of("connector", "probe", "task", "0", "tenant", "t-1"), 1)),
                    s[0].series().get("o365_audit_tenant_failing"));
            Map<String, String> stream =
                    Map.of("connector", "probe", "task", "0", "tenant", "t-1", "content_type", "Audit.Exchange");
            assertEquals(List.of(new Scrape.Sample(stream, 3)), s[0].series().get("o365_audit_stream_health_state"));
            assertEquals(List.of(new Scrape.Sample(stream, 7)), s[0].series().get("o365_audit_stream_retries_total"));
        }
    }
}
