package io.github.auditlake.o365.cli.verify;

/** Verification could not be carried out (Kafka unreachable, a topic missing): no verdict, exit code 1. */
public final class VerifyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public VerifyException(String message) {
        super(message);
    }

    public VerifyException(String message, Throwable cause) {
        super(message, cause);
    }
}
