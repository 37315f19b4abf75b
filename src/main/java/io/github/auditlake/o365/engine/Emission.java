package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;

/** What the engine hands to the task, in order per stream. Each carries the stream's position after it. */
public sealed interface Emission permits Emission.Event, Emission.Heartbeat {
    StreamId stream();

    StreamCursor cursorAfter();

    /**
     * One audit record.
     *
     * @param blobEnd true for the last record of its blob (a natural transaction boundary)
     */
    record Event(StreamId stream, ContentBlob blob, AuditRecord record, StreamCursor cursorAfter, boolean blobEnd)
            implements Emission {
    }

    /** Progress without records (windows listed empty, skipped blobs), so a restart does not re-list them. */
    record Heartbeat(StreamId stream, StreamCursor cursorAfter) implements Emission {
    }
}
