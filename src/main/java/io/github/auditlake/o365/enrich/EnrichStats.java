package io.github.auditlake.o365.enrich;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Enrichment's counters since start, read by the connector's metrics. Thread-safe. */
public final class EnrichStats {
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong idsRequested = new AtomicLong();
    private final AtomicLong cacheHits = new AtomicLong();
    private final AtomicLong cacheMisses = new AtomicLong();
    private final AtomicLong enrichedRecords = new AtomicLong();
    private final Map<Unenriched, AtomicLong> unenriched = new EnumMap<>(Unenriched.class);

    public EnrichStats() {
        for (Unenriched u : Unenriched.values()) {
            unenriched.put(u, new AtomicLong());
        }
    }

    /** Graph getByIds requests sent (answered or not). */
    public long requests() {
        return requests.get();
    }

    /** Ids sent in those requests. */
    public long idsRequested() {
        return idsRequested.get();
    }

    /** Lookups answered by the cache (negative entries included). */
    public long cacheHits() {
        return cacheHits.get();
    }

    /** Lookups the cache could not answer. */
    public long cacheMisses() {
        return cacheMisses.get();
    }

    /** Records with at least one attribute attached and nothing skipped. */
    public long enrichedRecords() {
        return enrichedRecords.get();
    }

    /** Records that went on with {@code reason} (not all of their GUIDs looked up). */
    public long unenriched(Unenriched reason) {
        return unenriched.get(reason).get();
    }

    void request(int ids) {
        requests.incrementAndGet();
        idsRequested.addAndGet(ids);
    }

    void hit() {
        cacheHits.incrementAndGet();
    }

    void miss() {
        cacheMisses.incrementAndGet();
    }

    void record(Enrichment e) {
        if (e.skipped() != null) {
            unenriched.get(e.skipped()).incrementAndGet();
        } else if (!e.objects().isEmpty()) {
            enrichedRecords.incrementAndGet();
        }
    }
}
