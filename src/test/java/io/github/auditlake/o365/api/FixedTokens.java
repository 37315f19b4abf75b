package io.github.auditlake.o365.api;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/** Token provider for adapter tests: "tok-1", then "tok-2" after an invalidate, ... */
public final class FixedTokens implements TokenProvider {
    public final AtomicInteger issued = new AtomicInteger(1);
    public final AtomicInteger invalidations = new AtomicInteger();

    @Override
    public AccessToken token() {
        return new AccessToken("tok-" + issued.get(), Instant.parse("2100-01-01T00:00:00Z"));
    }

    @Override
    public void invalidate(AccessToken rejected) {
        invalidations.incrementAndGet();
        issued.incrementAndGet();
    }
}
