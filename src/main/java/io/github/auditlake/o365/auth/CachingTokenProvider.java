package io.github.auditlake.o365.auth;

import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.MsalException;
import io.github.auditlake.o365.api.AccessToken;
import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.TokenProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;

/**
 * What every MSAL4J sign-in shares: the token cached and refreshed {@link #REFRESH_AHEAD} before it expires, by the
 * injected clock (the remaining lifetime is measured on the wall clock MSAL uses); a rejected token invalidated; the
 * MSAL future unwrapped and its failures translated by the subclass. Thread-safe. Never logs a token.
 */
abstract class CachingTokenProvider implements TokenProvider {
    static final Duration REFRESH_AHEAD = Duration.ofMinutes(5);

    private final Logger log;
    private final String tenantId;
    private final Clock clock;
    private AccessToken cached;
    private boolean forceRefresh;

    CachingTokenProvider(Logger log, String tenantId, Clock clock) {
        this.log = log;
        this.tenantId = Objects.requireNonNull(tenantId, "tenantId");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Asks MSAL for a token.
     *
     * @param refresh true when a token was cached (expiring) or invalidated: MSAL must not answer from its cache
     */
    abstract CompletableFuture<IAuthenticationResult> request(boolean refresh);

    /** A sign-in failure as the connector classifies it, with advice. */
    abstract ApiException translate(Throwable t);

    /** Who signed in, for the debug line: "to {authority}", "as {identity}". */
    abstract String signedIn();

    @Override
    public synchronized AccessToken token() {
        Instant now = clock.instant();
        if (cached != null && !forceRefresh && now.isBefore(cached.expiresOn().minus(REFRESH_AHEAD))) {
            return cached;
        }
        IAuthenticationResult result = acquire(cached != null || forceRefresh);
        Duration remaining =
                Duration.between(Instant.now(), result.expiresOnDate().toInstant());
        cached = new AccessToken(result.accessToken(), clock.instant().plus(remaining));
        forceRefresh = false;
        log.debug("Signed in {} for tenant {}; token valid for {}", signedIn(), tenantId, remaining);
        return cached;
    }

    @Override
    public synchronized void invalidate(AccessToken rejected) {
        if (cached == null || rejected == null || cached.value().equals(rejected.value())) {
            forceRefresh = true;
            cached = null;
            log.debug("Access token for tenant {} invalidated; the next call signs in again", tenantId);
        }
    }

    private IAuthenticationResult acquire(boolean refresh) {
        try {
            return request(refresh).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SignInException(ErrorKind.TRANSIENT, "interrupted while signing in", e);
        } catch (ExecutionException e) {
            throw translate(e.getCause() == null ? e : e.getCause());
        } catch (MsalException e) {
            throw translate(e);
        }
    }

    /** {@code t} without the CompletionException wrappers of MSAL's futures. */
    static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** The first IOException in the cause chain (kept as the cause, so callers can tell why), or null. */
    static Throwable ioCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException) {
                return c;
            }
            if (c instanceof UncheckedIOException u) {
                return u.getCause();
            }
        }
        return null;
    }
}
