package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.AuditRecord;

/**
 * Where a {@link BlobFetch} puts a blob's records: the engine's {@link BlobBuffer}, or a caller's own (the CLI holds
 * a blob's records until the blob is complete).
 */
public interface BlobSink {
    /** How a fetch ended. */
    enum End {
        NONE,
        COMPLETE,
        GONE,
        FAILED,
        CANCELLED
    }

    /** Records taken so far, counting those skipped at the start: the index of the next record to read. */
    long nextIndex();

    /** Takes the next record; false when the sink no longer takes any (the fetch stops). */
    boolean put(AuditRecord r) throws InterruptedException;

    /** The blob changed on the service side: take it again from its first record (before any record was put). */
    void rewind();

    /** The fetch ended: {@code reason} says why a blob is {@code GONE}, {@code error} what made it {@code FAILED}. */
    void finish(End how, String reason, RuntimeException error);
}
