package io.github.auditlake.o365.api;

/**
 * Supplies bearer tokens for the Management API resource, cached and refreshed ahead of expiry.
 * Implementations throw {@link io.github.auditlake.o365.api.ApiException} (kind AUTHENTICATION for rejected
 * credentials, TRANSIENT for an unreachable or failing login endpoint).
 */
public interface TokenProvider extends AutoCloseable {
    AccessToken token();

    /** Forgets {@code rejected} so the next {@link #token()} fetches a fresh one (after a 401). */
    void invalidate(AccessToken rejected);

    @Override
    default void close() {}
}
