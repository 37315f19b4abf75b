package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.engine.BlobFetch;
import io.github.auditlake.o365.engine.BlobSink;
import java.time.Duration;
import java.time.Instant;

/**
 * Fetches whole blobs with the connector's own fetch ({@link BlobFetch}): transient failures (throttling, 5xx,
 * truncated bodies, connection resets) are retried with capped backoff for as long as the blob can be fetched, i.e.
 * until its {@code contentExpiration}; a blob that is gone (AF20050/51/52, 404) or expired is reported as skipped;
 * any other failure is thrown. The records are held in a {@link RecordBuffer} until the blob is complete, so a
 * retried blob is never partly written twice.
 */
final class BlobFetcher {
    /** How long a blob without a known expiration is retried (e.g. {@code content get} of a bare id). */
    static final Duration UNKNOWN_EXPIRATION_BUDGET = Duration.ofMinutes(15);

    private final ManagementApi api;
    private final CliContext ctx;

    BlobFetcher(ManagementApi api, CliContext ctx) {
        this.api = api;
        this.ctx = ctx;
    }

    /** A fetched blob (its buffer holds every record) or a skipped one (reason set, buffer null). */
    record Result(ContentBlob blob, RecordBuffer records, String skipped) {
        boolean isSkipped() {
            return skipped != null;
        }
    }

    Result fetch(ContentBlob blob) {
        Instant giveUp = ctx.clock().instant().plus(UNKNOWN_EXPIRATION_BUDGET);
        ContentBlob bounded = blob.contentExpiration() != null
                ? blob
                : new ContentBlob(
                        blob.contentType(), blob.contentId(), blob.contentUri(), blob.contentCreated(), giveUp);
        Records sink = new Records();
        BlobFetch.fetch(
                api,
                bounded,
                sink,
                Retrying.INITIAL,
                Retrying.MAX,
                ctx.sleeper(),
                ctx.random(),
                () -> ctx.clock().instant());
        if (sink.end == BlobSink.End.COMPLETE) {
            return new Result(blob, sink.records, null);
        }
        sink.records.close();
        return switch (sink.end) {
            case GONE -> {
                if (bounded != blob && !ctx.clock().instant().isBefore(giveUp)) {
                    throw CliException.failure(
                            "blob " + blob.contentId() + " could not be fetched within "
                                    + UNKNOWN_EXPIRATION_BUDGET.toMinutes() + " minutes of retries",
                            null);
                }
                yield new Result(blob, null, sink.reason);
            }
            case FAILED -> throw sink.error;
            default -> throw CliException.failure("interrupted", null);
        };
    }

    /** The blob's records, one per line, until it is complete. */
    private static final class Records implements BlobSink {
        RecordBuffer records = new RecordBuffer();
        long taken;
        End end = End.NONE;
        String reason;
        RuntimeException error;

        @Override
        public long nextIndex() {
            return taken;
        }

        @Override
        public boolean put(AuditRecord r) {
            records.add(r.json());
            taken++;
            return true;
        }

        @Override
        public void rewind() {
            records.close();
            records = new RecordBuffer();
            taken = 0;
        }

        @Override
        public void finish(End how, String why, RuntimeException failure) {
            end = how;
            reason = why;
            error = failure;
        }
    }
}
