package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.AuditRecordStream;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.Sleeper;
import io.github.auditlake.o365.engine.BlobSink.End;
import io.github.auditlake.o365.metrics.EngineMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches one blob into its sink, skipping the records already delivered. A transient failure (a reset
 * connection, a truncated body, throttling, an outage) refetches the blob and skips what was already taken: blobs
 * are immutable, so record indexes are stable. Transient failures are retried with capped backoff for as long as
 * the blob can be fetched (until its {@code contentExpiration}, by the service's clock): an outage delays a blob,
 * it never skips it. A blob is given up only when the service says it is gone or it has expired.
 *
 * <p>The engine runs one on a fetch thread for each blob it delivers; another caller (the CLI) fetches a blob whole
 * with {@link #fetch}.
 */
public final class BlobFetch implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(BlobFetch.class);

    private final ManagementApi api;
    private final ContentBlob blob;
    private final BlobSink sink;
    /** The first record to read, and the Id of the one before it (null: nothing to check), for a resumed blob. */
    private final long skip;

    private final String expectLastId;
    private final Duration backoffInitial;
    private final Duration backoffMax;
    private final Sleeper sleeper;
    private final Random random;
    private final Supplier<Instant> serviceNow;
    private final EngineMetrics metrics;
    private final BooleanSupplier stopped;
    private final boolean decode;
    private Watcher watcher = Watcher.NONE;

    /** Told of a fetch's transient failures and of its first answer after them (the stream's health). */
    interface Watcher {
        Watcher NONE = new Watcher() {
            @Override
            public void retrying(ApiException e) {}

            @Override
            public void answered() {}
        };

        /** A transient failure, retried. */
        void retrying(ApiException e);

        /** Records arrive again (or the blob completed) after failures. */
        void answered();
    }

    /** A stream's fetch of {@code buffer}, on the engine's fetch threads, reporting its failures to {@code watcher}. */
    BlobFetch(
            WorkerContext ctx,
            ManagementApi api,
            BlobBuffer buffer,
            Random random,
            Supplier<Instant> serviceNow,
            Watcher watcher) {
        this(ctx, api, buffer, random, serviceNow);
        this.watcher = watcher;
    }

    /** A stream's fetch of {@code buffer}, on the engine's fetch threads. */
    BlobFetch(WorkerContext ctx, ManagementApi api, BlobBuffer buffer, Random random, Supplier<Instant> serviceNow) {
        this(
                api,
                buffer.blob,
                buffer,
                buffer.skip(),
                buffer.expectLastId,
                ctx.settings().backoffInitial(),
                ctx.settings().backoffMax(),
                ctx.sleeper(),
                random,
                serviceNow,
                ctx.metrics(),
                ctx.engine()::closed,
                ctx.decodeWhileFetching());
    }

    private BlobFetch(
            ManagementApi api,
            ContentBlob blob,
            BlobSink sink,
            long skip,
            String expectLastId,
            Duration backoffInitial,
            Duration backoffMax,
            Sleeper sleeper,
            Random random,
            Supplier<Instant> serviceNow,
            EngineMetrics metrics,
            BooleanSupplier stopped,
            boolean decode) {
        this.api = api;
        this.blob = blob;
        this.sink = sink;
        this.skip = skip;
        this.expectLastId = expectLastId;
        this.backoffInitial = backoffInitial;
        this.backoffMax = backoffMax;
        this.sleeper = sleeper;
        this.random = random;
        this.serviceNow = serviceNow;
        this.metrics = metrics;
        this.stopped = stopped;
        this.decode = decode;
    }

    /**
     * Fetches {@code blob} whole into {@code sink} on the calling thread, as the engine does (see above), backing off
     * from {@code initial} up to {@code max} ({@link Backoff}) between attempts; the sink's {@code finish} says how
     * it ended. Interrupting the thread cancels it.
     *
     * @param now the service's time, by which the blob's {@code contentExpiration} is judged
     */
    public static void fetch(
            ManagementApi api,
            ContentBlob blob,
            BlobSink sink,
            Duration initial,
            Duration max,
            Sleeper sleeper,
            Random random,
            Supplier<Instant> now) {
        new BlobFetch(
                        api,
                        blob,
                        sink,
                        0,
                        null,
                        initial,
                        max,
                        sleeper,
                        random,
                        now,
                        new EngineMetrics(),
                        () -> false,
                        false)
                .run();
    }

    @Override
    public void run() {
        int failures = 0;
        boolean checked = expectLastId == null || skip == 0;
        try {
            while (!stopped.getAsBoolean()) {
                if (blob.isExpiredAt(serviceNow.get())) {
                    metrics.blobsSkippedExpired.increment();
                    sink.finish(End.GONE, "its contentExpiration " + blob.contentExpiration() + " has passed", null);
                    return;
                }
                long have = sink.nextIndex();
                try (AuditRecordStream records = api.openBlob(blob)) {
                    long index = 0;
                    boolean rewound = false;
                    while (records.hasNext()) {
                        AuditRecord r = records.next();
                        if (index++ < have) {
                            if (!checked && index == have) {
                                checked = true;
                                if (!Objects.equals(r.id(), expectLastId)) {
                                    metrics.blobsResynced.increment();
                                    log.warn(
                                            "Blob {}: the record before the resume point has Id {}, not {} as "
                                                    + "delivered before the restart; the blob changed on the service side. "
                                                    + "Delivering it again from its first record (duplicates, never loss)",
                                            blob.contentId(),
                                            r.id(),
                                            expectLastId);
                                    sink.rewind();
                                    rewound = true;
                                    break;
                                }
                            }
                            continue;
                        }
                        if (decode) {
                            r.json(); // decoded here, on a fetch thread, rather than on the thread that polls
                        }
                        if (!sink.put(r)) {
                            return;
                        }
                        have++;
                        if (failures > 0) {
                            watcher.answered();
                        }
                        failures = 0; // progress: the next failure backs off from the start again
                    }
                    if (rewound) {
                        continue; // fetch again, from the first record
                    }
                    if (!checked) {
                        checked = true;
                        if (index < have) {
                            metrics.blobsResynced.increment();
                            log.warn(
                                    "Blob {} now holds {} records, fewer than the {} delivered before the restart; "
                                            + "the blob changed on the service side. Delivering it again from its first "
                                            + "record",
                                    blob.contentId(),
                                    index,
                                    have);
                            sink.rewind();
                            continue;
                        }
                    }
                    if (failures > 0) {
                        watcher.answered();
                    }
                    sink.finish(End.COMPLETE, null, null);
                    return;
                } catch (ApiException e) {
                    if (stopped.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                        sink.finish(End.CANCELLED, null, null);
                        return;
                    }
                    if (e.kind() == ErrorKind.SKIP_BLOB) {
                        metrics.blobsSkippedMissing.increment();
                        sink.finish(End.GONE, e.getMessage(), null);
                        return;
                    }
                    if (e.kind() != ErrorKind.TRANSIENT) {
                        sink.finish(End.FAILED, e.getMessage(), e);
                        return;
                    }
                    failures++;
                    metrics.fetchRetries.increment();
                    watcher.retrying(e);
                    Duration d = Backoff.delay(failures, backoffInitial, backoffMax, e.retryAfter(), random);
                    log.warn(
                            "Fetching blob {} failed (attempt {}, {} records buffered): {}; retrying in {} ms "
                                    + "(until it expires at {})",
                            blob.contentId(),
                            failures,
                            have,
                            e.getMessage(),
                            d.toMillis(),
                            blob.contentExpiration());
                    sleeper.sleep(d, "blob " + blob.contentId() + " (attempt " + failures + "): " + e.getMessage());
                }
            }
            sink.finish(End.CANCELLED, null, null);
        } catch (InterruptedException e) {
            sink.finish(End.CANCELLED, null, null);
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            sink.finish(End.FAILED, e.getMessage(), e);
        } catch (Error e) {
            sink.finish(
                    End.FAILED,
                    "a fatal error in a fetch thread: " + e,
                    new IllegalStateException(
                            "A fatal error in the fetch thread of blob " + blob.contentId() + ": " + e, e));
            throw e;
        }
    }
}
