package io.github.auditlake.o365.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one task's collection engine. Plain Java; the Connect glue publishes them as plugin metrics and the
 * engine logs a periodic summary.
 */
public final class EngineMetrics {
    public final LongAdder recordsEmitted = new LongAdder();
    public final LongAdder bytesEmitted = new LongAdder();
    public final LongAdder blobsCompleted = new LongAdder();
    /** Blobs whose {@code contentExpiration} had passed before they could be fetched (data lost at the source). */
    public final LongAdder blobsSkippedExpired = new LongAdder();
    /** Blobs the service no longer had (AF20050, AF20051, AF20052, 404). */
    public final LongAdder blobsSkippedMissing = new LongAdder();
    /** Blobs abandoned after repeated failures (the rest of their records skipped). */
    public final LongAdder blobsAbandoned = new LongAdder();
    public final LongAdder blobsDuplicateListed = new LongAdder();
    public final LongAdder windowsListed = new LongAdder();
    /** Times a stream's position fell out of the API's 7-day retention (possible loss during an outage). */
    public final LongAdder retentionGaps = new LongAdder();
    public final LongAdder listRetries = new LongAdder();
    public final LongAdder fetchRetries = new LongAdder();
    public final LongAdder subscriptionsStarted = new LongAdder();
    public final LongAdder heartbeats = new LongAdder();
    /** Per stream: epoch ms of the high watermark (everything listed before it was delivered). */
    public final Map<String, AtomicLong> highWatermarkMs = new ConcurrentHashMap<>();

    public AtomicLong highWatermark(String stream) {
        return highWatermarkMs.computeIfAbsent(stream, s -> new AtomicLong());
    }

    /** A one-line summary for the periodic INFO log. */
    public String summary() {
        return "records=" + recordsEmitted.sum() + " bytes=" + bytesEmitted.sum() + " blobs=" + blobsCompleted.sum()
                + " windows=" + windowsListed.sum() + " skippedExpired=" + blobsSkippedExpired.sum()
                + " skippedMissing=" + blobsSkippedMissing.sum() + " abandoned=" + blobsAbandoned.sum()
                + " retentionGaps=" + retentionGaps.sum() + " listRetries=" + listRetries.sum()
                + " fetchRetries=" + fetchRetries.sum() + " heartbeats=" + heartbeats.sum();
    }
}
