package io.github.auditlake.o365.records;

import io.github.auditlake.o365.metrics.EngineMetrics;
import io.github.auditlake.o365.metrics.LatenessHistogram;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a task's {@link EngineMetrics} as Connect plugin metrics (KIP-877, Kafka 4.1+), visible over JMX under
 * {@code kafka.connect:type=plugins,connector=...,task=...}. On older workers the metrics are only logged.
 */
public final class TaskMetrics {
    private static final Logger log = LoggerFactory.getLogger(TaskMetrics.class);

    private TaskMetrics() {}

    public static void register(SourceTaskContext context, EngineMetrics m, Clock clock) {
        PluginMetrics pm;
        try {
            pm = context.pluginMetrics();
        } catch (NoSuchMethodError | UnsupportedOperationException e) {
            log.info("This worker has no plugin metrics (Kafka < 4.1); counters are logged once a minute only");
            return;
        }
        if (pm == null) {
            return;
        }
        counter(pm, "records-emitted-total", "Audit records handed to Connect", m.recordsEmitted);
        counter(pm, "bytes-emitted-total", "Characters of audit record JSON handed to Connect", m.bytesEmitted);
        counter(pm, "blobs-completed-total", "Content blobs delivered completely", m.blobsCompleted);
        counter(
                pm,
                "blobs-skipped-expired-total",
                "Blobs skipped because their contentExpiration had passed " + "(data lost at the source)",
                m.blobsSkippedExpired);
        counter(
                pm,
                "blobs-skipped-missing-total",
                "Blobs the service no longer had (AF20050/AF20051/404)",
                m.blobsSkippedMissing);
        counter(
                pm,
                "blobs-skipped-total",
                "Blobs published on the skips topic (gone or expired at the service)",
                m.blobsSkipped);
        counter(
                pm,
                "records-skipped-total",
                "Records or blob elements published on the skips topic instead of "
                        + "the audit topic (not an object, larger than o365.record.max.bytes)",
                m.recordsSkipped);
        counter(
                pm,
                "blobs-resynced-total",
                "Blobs delivered again from the start because they changed since a " + "restart inside them",
                m.blobsResynced);
        counter(pm, "sweeps-total", "Straggler sweeps of older spans completed", m.sweeps);
        counter(
                pm,
                "stragglers-total",
                "Blobs found by sweeps (visible only after their span was first listed)",
                m.stragglersFound);
        pm.addMetric(
                pm.metricName(
                        "streams-stalled",
                        "Streams retrying transient errors for 5 minutes or more "
                                + "(an outage or throttling; nothing is skipped, collection resumes by itself)",
                        new LinkedHashMap<>()),
                (Gauge<Long>) (config, now) -> m.stalledStreams());
        counter(pm, "windows-listed-total", "Listing windows completed", m.windowsListed);
        counter(
                pm,
                "retention-gaps-total",
                "Times a stream's position fell out of the API's 7-day retention " + "(possible loss during an outage)",
                m.retentionGaps);
        counter(pm, "list-retries-total", "Listing attempts retried after transient errors", m.listRetries);
        counter(pm, "fetch-retries-total", "Blob fetches retried after transient errors", m.fetchRetries);
        counter(pm, "subscriptions-started-total", "Subscriptions started by the connector", m.subscriptionsStarted);
        counter(pm, "heartbeats-total", "Heartbeat records written", m.heartbeats);
        counter(
                pm,
                "service-dates-rejected-total",
                "Service Date headers ignored because they were more than 24 h from the worker's clock "
                        + "(the worker's clock is wrong, or an answer was rewritten)",
                m.serviceDatesRejected);
        pm.addMetric(
                pm.metricName(
                        "lag-ms",
                        "Milliseconds between now and the oldest stream position of this task "
                                + "(how far collection is behind)",
                        new LinkedHashMap<>()),
                (Gauge<Long>) (config, now) -> {
                    long oldest = m.highWatermarkMs.values().stream()
                            .mapToLong(AtomicLong::get)
                            .filter(v -> v > 0)
                            .min()
                            .orElse(0);
                    return oldest == 0 ? 0L : Math.max(0, clock.millis() - oldest);
                });
    }

