package io.github.auditlake.o365.records;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.mapping.DriftRadar;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.Test;

/** The drift radar's counts are plugin metrics per stream, tagged with tenant and content type. */
class DriftMetricsTest {
    @Test
    void driftCountsArePublishedPerStream() throws Exception {
        try (Metrics metrics = new Metrics()) {
            PluginMetrics pm = new PluginMetricsImpl(metrics, Map.of("connector", "c", "task", "0"));
            SourceTaskContext context = new SourceTaskContext() {
                @Override
                public Map<String, String> configs() {
                    return Map.of();
                }

                @Override
                public OffsetStorageReader offsetStorageReader() {
                    return null;
                }

                @Override
                public PluginMetrics pluginMetrics() {
                    return pm;
                }
            };
            StreamId general = new StreamId("t1", ContentType.GENERAL);
            StreamId exchange = new StreamId("t1", ContentType.EXCHANGE);
            DriftRadar radar = new DriftRadar(e -> {});
            TaskMetrics.registerDrift(context, radar, List.of(general, exchange));
            radar.observe(general.encode(), "Audit.General", 999, "Shiny", null);
            radar.observe(general.encode(), "Audit.General", 999, "Shiny", null);
            radar.observe(general.encode(), "Audit.General", 998, null, null);
            assertEquals(2L, value(metrics, "drift-record-types", "Audit.General"));
            assertEquals(1L, value(metrics, "drift-operations", "Audit.General"));
            assertEquals(3L, value(metrics, "drift-unknown-record-type-records-total", "Audit.General"));
            assertEquals(0L, value(metrics, "drift-record-types", "Audit.Exchange"));
        }
    }

    static Object value(Metrics metrics, String name, String contentType) {
        for (KafkaMetric m : metrics.metrics().values()) {
            if (m.metricName().name().equals(name)
                    && contentType.equals(m.metricName().tags().get("content-type"))
                    && "t1".equals(m.metricName().tags().get("tenant"))) {
                return m.metricValue();
            }
        }
        throw new AssertionError("no metric " + name + " for " + contentType);
    }
}
