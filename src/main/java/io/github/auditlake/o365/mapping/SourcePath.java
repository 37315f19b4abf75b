package io.github.auditlake.o365.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A source of a mapping row, compiled once: a path into the record ({@code A.B}, {@code A[]} every element,
 * {@code A[0]} the first, {@code A[Name=X]} the element whose {@code Name} is {@code X}), a constant ({@code =text}),
 * or a value the tables give ({@code $record_type_name}).
 */
final class SourcePath {
    enum Kind {
        FIELD,
        ALL,
        INDEX,
        SELECT
    }

    record Segment(Kind kind, String name, int index, String key, String value) {}

    final String text;
    final Segment[] segments; // null for a constant or a table value
    final String constant;
    final boolean recordTypeName;

    private SourcePath(String text, Segment[] segments, String constant, boolean recordTypeName) {
        this.text = text;
        this.segments = segments;
        this.constant = constant;
        this.recordTypeName = recordTypeName;
    }

    static SourcePath compile(String text) {
        if (text.startsWith("=")) {
            return new SourcePath(text, null, text.substring(1), false);
        }
        if (text.equals("$record_type_name")) {
            return new SourcePath(text, null, null, true);
        }
        if (text.startsWith("$")) {
            throw new IllegalStateException("unknown table value " + text);
        }
        List<Segment> segs = new ArrayList<>();
        for (String part : text.split("\\.")) {
            int b = part.indexOf('[');
            if (b < 0) {
                segs.add(new Segment(Kind.FIELD, part, 0, null, null));
                continue;
            }
            String name = part.substring(0, b);
            String inner = part.substring(b + 1, part.length() - 1);
            if (!part.endsWith("]") || name.isEmpty()) {
                throw new IllegalStateException("bad source path " + text);
            }
            if (inner.isEmpty()) {
                segs.add(new Segment(Kind.ALL, name, 0, null, null));
            } else if (inner.chars().allMatch(Character::isDigit)) {
                segs.add(new Segment(Kind.INDEX, name, Integer.parseInt(inner), null, null));
            } else {
                int eq = inner.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalStateException("bad selector in " + text);
                }
                segs.add(new Segment(Kind.SELECT, name, 0, inner.substring(0, eq), inner.substring(eq + 1)));
            }
        }
        return new SourcePath(text, segs.toArray(Segment[]::new), null, false);
    }

    /** The record's top-level field a source reads, or null for a constant or table value. */
    static String topLevelField(String source) {
        if (source.startsWith("=") || source.startsWith("$")) {
            return null;
        }
        SourcePath p = compile(source);
        return p.segments[0].name();
    }

    /** Adds to {@code out} the non-null values this path finds in {@code record}, in document order. */
    void values(JsonNode record, List<JsonNode> out) {
        walk(record, 0, out);
    }

    private void walk(JsonNode n, int i, List<JsonNode> out) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return;
        }
        if (i == segments.length) {
            out.add(n);
            return;
        }
        Segment s = segments[i];
        JsonNode c = n.get(s.name());
        if (c == null) {
            return;
        }
        switch (s.kind()) {
            case FIELD -> walk(c, i + 1, out);
            case ALL -> {
                if (c.isArray()) {
                    for (JsonNode e : c) {
                        walk(e, i + 1, out);
                    }
                }
            }
            case INDEX -> {
                if (c.isArray()) {
                    walk(c.get(s.index()), i + 1, out);
                }
            }
            case SELECT -> {
                if (c.isArray()) {
                    for (JsonNode e : c) {
                        JsonNode k = e.get(s.key());
                        if (k != null && k.isValueNode() && s.value().equals(k.asText())) {
                            walk(e, i + 1, out);
                            break;
                        }
                    }
                }
            }
        }
    }
}
