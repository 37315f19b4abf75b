package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.AuditRecordStream;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import java.time.Duration;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches one blob into its buffer, skipping the records already delivered. A transient failure (a reset
 * connection, a truncated body, throttling) refetches the blob and skips what was already buffered: blobs are
 * immutable, so record indexes are stable.
 */
final class BlobFetch implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(BlobFetch.class);

    private final CollectionEngine engine;
    private final ManagementApi api;
    private final BlobBuffer buffer;
    private final Random random;

    BlobFetch(CollectionEngine engine, ManagementApi api, BlobBuffer buffer, Random random) {
        this.engine = engine;
        this.api = api;
        this.buffer = buffer;
        this.random = random;
    }

    @Override
    public void run() {
        ContentBlob blob = buffer.blob;
        EngineSettings settings = engine.settings();
        int failures = 0;
        try {
            while (!engine.closed()) {
                if (blob.isExpiredAt(engine.clock().instant())) {
                    engine.metrics().blobsSkippedExpired.increment();
                    buffer.finish(BlobBuffer.End.VANISHED, "its contentExpiration " + blob.contentExpiration()
                            + " has passed", null);
                    return;
                }
                long have = buffer.nextIndex();
                try (AuditRecordStream records = api.openBlob(blob)) {
                    long index = 0;
                    while (records.hasNext()) {
                        AuditRecord r = records.next();
                        if (index++ < have) {
                            continue;
                        }
                        if (!buffer.put(r)) {
                            return;
                        }
                        have++;
                    }
                    if (index < have) {
                        log.warn("Blob {} now holds {} records, fewer than the {} already delivered; the blob changed "
                                + "on the service side", blob.contentId(), index, have);
                    }
                    buffer.finish(BlobBuffer.End.COMPLETE, null, null);
                    return;
                } catch (ApiException e) {
                    if (engine.closed() || Thread.currentThread().isInterrupted()) {
                        buffer.finish(BlobBuffer.End.CANCELLED, null, null);
                        return;
                    }
                    if (e.kind() == ErrorKind.SKIP_BLOB) {
                        engine.metrics().blobsSkippedMissing.increment();
                        buffer.finish(BlobBuffer.End.VANISHED, e.getMessage(), null);
                        return;
                    }
                    if (e.kind() != ErrorKind.TRANSIENT) {
                        buffer.finish(BlobBuffer.End.FAILED, e.getMessage(), e);
                        return;
                    }
                    failures++;
                    engine.metrics().fetchRetries.increment();
                    if (failures >= settings.maxBlobAttempts()) {
                        buffer.finish(BlobBuffer.End.ABANDONED, e.getMessage(), null);
                        return;
                    }
                    Duration d = Backoff.delay(failures, settings.backoffInitial(), settings.backoffMax(),
                            e.retryAfter(), random);
                    log.warn("Fetching blob {} failed (attempt {}, {} records buffered): {}; retrying in {} ms",
                            blob.contentId(), failures, have, e.getMessage(), d.toMillis());
                    engine.sleeper().sleep(d);
                }
            }
            buffer.finish(BlobBuffer.End.CANCELLED, null, null);
        } catch (InterruptedException e) {
            buffer.finish(BlobBuffer.End.CANCELLED, null, null);
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            buffer.finish(BlobBuffer.End.FAILED, e.getMessage(), e);
        }
    }
}
