package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.AuditRecordStream;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import java.time.Duration;
import java.time.Instant;

/**
 * Fetches whole blobs as the connector does: transient failures (throttling, 5xx, truncated bodies, connection
 * resets) refetch the blob after a capped exponential backoff for as long as the blob can be fetched, i.e. until
 * its {@code contentExpiration}; a blob that is gone (AF20050/51/52, 404, expired) is reported as skipped; any
 * other failure is thrown. Each attempt reads into a fresh {@link RecordBuffer}, so a retried blob is never
 * partly written twice.
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
        Instant limit = blob.contentExpiration() != null
                ? blob.contentExpiration()
                : ctx.clock().instant().plus(UNKNOWN_EXPIRATION_BUDGET);
        int failures = 0;
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                throw CliException.failure("interrupted", null);
            }
            Instant now = ctx.clock().instant();
            if (blob.isExpiredAt(now)) {
                return new Result(blob, null, "its contentExpiration " + blob.contentExpiration() + " has passed");
            }
            RecordBuffer buffer = new RecordBuffer();
            try (AuditRecordStream records = api.openBlob(blob)) {
                while (records.hasNext()) {
                    buffer.add(records.next().json());
                }
                return new Result(blob, buffer, null);
            } catch (ApiException e) {
                buffer.close();
                if (e.kind() == ErrorKind.SKIP_BLOB) {
                    return new Result(blob, null, e.getMessage());
                }
                if (!e.isTransient()) {
                    throw e;
                }
                failures++;
                Duration d = Retrying.delay(ctx, failures, e);
                if (!now.plus(d).isBefore(limit)) {
                    if (blob.contentExpiration() != null) {
                        return new Result(
                                blob,
                                null,
                                "it expires at " + blob.contentExpiration() + " before the next retry; last failure: "
                                        + e.getMessage());
                    }
                    throw e;
                }
                ctx.debug("blob " + blob.contentId() + ": " + e.getMessage() + " (failure " + failures
                        + "; refetching in " + d.toMillis() + " ms)");
                Retrying.sleep(ctx, d);
            } catch (RuntimeException e) {
                buffer.close();
                throw e;
            }
        }
    }
}
