package io.github.auditlake.o365.mapping;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The schema-drift radar: per stream, what the records send that the tables do not know. Three kinds, each reported
 * to the {@link Listener} the first time a stream shows it: a RecordType missing from {@code record-types.tsv}; an
 * Operation that {@code operations.tsv} does not list for its family; a top-level field that no mapping row reads
 * and {@code known-fields.txt} does not list (only when the value format parses records: ecs, ocsf). Memory is
 * bounded: at most {@value #MAX_REMEMBERED} values per kind and stream are remembered; beyond, new values are only
 * counted in {@link StreamDrift#forgotten}, each time they are seen.
 *
 * <p>{@link #observe} runs on the task thread; counters and snapshots may be read from any thread.
 */
public final class DriftRadar {
    public static final int MAX_REMEMBERED = 1000;

    /** What drifted. */
    public enum Kind {
        RECORD_TYPE("RecordType"),
        OPERATION("Operation"),
        FIELD("field");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * Something a stream sent for the first time that the tables do not know.
     *
     * @param stream     the stream's key (tenant and content type)
     * @param contentType the content type's wire name (e.g. Audit.General)
     * @param value      the RecordType number, the Operation, or the field name
     * @param recordType the record's RecordType (null when it had none)
     */
    public record Event(String stream, String contentType, Kind kind, String value, Integer recordType) {
        /** E.g. {@code new RecordType 463 first seen in Audit.General}. */
        public String message() {
            String where = kind == Kind.RECORD_TYPE || recordType == null ? "" : " (RecordType " + recordType + ")";
            return "new " + kind.label() + " " + value + where + " first seen in " + contentType;
        }
    }

    /** Told of each {@link Event} once, on the task thread. */
    @FunctionalInterface
    public interface Listener {
        void firstSeen(Event e);
    }

    /** One stream's counts and memory. */
    public static final class StreamDrift {
        /** Records delivered with a RecordType missing from the table. */
        public final LongAdder unknownRecordTypeRecords = new LongAdder();

        private final Map<Kind, Set<String>> seen = new ConcurrentHashMap<>();
        private final Map<Kind, AtomicLong> distinct = new ConcurrentHashMap<>();
        /** Times a value was not remembered because the memory of its kind was full (a value may count more than once). */
        public final LongAdder forgotten = new LongAdder();

        StreamDrift() {
            for (Kind k : Kind.values()) {
                seen.put(k, ConcurrentHashMap.newKeySet());
                distinct.put(k, new AtomicLong());
            }
        }

        /** Distinct values of {@code kind} first seen on this stream (since the task started). */
        public long distinct(Kind kind) {
            return distinct.get(kind).get();
        }

        /** The values of {@code kind} remembered, in no order (Operations as family/Operation). */
        public List<String> seen(Kind kind) {
            return List.copyOf(seen.get(kind));
        }

        /** Unlisted Operations seen, by family (task thread): no key is built per record. */
        private final Map<String, Set<String>> operationsByFamily = new HashMap<>();

        /** True when the unlisted {@code operation} of {@code family} is new on this stream (and now remembered). */
        boolean firstOperation(String family, String operation) {
            Set<String> ops = operationsByFamily.computeIfAbsent(family, f -> new java.util.HashSet<>());
            if (ops.contains(operation)) {
                return false;
            }
            if (!firstTime(Kind.OPERATION, family + "/" + operation)) {
                return false;
            }
            ops.add(operation);
            return true;
        }

        /** True when {@code value} is new (and now remembered). */
        boolean firstTime(Kind kind, String value) {
            Set<String> s = seen.get(kind);
            if (s.contains(value)) {
                return false;
            }
            if (s.size() >= MAX_REMEMBERED) {
                forgotten.increment();
                return false;
            }
            s.add(value);
            distinct.get(kind).incrementAndGet();
            return true;
        }
    }

    private final RecordTypes types;
    private final MappingTables tables;
    private final Listener listener;
    private final Map<String, StreamDrift> streams = new ConcurrentHashMap<>();
    private static final int OPERATION_CACHE_MAX = 4096;
    private final Map<String, Map<String, Boolean>> listedByFamily = new HashMap<>();
    // task-thread caches: the last stream's state
    private String lastKey;
    private StreamDrift last;

    public DriftRadar(Listener listener) {
        this(RecordTypes.standard(), MappingTables.standard(), listener);
    }

    DriftRadar(RecordTypes types, MappingTables tables, Listener listener) {
        this.types = types;
        this.tables = tables;
        this.listener = listener;
    }

    /** Whether operations.tsv lists {@code operation} for {@code family}; cached (task thread). */
    private boolean listed(String family, String operation) {
        Map<String, Boolean> m = listedByFamily.computeIfAbsent(family, f -> new HashMap<>());
        Boolean b = m.get(operation);
        if (b == null) {
            b = tables.operation(tables.family(family), operation) != null;
            if (m.size() < OPERATION_CACHE_MAX) {
                m.put(operation, b);
            }
        }
        return b;
    }

    /** The state of stream {@code key} (made on first use). */
    public StreamDrift stream(String key) {
        return streams.computeIfAbsent(key, k -> new StreamDrift());
    }

    /** Every stream observed so far. */
    public Map<String, StreamDrift> streams() {
        return Map.copyOf(streams);
    }

    /**
     * Looks at one record delivered on a stream.
     *
     * @param tree the parsed record, or null when the format does not parse records (fields are then not checked)
     */
    public void observe(String streamKey, String contentType, Integer recordType, String operation, ObjectNode tree) {
        StreamDrift d;
        if (streamKey.equals(lastKey)) {
            d = last;
        } else {
            d = stream(streamKey);
            lastKey = streamKey;
            last = d;
        }
        RecordTypes.Entry entry = types.get(recordType);
        if (entry == null && recordType != null) {
            d.unknownRecordTypeRecords.increment();
            String v = recordType.toString();
            if (d.firstTime(Kind.RECORD_TYPE, v)) {
                listener.firstSeen(new Event(streamKey, contentType, Kind.RECORD_TYPE, v, recordType));
            }
        }
        if (operation != null) {
            String family = entry == null ? RecordTypes.GENERAL : entry.family();
            if (!listed(family, operation) && d.firstOperation(family, operation)) {
                listener.firstSeen(new Event(streamKey, contentType, Kind.OPERATION, operation, recordType));
            }
        }
        if (tree != null) {
            Set<String> known = tables.knownTopLevelFields();
            for (Iterator<String> it = tree.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!known.contains(f) && d.firstTime(Kind.FIELD, f)) {
                    listener.firstSeen(new Event(streamKey, contentType, Kind.FIELD, f, recordType));
                }
            }
        }
    }
}
