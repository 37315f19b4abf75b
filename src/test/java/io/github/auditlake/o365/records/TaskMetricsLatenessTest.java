package io.github.auditlake.o365.records;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.auditlake.o365.metrics.EngineMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.Test;

/** The lateness figures are published as plugin metrics, one set per content type (tag {@code content-type}). */
class TaskMetricsLatenessTest {
    @Test
    void latenessGaugesPerContentTypeReadTheEnginesHistogram() throws Exception {
        try (Metrics metrics = new Metrics();
                PluginMetricsImpl pm = new PluginMetricsImpl(metrics, Map.of("connector", "c", "task", "0"))) {
            SourceTaskContext ctx = new SourceTaskContext() {
                @Override
                public Map<String, String> configs() {
                    return Map.of();
                }

                @Override
                public OffsetStorageReader offsetStorageReader() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public PluginMetrics pluginMetrics() {
                    return pm;
                }
            };
            EngineMetrics m = new EngineMetrics();
            TaskMetrics.registerContentTypes(ctx, m, List.of("Audit.Exchange", "Audit.SharePoint", "Audit.Exchange"));
            m.lateness("Audit.Exchange").record(Duration.ofSeconds(30));
            m.lateness("Audit.Exchange").record(Duration.ofHours(20));

            assertEquals(2L, value(metrics, "blob-lateness-count", "Audit.Exchange"));
            assertEquals(Duration.ofHours(20).toMillis(), value(metrics, "blob-lateness-max-ms", "Audit.Exchange"));
            assertEquals(Duration.ofHours(20).toMillis(), value(metrics, "blob-lateness-p99-ms", "Audit.Exchange"));
            long p50 = (Long) value(metrics, "blob-lateness-p50-ms", "Audit.Exchange");
            assertEquals(true, p50 >= 30_000 && p50 <= 33_000, "p50 " + p50);
            assertEquals(0L, value(metrics, "blob-lateness-count", "Audit.SharePoint"));
            assertEquals(0L, value(metrics, "blob-lateness-p90-ms", "Audit.SharePoint"));
        }
    }

    static Object value(Metrics metrics, String name, String contentType) {
        return metrics.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(name)
                        && contentType.equals(e.getKey().tags().get("content-type")))
                .map(e -> e.getValue().metricValue())
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " " + contentType + " not registered: "
                        + metrics.metrics().keySet().stream()
                                .map(MetricName::name)
                                .toList()));
    }
}
