package io.github.auditlake.o365.enrich;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What enrichment resolves and within which bounds.
 *
 * @param fields            the record fields whose GUIDs are resolved
 * @param kinds             the object types asked for (each needs its permission)
 * @param cacheMaxEntries   most cached lookups
 * @param cacheMaxBytes     most bytes of cached lookups (estimated)
 * @param ttl               how long a found object is trusted
 * @param negativeTtl       how long an unknown id is not asked again
 * @param timeout           the longest one blob's lookups may take, all requests included
 * @param requestsPerMinute Graph requests enrichment may send a minute
 * @param deniedRecheck     after a 403, how long before Graph is asked again
 * @param defaultRetryAfter the wait after a 429 without {@code Retry-After}
 */
public record EnrichSettings(
        Set<EnrichField> fields,
        Set<ObjectKind> kinds,
        int cacheMaxEntries,
        long cacheMaxBytes,
        Duration ttl,
        Duration negativeTtl,
        Duration timeout,
        int requestsPerMinute,
        Duration deniedRecheck,
        Duration defaultRetryAfter) {

    public static final int DEFAULT_CACHE_MAX_ENTRIES = 100_000;
    public static final long DEFAULT_CACHE_MAX_BYTES = 32L * 1024 * 1024;
    public static final Duration DEFAULT_TTL = Duration.ofHours(4);
    public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofMinutes(30);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_REQUESTS_PER_MINUTE = 120;
    public static final Duration DEFAULT_DENIED_RECHECK = Duration.ofMinutes(10);
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(30);

    public static final EnrichSettings DEFAULTS = new EnrichSettings(
            EnumSet.allOf(EnrichField.class),
            EnumSet.of(ObjectKind.USER, ObjectKind.SERVICE_PRINCIPAL, ObjectKind.GROUP),
            DEFAULT_CACHE_MAX_ENTRIES,
            DEFAULT_CACHE_MAX_BYTES,
            DEFAULT_TTL,
            DEFAULT_NEGATIVE_TTL,
            DEFAULT_TIMEOUT,
            DEFAULT_REQUESTS_PER_MINUTE,
            DEFAULT_DENIED_RECHECK,
            DEFAULT_RETRY_AFTER);

    public EnrichSettings {
        fields = Set.copyOf(Objects.requireNonNull(fields, "fields"));
        kinds = Set.copyOf(Objects.requireNonNull(kinds, "kinds"));
        if (fields.isEmpty() || kinds.isEmpty()) {
            throw new IllegalArgumentException("fields and kinds must not be empty");
        }
        if (cacheMaxEntries < 1 || cacheMaxBytes < 1 || requestsPerMinute < 1) {
            throw new IllegalArgumentException("cache bounds and requestsPerMinute must be >= 1");
        }
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(negativeTtl, "negativeTtl");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(deniedRecheck, "deniedRecheck");
        Objects.requireNonNull(defaultRetryAfter, "defaultRetryAfter");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
    }

    public EnrichSettings withTimeout(Duration d) {
        return new EnrichSettings(
                fields,
                kinds,
                cacheMaxEntries,
                cacheMaxBytes,
                ttl,
                negativeTtl,
                d,
                requestsPerMinute,
                deniedRecheck,
                defaultRetryAfter);
    }

    public EnrichSettings withCache(int maxEntries, long maxBytes) {
        return new EnrichSettings(
                fields,
                kinds,
                maxEntries,
                maxBytes,
                ttl,
                negativeTtl,
                timeout,
                requestsPerMinute,
                deniedRecheck,
                defaultRetryAfter);
    }

    public EnrichSettings withRequestsPerMinute(int n) {
        return new EnrichSettings(
                fields,
                kinds,
                cacheMaxEntries,
                cacheMaxBytes,
                ttl,
                negativeTtl,
                timeout,
                n,
                deniedRecheck,
                defaultRetryAfter);
    }

    public EnrichSettings withKinds(Set<ObjectKind> k) {
        return new EnrichSettings(
                fields,
                k,
                cacheMaxEntries,
                cacheMaxBytes,
                ttl,
                negativeTtl,
                timeout,
                requestsPerMinute,
                deniedRecheck,
                defaultRetryAfter);
    }

    /** The Graph permissions that read {@link #kinds} (any one of them, or Directory.Read.All). */
    public Set<String> permissions() {
        Set<String> p = new java.util.TreeSet<>();
        kinds.forEach(k -> p.add(k.permission()));
        return p;
    }
}
