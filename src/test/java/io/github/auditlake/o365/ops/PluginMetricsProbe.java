package io.github.auditlake.o365.ops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.JmxReporter;
import org.apache.kafka.common.metrics.KafkaMetricsContext;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.utils.Time;

/**
 * The main class of a child JVM for {@link ExporterRulesTest}: registers plugin metrics the way a Connect worker
 * does (Kafka's {@link JmxReporter} under the {@code kafka.connect} prefix, group {@code plugins}, tags
 * {@code connector} and {@code task} first, then the metric's own tags), with zero, one and two tags of their own,
 * then waits until the parent stops it.
 */
public final class PluginMetricsProbe {
    private PluginMetricsProbe() {}

    public static void main(String[] args) throws InterruptedException {
        Metrics metrics = new Metrics(
                new MetricConfig(), List.of(new JmxReporter()), Time.SYSTEM, new KafkaMetricsContext("kafka.connect"));
        add(metrics, "records-emitted-total", Map.of(), 42);
        add(metrics, "lag-ms", Map.of(), 1500);
        add(metrics, "tenant-failing", Map.of("tenant", "t-1"), 1);
        Map<String, String> stream = new LinkedHashMap<>();
        stream.put("tenant", "t-1");
        stream.put("content-type", "Audit.Exchange");
        add(metrics, "stream-health-state", stream, 3);
        add(metrics, "stream-retries-total", stream, 7);
        System.out.println("probe ready");
        Thread.sleep(Long.MAX_VALUE); // the parent stops this JVM (JavaProcess.close, or its watchdog)
    }

    private static void add(Metrics metrics, String name, Map<String, String> own, long value) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("connector", "probe");
        tags.put("task", "0");
        tags.putAll(own);
        metrics.addMetric(new MetricName(name, "plugins", "", tags), (Gauge<Long>) (config, now) -> value);
    }
}
