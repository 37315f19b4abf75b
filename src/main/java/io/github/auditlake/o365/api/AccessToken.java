package io.github.auditlake.o365.api;

import java.time.Instant;

/** A bearer token and its expiry. {@link #toString()} never reveals the token. */
public record AccessToken(String value, Instant expiresOn) {
    @Override
    public String toString() {
        return "AccessToken[expiresOn=" + expiresOn + ", value=***]";
    }
}
