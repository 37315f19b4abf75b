package io.github.auditlake.o365.cli;

/**
 * A failure the CLI reports as one line on stderr ({@code o365-audit: <message>}) with an exit code: {@link #USAGE}
 * for a wrong command line or settings, {@link #FAILURE} for everything else. Messages never contain secrets.
 */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static final int FAILURE = 1;
    static final int USAGE = 2;
    /** {@code --timeout} passed before the command was done. */
    static final int TIMEOUT = 3;
    /** Stopped by Ctrl-C (SIGINT), as shells report it (128 + 2). */
    static final int INTERRUPTED = 130;

    private final int exitCode;

    private CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** A wrong command line, option value or setting: exit code 2. */
    static CliException usage(String message) {
        return new CliException(USAGE, message, null);
    }

    /** A failure while doing the work: exit code 1. */
    static CliException failure(String message, Throwable cause) {
        return new CliException(FAILURE, message, cause);
    }

    /** {@code --timeout} passed: exit code 3. */
    static CliException timeout(String message, Throwable cause) {
        return new CliException(TIMEOUT, message, cause);
    }

    /** Stopped by Ctrl-C: exit code 130. */
    static CliException interrupted(String message) {
        return new CliException(INTERRUPTED, message, null);
    }

    int exitCode() {
        return exitCode;
    }
}
