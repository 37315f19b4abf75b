package io.github.auditlake.o365.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A classified failure of a Management Activity API call. Messages never contain tokens or secrets.
 */
public class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;
    private final int httpStatus;
    private final String errorCode;
    private final transient Duration retryAfter;
    private final transient Instant serverDate;

    public ApiException(
            ErrorKind kind,
            int httpStatus,
            String errorCode,
            String message,
            Duration retryAfter,
            Instant serverDate,
            Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.retryAfter = retryAfter;
        this.serverDate = serverDate;
    }

    public ApiException(ErrorKind kind, String message, Throwable cause) {
        this(kind, 0, null, message, null, null, cause);
    }

    public ApiException(ErrorKind kind, String message) {
        this(kind, 0, null, message, null, null, null);
    }

    public ErrorKind kind() {
        return kind;
    }

    /** HTTP status, or 0 when no response was received. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The service's error code (e.g. {@code AF429}), if the body carried one. */
    public Optional<String> errorCode() {
        return Optional.ofNullable(errorCode);
    }

    /** The {@code Retry-After} the service asked for, if any. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The service's {@code Date} header, if the response had one (used for clock-skew correction). */
    public Optional<Instant> serverDate() {
        return Optional.ofNullable(serverDate);
    }

    public boolean isTransient() {
        return kind == ErrorKind.TRANSIENT;
    }
}
