package io.github.auditlake.o365.api;

import java.io.Closeable;
import java.util.Iterator;

/**
 * Records of one blob, read lazily from the response body: memory is bounded by one record, not by the blob.
 * {@link #hasNext()} and {@link #next()} throw {@link ApiException} when the body breaks off or is not valid JSON.
 * {@link #close()} releases the HTTP connection and never throws.
 */
public interface AuditRecordStream extends Iterator<AuditRecord>, Closeable {
    @Override
    void close();
}
