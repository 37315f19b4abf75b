package io.github.auditlake.o365.records;

import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.engine.MemoryBudget;
import io.github.auditlake.o365.mapping.DriftRadar;
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
                "history-records-total",
                "Audit records read through audit search (o365.history.start) handed to Connect",
                m.historyRecords);
        counter(pm, "history-queries-total", "Audit-search queries submitted by history phases", m.historyQueries);
        counter(
                pm,
                "history-seam-duplicates-total",
                "Management API records created before the seam that history had delivered: not delivered again",
                m.historySeamDuplicates);
        counter(
                pm,
                "history-gaps-skipped-total",
                "History phases whose rest was not read because o365.history.start was cleared (published on the "
                        + "skips topic)",
                m.historyGapsSkipped);
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

    /**
     * The worker-wide memory budget ({@code o365.buffer.max.bytes}) as every task of the worker sees it: the same two
     * values under each task (the budget is shared by all tasks of the plugin in the worker JVM).
     */
    public static void registerBudget(SourceTaskContext context, MemoryBudget budget) {
        PluginMetrics pm = pluginMetrics(context);
        if (pm == null) {
            return;
        }
        pm.addMetric(
                pm.metricName(
                        "memory-budget-used-bytes",
                        "Bytes of fetched records held in the worker-wide memory budget right now (read-ahead, "
                                + "current blobs, records waiting for poll() or for the broker's acknowledgement), "
                                + "all tasks of the plugin in this worker together",
                        new LinkedHashMap<>()),
                (Gauge<Long>) (config, now) -> budget.usedBytes());
        pm.addMetric(
                pm.metricName(
                        "memory-budget-max-bytes",
                        "The worker-wide memory budget (the largest o365.buffer.max.bytes of the tasks started in "
                                + "this worker)",
                        new LinkedHashMap<>()),
                (Gauge<Long>) (config, now) -> budget.maxBytes());
    }

    /** Per-tenant metrics (tag {@code tenant}): whether the tenant's streams are failing, and since when. */
    public static void registerTenants(
            SourceTaskContext context, EngineMetrics m, java.util.Collection<String> tenants) {
        PluginMetrics pm = pluginMetrics(context);
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
            LongAdder emitted = m.recordsEmittedBy(t);
            pm.addMetric(
                    pm.metricName(
                            "tenant-records-emitted-total",
                            "Audit records of this tenant handed to Connect by this task",
                            new LinkedHashMap<>(tags)),
                    (Gauge<Long>) (config, now) -> emitted.sum());
        }
        counter(
                pm,
                "stream-failures-total",
                "Streams that could not collect because of a permanent error of their "
                        + "tenant, isolated from the other tenants",
                m.streamFailures);
    }

    /**
     * Schema-drift metrics per stream (tags {@code tenant} and {@code content-type}): distinct RecordTypes, Operations
     * and top-level fields the mapping tables do not know, first seen since the task started, and the records
     * delivered with an unknown RecordType.
     */
    public static void registerDrift(
            SourceTaskContext context, DriftRadar radar, java.util.Collection<StreamId> streams) {
        PluginMetrics pm = pluginMetrics(context);
        if (pm == null) {
            return;
        }
        for (StreamId s : streams) {
            DriftRadar.StreamDrift d = radar.stream(s.encode());
            LinkedHashMap<String, String> tags = new LinkedHashMap<>();
            tags.put("tenant", s.tenantId());
            tags.put("content-type", s.contentType().wireName());
            gauge(
                    pm,
                    "drift-record-types",
                    "Distinct RecordTypes missing from the plugin's RecordType table, seen on "
                            + "this stream since the task started",
                    tags,
                    () -> d.distinct(DriftRadar.Kind.RECORD_TYPE));
            gauge(
                    pm,
                    "drift-operations",
                    "Distinct Operations the mapping's operations table does not list, seen on "
                            + "this stream since the task started",
                    tags,
                    () -> d.distinct(DriftRadar.Kind.OPERATION));
            gauge(
                    pm,
                    "drift-fields",
                    "Distinct top-level record fields no mapping knows, seen on this stream since "
                            + "the task started (value formats ecs and ocsf only)",
                    tags,
                    () -> d.distinct(DriftRadar.Kind.FIELD));
            gauge(
                    pm,
                    "drift-unknown-record-type-records-total",
                    "Records delivered on this stream with a RecordType "
                            + "missing from the plugin's RecordType table (delivered unchanged)",
                    tags,
                    d.unknownRecordTypeRecords::sum);
            gauge(
                    pm,
                    "drift-forgotten-total",
                    "Times a drift value was not remembered because this stream's bounded memory was full ("
                            + DriftRadar.MAX_REMEMBERED + " per kind; a value counts each time it is seen)",
                    tags,
                    d.forgotten::sum);
        }
    }

    /**
     * Graph enrichment's metrics per tenant (tag {@code tenant}): getByIds requests and ids sent, cache hits and
     * misses, records enriched, records that went on unenriched by reason (tag {@code reason}), and the cache's
     * entries and estimated bytes.
     */
    public static void registerEnrichment(SourceTaskContext context, RecordEnrichment enrichment) {
        PluginMetrics pm = pluginMetrics(context);
        if (pm == null) {
            return;
        }
        enrichment.enrichers().forEach((tenant, en) -> {
            LinkedHashMap<String, String> tags = new LinkedHashMap<>();
            tags.put("tenant", tenant);
            io.github.auditlake.o365.enrich.EnrichStats st = en.stats();
            gauge(pm, "enrich-lookups-total", "Graph getByIds requests sent for enrichment", tags, st::requests);
            gauge(pm, "enrich-ids-requested-total", "Ids sent in Graph getByIds requests", tags, st::idsRequested);
            gauge(pm, "enrich-cache-hits-total", "Enrichment lookups answered by the cache", tags, st::cacheHits);
            gauge(
                    pm,
                    "enrich-cache-misses-total",
                    "Enrichment lookups the cache could not answer",
                    tags,
                    st::cacheMisses);
            gauge(
                    pm,
                    "enrich-records-enriched-total",
                    "Records with enrichment attached and nothing skipped",
                    tags,
                    st::enrichedRecords);
            gauge(
                    pm,
                    "enrich-cache-entries",
                    "Entries in the enrichment cache",
                    tags,
                    () -> en.cache().size());
            gauge(
                    pm,
                    "enrich-cache-bytes",
                    "Estimated bytes of the enrichment cache",
                    tags,
                    () -> en.cache().bytes());
            for (io.github.auditlake.o365.enrich.Unenriched u : io.github.auditlake.o365.enrich.Unenriched.values()) {
                LinkedHashMap<String, String> t = new LinkedHashMap<>(tags);
                t.put("reason", u.label());
                gauge(
                        pm,
                        "enrich-records-unenriched-total",
                        "Records that went on without (all of) their enrichment, by reason",
                        t,
                        () -> st.unenriched(u));
            }
        });
    }

    /** The task's plugin metrics, or null on a worker without them (Kafka < 4.1). */
    private static PluginMetrics pluginMetrics(SourceTaskContext context) {
        try {
            return context.pluginMetrics();
        } catch (NoSuchMethodError | UnsupportedOperationException e) {
            return null;
        }
    }

    private static void gauge(
            PluginMetrics pm,
            String name,
            String doc,
            LinkedHashMap<String, String> tags,
            java.util.function.LongSupplier value) {
        pm.addMetric(
                pm.metricName(name, doc, new LinkedHashMap<>(tags)), (Gauge<Long>) (config, now) -> value.getAsLong());
    }

    /**
     * Per-stream health metrics (tags {@code tenant} and {@code content-type}): the stream's health state (the codes of
     * docs/operations.md), blobs listed and not yet delivered, and the age of the oldest of them; and the task's count
     * of blobs delivered close to their expiry.
     */
    public static void registerHealth(
            SourceTaskContext context,
            io.github.auditlake.o365.engine.health.HealthMonitor health,
            java.util.Collection<io.github.auditlake.o365.cursor.StreamId> streams) {
        PluginMetrics pm = pluginMetrics(context);
        if (pm == null) {
            return;
        }
        for (io.github.auditlake.o365.cursor.StreamId s : streams) {
            LinkedHashMap<String, String> tags = new LinkedHashMap<>();
            tags.put("tenant", s.tenantId());
            tags.put("content-type", s.contentType().wireName());
            pm.addMetric(
                    pm.metricName(
                            "stream-health-state",
                            "The stream's health state: 1 signing-in, 2 subscribed, 3 collecting, 4 caught-up, "
                                    + "5 lagging, 6 throttled, 7 stalled, 8 disabled, 9 permission-missing, "
                                    + "10 sign-in-failed, 11 audit-off, 12 tenant-quiet, 13 failed, 14 history "
                                    + "(docs/operations.md)",
                            new LinkedHashMap<>(tags)),
                    (Gauge<Long>) (config, now) -> health.stateCode(s));
            pm.addMetric(
                    pm.metricName(
                            "blobs-pending",
                            "Blobs of this stream listed and not yet delivered",
                            new LinkedHashMap<>(tags)),
                    (Gauge<Long>) (config, now) -> (long) health.blobsPending(s));
            pm.addMetric(
                    pm.metricName(
                            "oldest-pending-blob-age-ms",
                            "Milliseconds since the oldest blob of this stream listed and not yet delivered was "
                                    + "first listed (0 when none)",
                            new LinkedHashMap<>(tags)),
                    (Gauge<Long>) (config, now) -> health.oldestPendingAgeMs(s));
        }
        counter(
                pm,
                "blob-expiry-risks-total",
                "Blobs delivered (or skipped) within o365.health.expiry.margin.ms of their contentExpiration",
                health.blobExpiryRisks);
    }

    /**
     * Per content type (tag {@code content-type}): how late its blobs became visible, from
     * {@link EngineMetrics#lateness(String)}: the count measured and the p50, p90, p99 and largest lateness in ms.
     */
    public static void registerContentTypes(
            SourceTaskContext context, EngineMetrics m, java.util.Collection<String> contentTypes) {
        PluginMetrics pm = pluginMetrics(context);
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
