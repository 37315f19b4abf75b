package io.github.auditlake.o365.enrich;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A bounded cache of directory lookups: at most {@code maxEntries} entries and about {@code maxBytes} bytes
 * (least recently used leave first), each valid for {@code ttl}; an id the directory does not know is cached too
 * (negative caching) for {@code negativeTtl}, so it is not asked again on every record. Thread-safe (one lock; the
 * task's poll thread is its only user in practice).
 */
public final class DirectoryCache {
    /** Bytes a negative entry takes, roughly (its key and the entry object). */
    static final long NEGATIVE_BYTES = 2L * 36 + 64;

    /** What the cache says about an id. */
    public sealed interface Lookup {}

    /** Known: the object. */
    public record Hit(DirectoryObject object) implements Lookup {}

    /** Known to be unknown to the directory. */
    public record KnownMissing() implements Lookup {}

    /** Not in the cache (or expired): ask Graph. */
    public record Miss() implements Lookup {}

    private static final Miss MISS = new Miss();
    private static final KnownMissing MISSING = new KnownMissing();

    private record Entry(DirectoryObject object, Instant expires, long bytes) {}

    private final int maxEntries;
    private final long maxBytes;
    private final Duration ttl;
    private final Duration negativeTtl;
    private final Clock clock;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private long evictions;

    public DirectoryCache(int maxEntries, long maxBytes, Duration ttl, Duration negativeTtl, Clock clock) {
        if (maxEntries < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("maxEntries and maxBytes must be >= 1");
        }
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        this.negativeTtl = Objects.requireNonNull(negativeTtl, "negativeTtl");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The cached answer for {@code id} (lower case), or a miss; an expired entry is dropped. */
    public synchronized Lookup get(String id) {
        Entry e = entries.get(id);
        if (e == null) {
            return MISS;
        }
        if (!clock.instant().isBefore(e.expires)) {
            remove(id);
            return MISS;
        }
        return e.object == null ? MISSING : new Hit(e.object);
    }

    /** Caches a found object under its id. */
    public synchronized void put(DirectoryObject o) {
        put(o.id(), o);
    }

    /** Caches a found object under {@code key} (its id, or {@code app:<appId>} for a service principal by app id). */
    public synchronized void put(String key, DirectoryObject o) {
        long b = o.approxBytes() + (key.equals(o.id()) ? 0 : 2L * key.length());
        store(key, new Entry(o, clock.instant().plus(ttl), b));
    }

    /** Caches that the directory does not know {@code id} (an object id, or {@code app:<appId>}). */
    public synchronized void putMissing(String id) {
        store(id, new Entry(null, clock.instant().plus(negativeTtl), negativeBytes(id)));
    }

    /** Bytes a negative entry for {@code key} takes, roughly: its key and the entry object. */
    static long negativeBytes(String key) {
        return 2L * key.length() + NEGATIVE_BYTES - 2L * 36;
    }

    public synchronized int size() {
        return entries.size();
    }

    /** The estimated bytes of all entries (never above the bound after a put). */
    public synchronized long bytes() {
        return bytes;
    }

    /** The estimated bytes of the entries, summed anew (equals {@link #bytes()} unless the accounting drifted). */
    synchronized long recountBytes() {
        long b = 0;
        for (Entry e : entries.values()) {
            b += e.bytes;
        }
        return b;
    }

    /** Entries evicted to stay within the bounds, so far. */
    public synchronized long evictions() {
        return evictions;
    }

    private void store(String id, Entry e) {
        remove(id);
        if (e.bytes > maxBytes) {
            return;
        }
        entries.put(id, e);
        bytes += e.bytes;
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while ((entries.size() > maxEntries || bytes > maxBytes) && it.hasNext()) {
            Map.Entry<String, Entry> eldest = it.next();
            bytes -= eldest.getValue().bytes;
            it.remove();
            evictions++;
        }
    }

    private void remove(String id) {
        Entry old = entries.remove(id);
        if (old != null) {
            bytes -= old.bytes;
        }
    }
}
