package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.AuditRecordStream;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Random;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches one blob into its buffer, skipping the records already delivered. A transient failure (a reset
 * connection, a truncated body, throttling, an outage) refetches the blob and skips what was already buffered: blobs
 * are immutable, so record indexes are stable. Transient failures are retried with capped backoff for as long as
 * the blob can be fetched (until its {@code contentExpiration}, by the service's clock): an outage delays a blob,
 * it never skips it. A blob is given up only when the service says it is gone or it has expired.
 */
final class BlobFetch implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(BlobFetch.class);

    private final WorkerContext ctx;
    private final ManagementApi api;
    private final BlobBuffer buffer;
    private final Random random;
    private final Supplier<Instant> serviceNow;

    BlobFetch(WorkerContext ctx, ManagementApi api, BlobBuffer buffer, Random random, Supplier<Instant> serviceNow) {
        this.ctx = ctx;
        this.api = api;
        this.buffer = buffer;
        this.random = random;
        this.serviceNow = serviceNow;
    }

    @Override
    public void run() {
        ContentBlob blob = buffer.blob;
        EngineSettings settings = ctx.settings();
        int failures = 0;
        boolean checked = buffer.expectLastId == null || buffer.skip() == 0;
        boolean decode = ctx.decodeWhileFetching();
        try {
            while (!ctx.engine().closed()) {
                if (blob.isExpiredAt(serviceNow.get())) {
                    ctx.metrics().blobsSkippedExpired.increment();
                    buffer.finish(
                            BlobBuffer.End.GONE,
                            "its contentExpiration " + blob.contentExpiration() + " has passed",
                            null);
                    return;
                }
                long have = buffer.nextIndex();
                try (AuditRecordStream records = api.openBlob(blob)) {
                    long index = 0;
                    boolean rewound = false;
                    while (records.hasNext()) {
                        AuditRecord r = records.next();
                        if (index++ < have) {
                            if (!checked && index == have) {
                                checked = true;
                                if (!Objects.equals(r.id(), buffer.expectLastId)) {
                                    ctx.metrics().blobsResynced.increment();
                                    log.warn(
                                            "Blob {}: the record before the resume point has Id {}, not {} as "
                                                    + "delivered before the restart; the blob changed on the service side. "
                                                    + "Delivering it again from its first record (duplicates, never loss)",
                                            blob.contentId(),
                                            r.id(),
                                            buffer.expectLastId);
                                    buffer.rewind();
                                    rewound = true;
                                    break;
                                }
                            }
                            continue;
                        }
                        if (decode) {
                            r.json(); // decoded here, on a fetch thread, rather than on the thread that polls
                        }
                        if (!buffer.put(r)) {
                            return;
                        }
                        have++;
                        failures = 0; // progress: the next failure backs off from the start again
                    }
                    if (rewound) {
                        continue; // fetch again, from the first record
                    }
                    if (!checked) {
                        checked = true;
                        if (index < have) {
                            ctx.metrics().blobsResynced.increment();
                            log.warn(
                                    "Blob {} now holds {} records, fewer than the {} delivered before the restart; "
                                            + "the blob changed on the service side. Delivering it again from its first "
                                            + "record",
                                    blob.contentId(),
                                    index,
                                    have);
                            buffer.rewind();
                            continue;
                        }
                    }
                    buffer.finish(BlobBuffer.End.COMPLETE, null, null);
                    return;
                } catch (ApiException e) {
                    if (ctx.engine().closed() || Thread.currentThread().isInterrupted()) {
                        buffer.finish(BlobBuffer.End.CANCELLED, null, null);
                        return;
                    }
                    if (e.kind() == ErrorKind.SKIP_BLOB) {
                        ctx.metrics().blobsSkippedMissing.increment();
                        buffer.finish(BlobBuffer.End.GONE, e.getMessage(), null);
                        return;
                    }
                    if (e.kind() != ErrorKind.TRANSIENT) {
                        buffer.finish(BlobBuffer.End.FAILED, e.getMessage(), e);
                        return;
                    }
                    failures++;
                    ctx.metrics().fetchRetries.increment();
                    Duration d = Backoff.delay(
                            failures, settings.backoffInitial(), settings.backoffMax(), e.retryAfter(), random);
                    log.warn(
                            "Fetching blob {} failed (attempt {}, {} records buffered): {}; retrying in {} ms "
                                    + "(until it expires at {})",
                            blob.contentId(),
                            failures,
                            have,
                            e.getMessage(),
                            d.toMillis(),
                            blob.contentExpiration());
                    ctx.sleeper().sleep(d);
                }
            }
            buffer.finish(BlobBuffer.End.CANCELLED, null, null);
        } catch (InterruptedException e) {
            buffer.finish(BlobBuffer.End.CANCELLED, null, null);
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            buffer.finish(BlobBuffer.End.FAILED, e.getMessage(), e);
        } catch (Error e) {
            buffer.finish(
                    BlobBuffer.End.FAILED,
                    "a fatal error in a fetch thread: " + e,
                    new IllegalStateException(
                            "A fatal error in the fetch thread of blob " + blob.contentId() + ": " + e, e));
            throw e;
        }
    }
}