    /** Per-tenant metrics (tag {@code tenant}): whether the tenant's streams are failing, and since when. */
    public static void registerTenants(
            SourceTaskContext context, EngineMetrics m, java.util.Collection<String> tenants) {
        PluginMetrics pm;
        try {
            pm = context.pluginMetrics();
        } catch (NoSuchMethodError | UnsupportedOperationException e) {
            return;
        }
        if (pm == null) {
            return;
        }
        for (String t : tenants) {
            LinkedHashMap<String, String> tags = new LinkedHashMap<>();
            tags.put("tenant", t);
            pm.addMetric(
                    pm.metricName(
                            "tenant-failing",
                            "1 while this tenant's streams fail permanently (consent "
                                    + "revoked, tenant deleted, permission missing) and are retried with backoff; else 0",
                            new LinkedHashMap<>(tags)),
                    (Gauge<Long>) (config, now) -> m.tenantFailingSince(t) > 0 ? 1L : 0L);
            pm.addMetric(
                    pm.metricName(
                            "tenant-high-watermark-ms",
                            "Oldest stream position of this tenant in this " + "task (epoch ms)",
                            new LinkedHashMap<>(tags)),
                    (Gauge<Long>) (config, now) -> m.highWatermarkMs.entrySet().stream()
                            .filter(e -> e.getKey().startsWith(t + "|"))
                            .mapToLong(e -> e.getValue().get())
                            .filter(v -> v > 0)
                            .min()
                            .orElse(0));
        }
        counter(
                pm,
                "stream-failures-total",
                "Streams that could not collect because of a permanent error of their "
                        + "tenant, isolated from the other tenants",
                m.streamFailures);
    }

    /**
     * Per content type (tag {@code content-type}): how late its blobs became visible, from
     * {@link EngineMetrics#lateness(String)}: the count measured and the p50, p90, p99 and largest lateness in ms.
     */
    public static void registerContentTypes(
            SourceTaskContext context, EngineMetrics m, java.util.Collection<String> contentTypes) {
        PluginMetrics pm;
        try {
            pm = context.pluginMetrics();
        } catch (NoSuchMethodError | UnsupportedOperationException e) {
            return;
        }
        if (pm == null) {
            return;
        }
        for (String t : new java.util.TreeSet<>(contentTypes)) {
            latenessGauge(
                    pm,
                    "blob-lateness-count",
                    "Blobs of this content type whose lateness was measured (listed for the first time by a "
                            + "caught-up stream) since the task started",
                    t,
                    LatenessHistogram.Snapshot::count,
                    m);
            latenessGauge(
                    pm,
                    "blob-lateness-p50-ms",
                    "Median time from a blob's contentCreated to its first listing (ms; an upper bound of when it "
                            + "became visible, within one listing interval and 10 %)",
                    t,
                    LatenessHistogram.Snapshot::p50Ms,
                    m);
            latenessGauge(
                    pm,
                    "blob-lateness-p90-ms",
                    "90th percentile of the time from a blob's contentCreated to its first listing (ms)",
                    t,
                    LatenessHistogram.Snapshot::p90Ms,
                    m);
            latenessGauge(
                    pm,
                    "blob-lateness-p99-ms",
                    "99th percentile of the time from a blob's contentCreated to its first listing (ms)",
                    t,
                    LatenessHistogram.Snapshot::p99Ms,
                    m);
            latenessGauge(
                    pm,
                    "blob-lateness-max-ms",
                    "Largest time from a blob's contentCreated to its first listing (ms); compare it with "
                            + "o365.straggler.coverage.ms: a blob later than the coverage is not collected",
                    t,
                    LatenessHistogram.Snapshot::maxMs,
                    m);
        }
    }

    private static void latenessGauge(
            PluginMetrics pm,
            String name,
            String doc,
            String contentType,
            java.util.function.ToLongFunction<LatenessHistogram.Snapshot> figure,
            EngineMetrics m) {
        LinkedHashMap<String, String> tags = new LinkedHashMap<>();
        tags.put("content-type", contentType);
        pm.addMetric(pm.metricName(name, doc, tags), (Gauge<Long>)
                (config, now) -> figure.applyAsLong(m.latenessSnapshot(contentType)));
    }

    private static void counter(PluginMetrics pm, String name, String doc, LongAdder adder) {
        pm.addMetric(
                pm.metricName(name, doc, new LinkedHashMap<>(Map.of())), (Gauge<Long>) (config, now) -> adder.sum());
    }
}
