package io.github.auditlake.o365.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enriches the records of one blob at a time: collects the GUIDs of the configured fields, answers what it can from
 * the {@link DirectoryCache}, and asks Graph for the rest in {@code getByIds} calls of up to 1,000 ids, within the
 * {@link RequestBudget} and within {@link EnrichSettings#timeout()} for the whole blob. App ids ({@link EnrichField#APP})
 * are resolved to service principals with one JSON {@code $batch} of up to 20 {@code $filter=appId in (...)} queries
 * of 15 app ids each (300 app ids a request; the budget counts each query, as Graph does). It never waits for Graph
 * beyond that bound, never retries within a blob, and never drops a record: a record whose GUIDs could not be looked
 * up goes on with the {@link Unenriched} reason. After a 429 no request is sent before its {@code Retry-After}; after
 * a 403 none before {@link EnrichSettings#deniedRecheck()}. Not thread-safe: one per task.
 */
public final class Enricher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Enricher.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The cache key prefix of an app id (app ids and object ids are different namespaces). */
    static final String APP_KEY = "app:";

    private final EnrichSettings settings;
    private final DirectoryApi directory;
    private final DirectoryCache cache;
    private final RequestBudget budget;
    private final Clock clock;
    private final java.util.function.LongSupplier nanoTime;
    private final EnrichStats stats = new EnrichStats();
    private Instant deniedUntil = Instant.MIN;

    public Enricher(EnrichSettings settings, DirectoryApi directory, Clock clock) {
        this(settings, directory, clock, System::nanoTime);
    }

    /**
     * @param clock    for the cache's TTLs, the request budget and {@code Retry-After}
     * @param nanoTime for the time bound: the real time a blob waits (a monotonic clock; tests pass their own)
     */
    public Enricher(
            EnrichSettings settings, DirectoryApi directory, Clock clock, java.util.function.LongSupplier nanoTime) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.cache = new DirectoryCache(
                settings.cacheMaxEntries(), settings.cacheMaxBytes(), settings.ttl(), settings.negativeTtl(), clock);
        this.budget = new RequestBudget(settings.requestsPerMinute(), clock);
    }

    public EnrichStats stats() {
        return stats;
    }

    public DirectoryCache cache() {
        return cache;
    }

    /**
     * The enrichment of each record (same order), given each record's original JSON text. A text that is not a
     * JSON object gets {@link Enrichment#NONE}.
     */
    public List<Enrichment> enrich(List<String> recordJsons) {
        long deadline = nanoTime.getAsLong() + settings.timeout().toNanos();
        List<Map<EnrichField, String>> wanted = new ArrayList<>(recordJsons.size());
        Map<String, DirectoryCache.Lookup> answers = new HashMap<>();
        Set<String> misses = new LinkedHashSet<>();
        for (String json : recordJsons) {
            Map<EnrichField, String> keys = keys(json);
            wanted.add(keys);
            for (String key : keys.values()) {
                if (answers.containsKey(key) || misses.contains(key)) {
                    continue;
                }
                DirectoryCache.Lookup l = cache.get(key);
                if (l instanceof DirectoryCache.Miss) {
                    stats.miss();
                    misses.add(key);
                } else {
                    stats.hit();
                    answers.put(key, l);
                }
            }
        }
        Map<String, Unenriched> failed = resolve(misses, deadline, answers);
        List<Enrichment> out = new ArrayList<>(wanted.size());
        for (Map<EnrichField, String> keys : wanted) {
            Map<EnrichField, DirectoryObject> objects = new EnumMap<>(EnrichField.class);
            Unenriched skipped = null;
            for (Map.Entry<EnrichField, String> e : keys.entrySet()) {
                DirectoryCache.Lookup l = answers.get(e.getValue());
                if (l instanceof DirectoryCache.Hit h) {
                    objects.put(e.getKey(), h.object());
                } else if (l == null && skipped == null) {
                    skipped = failed.getOrDefault(e.getValue(), Unenriched.ERROR);
                }
            }
            Enrichment en = objects.isEmpty() && skipped == null ? Enrichment.NONE : new Enrichment(objects, skipped);
            stats.record(en);
            out.add(en);
        }
        return out;
    }

    /** One request's worth of cache keys: object ids for getByIds, or {@code app:} keys for a $batch by app id. */
    private record Chunk(boolean byAppId, List<String> keys) {
        /** What the chunk costs from the budget: one getByIds, or one per query of the $batch. */
        int cost() {
            return byAppId ? DirectoryApi.queriesFor(keys.size()) : 1;
        }
    }

    /** Looks up {@code keys} in chunks; fills {@code answers}; returns the keys that could not be, with why. */
    private Map<String, Unenriched> resolve(
            Set<String> keys, long deadline, Map<String, DirectoryCache.Lookup> answers) {
        List<String> objectIds = new ArrayList<>();
        List<String> appKeys = new ArrayList<>();
        for (String k : keys) {
            (k.startsWith(APP_KEY) ? appKeys : objectIds).add(k);
        }
        List<Chunk> chunks = new ArrayList<>();
        for (int from = 0; from < objectIds.size(); from += DirectoryApi.MAX_IDS) {
            chunks.add(new Chunk(
                    false, objectIds.subList(from, Math.min(objectIds.size(), from + DirectoryApi.MAX_IDS))));
        }
        // a $batch costs one token per query: never more than the bucket holds
        int appChunk = Math.min(DirectoryApi.MAX_APP_IDS, DirectoryApi.APP_IDS_PER_QUERY * budget.perMinute());
        for (int from = 0; from < appKeys.size(); from += appChunk) {
            chunks.add(new Chunk(true, appKeys.subList(from, Math.min(appKeys.size(), from + appChunk))));
        }
        Map<String, Unenriched> failed = new HashMap<>();
        Unenriched stop = null;
        for (Chunk chunk : chunks) {
            Instant now = clock.instant();
            if (stop == null && now.isBefore(deniedUntil)) {
                stop = Unenriched.DENIED;
            }
            Duration left = Duration.ofNanos(deadline - nanoTime.getAsLong());
            if (stop == null && (left.isNegative() || left.isZero())) {
                stop = Unenriched.TIMEOUT;
            }
            if (stop == null) {
                stop = budget.tryAcquire(chunk.cost());
            }
            if (stop == null) {
                stop = chunk.byAppId()
                        ? lookupApps(chunk.keys(), left, answers, failed)
                        : lookup(chunk.keys(), left, answers);
            }
            if (stop != null) {
                for (String id : chunk.keys()) {
                    failed.put(id, stop);
                }
            }
        }
        return failed;
    }

    /** One getByIds call; null on success, else why the chunk (and the blob's later chunks) went unanswered. */
    private Unenriched lookup(List<String> batch, Duration left, Map<String, DirectoryCache.Lookup> answers) {
        stats.request(batch.size());
        try {
            List<DirectoryObject> found = directory.getByIds(batch, settings.kinds(), left);
            Map<String, DirectoryObject> byId = new HashMap<>();
            for (DirectoryObject o : found) {
                byId.put(o.id(), o);
            }
            for (String id : batch) {
                DirectoryObject o = byId.get(id);
                if (o != null) {
                    cache.put(o);
                    answers.put(id, new DirectoryCache.Hit(o));
                } else {
                    cache.putMissing(id);
                    answers.put(id, new DirectoryCache.KnownMissing());
                }
            }
            return null;
        } catch (DirectoryException e) {
            return failure(e);
        }
    }

    /**
     * One $batch by app id; null when the batch was answered (some of its queries may have failed: their keys go in
     * {@code failed}), else why the chunk (and the blob's later chunks) went unanswered.
     */
    private Unenriched lookupApps(
            List<String> keys,
            Duration left,
            Map<String, DirectoryCache.Lookup> answers,
            Map<String, Unenriched> failed) {
        stats.request(keys.size());
        List<String> appIds = new ArrayList<>(keys.size());
        keys.forEach(k -> appIds.add(k.substring(APP_KEY.length())));
        DirectoryApi.AppIdAnswer a;
        try {
            a = directory.servicePrincipalsByAppId(appIds, left);
        } catch (DirectoryException e) {
            return failure(e);
        }
        Set<DirectoryException> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            DirectoryObject o = a.found().get(appIds.get(i));
            DirectoryException e = a.failed().get(appIds.get(i));
            if (o != null) {
                cache.put(key, o);
                answers.put(key, new DirectoryCache.Hit(o));
            } else if (e != null) {
                if (seen.add(e)) {
                    failure(e);
                }
                failed.put(key, e.reason());
            } else {
                cache.putMissing(key);
                answers.put(key, new DirectoryCache.KnownMissing());
            }
        }
        return null;
    }

    /** Honours a failed request (Retry-After, the denial's recheck) and says why its ids went unanswered. */
    private Unenriched failure(DirectoryException e) {
        switch (e.reason()) {
            case THROTTLED -> budget.retryAfter(e.retryAfter() != null ? e.retryAfter() : settings.defaultRetryAfter());
            case DENIED -> {
                if (!clock.instant().isBefore(deniedUntil.plus(settings.deniedRecheck()))) {
                    LOG.warn(
                            "Graph enrichment denied ({}); records go on unenriched, asking again in {}",
                            e.getMessage(),
                            settings.deniedRecheck());
                }
                deniedUntil = clock.instant().plus(settings.deniedRecheck());
            }
            default ->
                LOG.debug("Graph enrichment lookup failed ({}): {}", e.reason().label(), e.getMessage());
        }
        return e.reason();
    }

    /** The cache key of each configured role's GUID in {@code json}: the object id, or {@code app:<appId>}. */
    private Map<EnrichField, String> keys(String json) {
        Map<EnrichField, String> ids = new EnumMap<>(EnrichField.class);
        JsonNode n;
        try {
            n = MAPPER.readTree(json);
        } catch (IOException e) {
            return ids;
        }
        if (n == null || !n.isObject()) {
            return ids;
        }
        for (EnrichField f : settings.fields()) {
            if (f.byAppId() && !settings.kinds().contains(ObjectKind.SERVICE_PRINCIPAL)) {
                continue;
            }
            String g = f.guid(n);
            if (g != null) {
                ids.put(f, f.byAppId() ? APP_KEY + g : g);
            }
        }
        return ids;
    }

    @Override
    public void close() {
        directory.close();
    }
}
