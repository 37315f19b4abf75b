package io.github.auditlake.o365.metrics;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one task's collection engine. Plain Java; the Connect glue publishes them as plugin metrics and the
 * engine logs a periodic summary.
 */
public final class EngineMetrics {
    public final LongAdder recordsEmitted = new LongAdder();
    /** Records read through audit search (history phase), delivered. */
    public final LongAdder historyRecords = new LongAdder();
    /** Audit-search queries submitted by history phases. */
    public final LongAdder historyQueries = new LongAdder();
    /** Management API records created before the seam that the history phase had delivered: not delivered again. */
    public final LongAdder historySeamDuplicates = new LongAdder();
    /** History phases whose rest was skipped because o365.history.start was cleared (each published). */
    public final LongAdder historyGapsSkipped = new LongAdder();
    /** Of {@link #recordsEmitted}: per tenant id. */
    public final Map<String, LongAdder> recordsEmittedByTenant = new ConcurrentHashMap<>();

    public final LongAdder bytesEmitted = new LongAdder();
    public final LongAdder blobsCompleted = new LongAdder();
    /** Blobs whose {@code contentExpiration} had passed before they could be fetched (data lost at the source). */
    public final LongAdder blobsSkippedExpired = new LongAdder();
    /** Blobs the service no longer had (AF20050, AF20051, AF20052, 404). */
    public final LongAdder blobsSkippedMissing = new LongAdder();
    /** Blobs published on the skips topic (gone or expired at the service), whatever the reason. */
    public final LongAdder blobsSkipped = new LongAdder();
    /** Blob elements or records published on the skips topic instead of the audit topic. */
    public final LongAdder recordsSkipped = new LongAdder();
    /** Blobs delivered again from their first record because they changed since a restart inside them. */
    public final LongAdder blobsResynced = new LongAdder();
    /** Sweeps of older spans completed. */
    public final LongAdder sweeps = new LongAdder();
    /** Blobs found by sweeps: visible only after their span was first listed. */
    public final LongAdder stragglersFound = new LongAdder();

    public final LongAdder blobsDuplicateListed = new LongAdder();
    public final LongAdder windowsListed = new LongAdder();
    /** Times a stream's position fell out of the API's 7-day retention (possible loss during an outage). */
    public final LongAdder retentionGaps = new LongAdder();

    /**
     * Service {@code Date} headers ignored because they were implausibly far from the worker's clock (a worker clock
     * a day off, or a hostile answer).
     */
    public final LongAdder serviceDatesRejected = new LongAdder();

    public final LongAdder listRetries = new LongAdder();
    public final LongAdder fetchRetries = new LongAdder();
    public final LongAdder subscriptionsStarted = new LongAdder();
    public final LongAdder heartbeats = new LongAdder();
    /** Per stream: epoch ms of the high watermark (everything listed before it was delivered). */
    public final Map<String, AtomicLong> highWatermarkMs = new ConcurrentHashMap<>();

    /** Streams that could not collect because of a permanent error, isolated from the others (several tenants). */
    public final LongAdder streamFailures = new LongAdder();
    /** Per stream: epoch ms since when it fails permanently (isolated), or 0. */
    public final Map<String, AtomicLong> failingSinceMs = new ConcurrentHashMap<>();

    public AtomicLong failingSince(String stream) {
        return failingSinceMs.computeIfAbsent(stream, s -> new AtomicLong());
    }

    /** Epoch ms since when the oldest failing stream of {@code tenant} fails (isolated), or 0 when none does. */
    public long tenantFailingSince(String tenant) {
        return failingSinceMs.entrySet().stream()
                .filter(e -> e.getKey().startsWith(tenant + "|"))
                .mapToLong(e -> e.getValue().get())
                .filter(v -> v > 0)
                .min()
                .orElse(0);
    }

    /** Per stream: epoch ms since when it has been retrying without success for a while, or 0. */
    public final Map<String, AtomicLong> stalledSinceMs = new ConcurrentHashMap<>();

    public AtomicLong stalledSince(String stream) {
        return stalledSinceMs.computeIfAbsent(stream, s -> new AtomicLong());
    }

    /** Streams currently stalled (retrying for minutes). */
    public long stalledStreams() {
        return stalledSinceMs.values().stream().filter(v -> v.get() > 0).count();
    }

    /** The records emitted for {@code tenant}'s streams. */
    public LongAdder recordsEmittedBy(String tenant) {
        return recordsEmittedByTenant.computeIfAbsent(tenant, t -> new LongAdder());
    }

    /**
     * Per content type (its wire name, e.g. {@code Audit.Exchange}): how late blobs became visible, measured for the
     * blobs a caught-up stream lists for the first time (see {@link #lateness(String)}).
     */
    private final Map<String, LatenessHistogram> latenessByContentType = new ConcurrentHashMap<>();

    /**
     * The lateness histogram of a content type: each blob a caught-up stream lists for the first time is recorded
     * with its first listing's time minus its {@code contentCreated}. A blob becomes visible at most one listing
     * interval before it is first listed (the poll interval for the most recent hour, the sweep interval for older
     * spans), so the figures are upper bounds to that resolution.
     */
    public LatenessHistogram lateness(String contentType) {
        return latenessByContentType.computeIfAbsent(contentType, t -> new LatenessHistogram());
    }

    /**
     * The lateness figures of every content type measured so far, by wire name, in name order (a content type
     * appears once a stream of it has caught up). Plain Java, for the health summary and the plugin metrics.
     */
    public Map<String, LatenessHistogram.Snapshot> latenessSnapshots() {
        Map<String, LatenessHistogram.Snapshot> out = new TreeMap<>();
        latenessByContentType.forEach((t, h) -> out.put(t, h.snapshot()));
        return Collections.unmodifiableMap(out);
    }

    /** The lateness figures of one content type ({@link LatenessHistogram.Snapshot#EMPTY} before any). */
    public LatenessHistogram.Snapshot latenessSnapshot(String contentType) {
        LatenessHistogram h = latenessByContentType.get(contentType);
        return h == null ? LatenessHistogram.Snapshot.EMPTY : h.snapshot();
    }

    public AtomicLong highWatermark(String stream) {
        return highWatermarkMs.computeIfAbsent(stream, s -> new AtomicLong());
    }

    /** A one-line summary for the periodic INFO log. */
    public String summary() {
        return "records=" + recordsEmitted.sum() + " bytes=" + bytesEmitted.sum() + " blobs=" + blobsCompleted.sum()
                + " windows=" + windowsListed.sum() + " skippedExpired=" + blobsSkippedExpired.sum()
                + " skippedMissing=" + blobsSkippedMissing.sum() + " recordsSkipped=" + recordsSkipped.sum()
                + " stragglers=" + stragglersFound.sum() + " resynced=" + blobsResynced.sum()
                + " stalled=" + stalledStreams()
                + " retentionGaps=" + retentionGaps.sum() + " listRetries=" + listRetries.sum()
                + " fetchRetries=" + fetchRetries.sum() + " heartbeats=" + heartbeats.sum()
                + " serviceDatesRejected=" + serviceDatesRejected.sum()
                + (latenessByContentType.isEmpty() ? "" : " lateness=" + latenessSnapshots());
    }
}
