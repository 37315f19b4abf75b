package io.github.auditlake.o365.cursor;

import io.github.auditlake.o365.api.ContentType;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A stream: one (tenant, content type) pair. It is the unit of work spread over tasks and the source partition
 * under which the stream's cursor is stored.
 */
public final class StreamId implements Comparable<StreamId> {
    public static final String PARTITION_TENANT = "tenant";
    public static final String PARTITION_CONTENT_TYPE = "contentType";

    private final String tenantId;
    private final ContentType contentType;
    private final Map<String, String> partition;

    public StreamId(String tenantId, ContentType contentType) {
        this.tenantId = Objects.requireNonNull(tenantId, "tenantId");
        this.contentType = Objects.requireNonNull(contentType, "contentType");
        // Connect finds stored offsets by the serialized bytes of the partition map, and rebuilds maps it reads back
        // as HashMaps. Map.of iterates in a per-JVM random order, so a restarted worker (or the REST offsets
        // endpoint) would serialize the same partition differently and miss the stored offset. A HashMap of String
        // keys iterates in the same order in every JVM, and in the order Connect's own HashMaps use.
        Map<String, String> p = new HashMap<>(4);
        p.put(PARTITION_TENANT, tenantId);
        p.put(PARTITION_CONTENT_TYPE, contentType.wireName());
        this.partition = new HashedMap(p);
    }

    /**
     * The partition map, read-only, with its hash code computed once: the worker hashes every record's partition
     * (it tracks unacknowledged records per partition), and a map's hash code is otherwise recomputed from its
     * entries each time. Iterates as the HashMap it wraps.
     */
    private static final class HashedMap extends java.util.AbstractMap<String, String> {
        private final Map<String, String> map;
        private final int hash;

        HashedMap(Map<String, String> map) {
            this.map = Collections.unmodifiableMap(map);
            this.hash = map.hashCode();
        }

        @Override
        public java.util.Set<Entry<String, String>> entrySet() {
            return map.entrySet();
        }

        @Override
        public String get(Object key) {
            return map.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return map.containsKey(key);
        }

        @Override
        public int size() {
            return map.size();
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    public String tenantId() {
        return tenantId;
    }

    public ContentType contentType() {
        return contentType;
    }

    /** The immutable source-partition map; one instance per stream, shared by all its records. */
    public Map<String, String> partition() {
        return partition;
    }

    /** Parses a source-partition map, rejecting anything that is not a stream of this connector. */
    public static StreamId fromPartition(Map<String, ?> partition) {
        if (partition == null) {
            throw new IllegalArgumentException("source partition is missing");
        }
        Object tenant = partition.get(PARTITION_TENANT);
        Object type = partition.get(PARTITION_CONTENT_TYPE);
        if (!(tenant instanceof String) || ((String) tenant).isBlank()) {
            throw new IllegalArgumentException(
                    "source partition " + partition + " has no '" + PARTITION_TENANT + "' string");
        }
        if (!(type instanceof String)) {
            throw new IllegalArgumentException(
                    "source partition " + partition + " has no '" + PARTITION_CONTENT_TYPE + "' string");
        }
        ContentType ct = ContentType.fromWireName((String) type)
                .orElseThrow(() -> new IllegalArgumentException(
                        "source partition " + partition + " names an unknown content type '" + type + "'"));
        if (partition.size() != 2) {
            throw new IllegalArgumentException("source partition " + partition + " has unexpected keys; expected "
                    + PARTITION_TENANT + " and " + PARTITION_CONTENT_TYPE);
        }
        return new StreamId((String) tenant, ct);
    }

    /** A compact text form, {@code tenant|Audit.Exchange}, used in task configs and logs. */
    public String encode() {
        return tenantId + "|" + contentType.wireName();
    }

    public static StreamId decode(String text) {
        int bar = text.indexOf('|');
        if (bar <= 0) {
            throw new IllegalArgumentException("not a stream id: " + text);
        }
        ContentType ct = ContentType.fromWireName(text.substring(bar + 1))
                .orElseThrow(() -> new IllegalArgumentException("not a stream id: " + text));
        return new StreamId(text.substring(0, bar), ct);
    }

    @Override
    public int compareTo(StreamId o) {
        int c = tenantId.compareTo(o.tenantId);
        return c != 0 ? c : contentType.compareTo(o.contentType);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamId s && s.tenantId.equals(tenantId) && s.contentType == contentType;
    }

    @Override
    public int hashCode() {
        return tenantId.hashCode() * 31 + contentType.hashCode();
    }

    @Override
    public String toString() {
        return encode();
    }
}
