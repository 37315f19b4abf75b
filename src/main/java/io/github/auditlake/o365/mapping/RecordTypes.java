package io.github.auditlake.o365.mapping;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The RecordType table ({@code record-types.tsv}): value, name, family and workload of every RecordType Microsoft
 * documents. Loaded once; a value missing from it is normal (the list grows every few weeks) and maps to the family
 * {@value #GENERAL}. Adding a RecordType is a row in the resource file.
 */
public final class RecordTypes {
    /** The family of a RecordType the table does not name, and of every RecordType with no family of its own. */
    public static final String GENERAL = "general";

    /** One row of the table. */
    public record Entry(int value, String name, String family, String workload) {}

    private static final RecordTypes STANDARD = new RecordTypes(Tsv.read("record-types.tsv", 4));
    private static final int DENSE = 1024;

    private final Map<Integer, Entry> byValue;
    private final Entry[] dense = new Entry[DENSE];

    private RecordTypes(List<String[]> rows) {
        Map<Integer, Entry> m = new LinkedHashMap<>();
        for (String[] r : rows) {
            Entry e = new Entry(Integer.parseInt(r[0]), r[1], r[2], r[3]);
            if (m.put(e.value(), e) != null) {
                throw new IllegalStateException("RecordType " + e.value() + " is in the table twice");
            }
            if (e.value() >= 0 && e.value() < DENSE) {
                dense[e.value()] = e;
            }
        }
        this.byValue = Collections.unmodifiableMap(m);
    }

    /** The table shipped in the plugin. */
    public static RecordTypes standard() {
        return STANDARD;
    }

    /** The row of {@code value}, or null when the table does not know it (or the record has no RecordType). */
    public Entry get(Integer value) {
        if (value == null) {
            return null;
        }
        int v = value;
        return v >= 0 && v < DENSE ? dense[v] : byValue.get(value);
    }

    /** The name of {@code value}, or null when unknown. */
    public String name(Integer value) {
        Entry e = get(value);
        return e == null ? null : e.name();
    }

    /** The family of {@code value}; {@value #GENERAL} when unknown. */
    public String family(Integer value) {
        Entry e = get(value);
        return e == null ? GENERAL : e.family();
    }

    /** Every row, in the table's order. */
    public List<Entry> entries() {
        return List.copyOf(byValue.values());
    }
}
