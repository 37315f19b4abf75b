package io.github.auditlake.o365.auth;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ErrorKind;
import java.time.Duration;
import java.time.Instant;

/**
 * A failed sign-in at the login endpoint (as opposed to a failed Management API call), so that a caller such as
 * {@code validate()} can attach it to the login settings. Messages name the host the sign-in was sent to.
 */
public final class SignInException extends ApiException {
    private static final long serialVersionUID = 1L;

    public SignInException(
            ErrorKind kind,
            int httpStatus,
            String errorCode,
            String message,
            Duration retryAfter,
            Instant serverDate,
            Throwable cause) {
        super(kind, httpStatus, errorCode, message, retryAfter, serverDate, cause);
    }

    public SignInException(ErrorKind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
