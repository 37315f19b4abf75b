package io.github.auditlake.o365.api;

/** How a failed call must be handled (reference 3.9); see {@link ApiException}. */
public enum ErrorKind {
    /** Retrying cannot help: bad tenant, missing permission, invalid content type... The message says what to fix. */
    PERMANENT,
    /** Authentication failed (401) even after one token refresh; or the credentials were rejected at sign-in. */
    AUTHENTICATION,
    /** The subscription is missing or disabled (AF20022, AF20023): start it, then retry. */
    RESUBSCRIBE,
    /** The listing window was rejected (AF20030, AF20055): recompute it (possibly correcting clock skew). */
    WINDOW,
    /** The blob is gone (AF20050, AF20051, 404, expired before fetch): skip it, log and count. */
    SKIP_BLOB,
    /**
     * A start refused by the API's rule of one start request per content type every 15 minutes (reference 2.1; the
     * service answers AF429 naming {@code Method=StartSubscription}): retrying sooner cannot help, so the client does
     * not retry it; the caller waits until the next start is allowed.
     */
    START_LIMIT,
    /** Throttling, 5xx, 408, IO errors, timeouts, truncated bodies: back off and retry. */
    TRANSIENT
}
