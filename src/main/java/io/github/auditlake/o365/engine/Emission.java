package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.ledger.LedgerEntry;

/** What the engine hands to the task, in order per stream. Each carries the stream's position after it. */
public sealed interface Emission
        permits Emission.Event,
                Emission.Heartbeat,
                Emission.Skip,
                Emission.StreamFailure,
                Emission.Ledger,
                Emission.HistoryGap {
    StreamId stream();

    StreamCursor cursorAfter();

    /**
     * One audit record.
     *
     * @param blobEnd true for the last record of its blob (a natural transaction boundary; with the ledger on, its
     *                {@link Ledger} entry follows and ends the transaction instead)
     * @param index   the record's 0-based index within its blob, as resuming counts it (elements that are not records
     *                count too); -1 when unknown
     */
    record Event(
            StreamId stream,
            ContentBlob blob,
            AuditRecord record,
            StreamCursor cursorAfter,
            boolean blobEnd,
            long index)
            implements Emission {
        public Event(StreamId stream, ContentBlob blob, AuditRecord record, StreamCursor cursorAfter, boolean blobEnd) {
            this(stream, blob, record, cursorAfter, blobEnd, -1);
        }

        /**
         * True for a record read through audit search (the history phase): its {@code blob} stands for its query
         * range (content id {@link #AUDIT_SEARCH}, no URI of the service), and {@code blobEnd} marks the range's
         * end, the only position inside history a restart resumes from.
         */
        public boolean fromAuditSearch() {
            return blob != null && AUDIT_SEARCH_URI.equals(blob.contentUri());
        }
    }

    /** The content id of the stand-in blob of a history record (see {@link Event#fromAuditSearch()}). */
    String AUDIT_SEARCH = "audit-search";

    /** The content URI of the stand-in blob of a history record: never a URL the service lists. */
    String AUDIT_SEARCH_URI = "audit-search:";

    /** The stand-in blob of the history records of {@code contentType} created from {@code rangeStart}. */
    static ContentBlob auditSearchRange(String contentType, java.time.Instant rangeStart) {
        return new ContentBlob(contentType, AUDIT_SEARCH, AUDIT_SEARCH_URI, rangeStart, null);
    }

    /** Progress without records (windows listed empty, a stalled blob), so a restart does not redo it. */
    record Heartbeat(StreamId stream, StreamCursor cursorAfter) implements Emission {}

    /**
     * Something that could not be delivered as it is, published on the skips topic: a whole blob the service says is
     * gone or expired ({@code record == null}), or one element of a blob that is not an audit record.
     *
     * @param reason           why, in plain words
     * @param recordsDelivered for a blob: how many of its records were delivered before the skip
     * @param blobEnd          true when this ends the blob (a natural transaction boundary)
     */
    record Skip(
            StreamId stream,
            ContentBlob blob,
            AuditRecord record,
            String reason,
            long recordsDelivered,
            StreamCursor cursorAfter,
            boolean blobEnd)
            implements Emission {
        /** True for an unreadable element of audit search's answer (the history phase), in its query range's place. */
        public boolean fromAuditSearch() {
            return blob != null && AUDIT_SEARCH_URI.equals(blob.contentUri());
        }
    }

    /** True for what the history phase emits: a record read through audit search, or an unreadable one skipped. */
    static boolean fromAuditSearch(Emission e) {
        return (e instanceof Event ev && ev.fromAuditSearch()) || (e instanceof Skip sk && sk.fromAuditSearch());
    }

    /** True when {@code e} ends its blob (for the history phase: its query range). */
    static boolean endsBlob(Emission e) {
        return (e instanceof Event ev && ev.blobEnd()) || (e instanceof Skip sk && sk.blobEnd());
    }

    /**
     * The completeness ledger's entry of a blob that ended (delivered, or skipped as gone or expired), right after its
     * last record or its skip (with the ledger on). It carries the position after the blob; the record or skip before
     * it carries the position inside the blob with all its elements done, so a restart between the two writes the
     * entry again rather than losing it. A natural transaction boundary.
     */
    record Ledger(StreamId stream, LedgerEntry entry, StreamCursor cursorAfter) implements Emission {}

    /**
     * A stream that cannot collect for now (with several tenants: one tenant's consent revoked, tenant deleted,
     * permission missing), published on the skips topic; it is retried with backoff while the others go on. Its
     * position is unchanged.
     */
    record StreamFailure(StreamId stream, String reason, StreamCursor cursorAfter) implements Emission {}

    /**
     * The part of a stream's history that will not be read, published on the skips topic: {@code o365.history.start}
     * was cleared while the stream's history phase had {@code [from, to)} left. It carries the position after the skip
     * (the phase over, {@code h.done} at the seam), so it is published once.
     */
    record HistoryGap(
            StreamId stream, java.time.Instant from, java.time.Instant to, String reason, StreamCursor cursorAfter)
            implements Emission {}
}
