package io.github.auditlake.o365.enrich;

import java.time.Duration;
import java.util.Objects;

/** A directory lookup that failed, classified: why, and for a 429 how long Graph asked to wait. */
public final class DirectoryException extends Exception {
    private static final long serialVersionUID = 1L;

    private final Unenriched reason;
    private final transient Duration retryAfter;

    public DirectoryException(Unenriched reason, Duration retryAfter, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.retryAfter = retryAfter;
    }

    public DirectoryException(Unenriched reason, Duration retryAfter, String message) {
        this(reason, retryAfter, message, null);
    }

    public Unenriched reason() {
        return reason;
    }

    /** The wait Graph asked for (429 {@code Retry-After}), or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
