package io.github.auditlake.o365.mapping;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.BoundedJson;
import io.github.auditlake.o365.mapping.MappingTables.Family;
import io.github.auditlake.o365.mapping.MappingTables.FieldRow;
import io.github.auditlake.o365.mapping.MappingTables.Operation;
import io.github.auditlake.o365.mapping.MappingTables.Target;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps an audit record to ECS or OCSF JSON, driven by the tables ({@link MappingTables}, {@link RecordTypes}): the
 * record is parsed once into a tree, each row of its family and then of family {@code *} reads a path of that tree
 * and writes a target field. Per family the rows are compiled once; the class of an Operation is cached.
 *
 * <p>ECS: the mapped fields, then {@code o365.audit} holding the original record exactly as received (its text is
 * written into the output verbatim, not parsed and written again). OCSF: the mapped attributes, then
 * {@code raw_data} holding the original text as a JSON string.
 *
 * <p>Not thread-safe (its caches are unsynchronised): one instance per task.
 */
public final class AuditMapping {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Names of records are never interned, nor kept beyond the last MiB of records (see {@link BoundedJson}). */
    private static final BoundedJson.RotatingFactory FACTORIES =
            new BoundedJson.RotatingFactory(JsonFactory::new, 1024 * 1024);
    /** Distinct Operations remembered per family with their class; beyond it, each is looked up again. */
    private static final int OPERATION_CACHE_MAX = 4096;

    private final Target target;
    private final RecordTypes types;
    private final MappingTables tables;
    private final Map<String, Compiled> byFamily = new LinkedHashMap<>();
    private final List<JsonNode> scratch = new ArrayList<>(8);

    /** One family's rows, compiled, and the classes of the Operations seen. */
    private static final class Compiled {
        final Family family;
        final Row[] rows;
        final Map<String, Operation> operations = new HashMap<>();
        final Operation none;

        Compiled(Family family, Row[] rows) {
            this.family = family;
            this.rows = rows;
            this.none = new Operation(
                    family.name(), "", family.ecsType(), family.ocsfActivityId(), family.ocsfActivityName());
        }
    }

    private record Row(String[] target, boolean[] firstElement, boolean append, SourcePath source, Conversion conv) {}

    public AuditMapping(Target target) {
        this(target, RecordTypes.standard(), MappingTables.standard());
    }

    AuditMapping(Target target, RecordTypes types, MappingTables tables) {
        this.target = target;
        this.types = types;
        this.tables = tables;
        for (Family f : tables.families().values()) {
            List<Row> rows = new ArrayList<>();
            for (FieldRow r : tables.fields(target)) {
                if (r.family().equals(f.name())) {
                    rows.add(compile(r));
                }
            }
            for (FieldRow r : tables.fields(target)) {
                if (r.family().equals("*")) {
                    rows.add(compile(r));
                }
            }
            byFamily.put(f.name(), new Compiled(f, rows.toArray(Row[]::new)));
        }
    }

    public Target target() {
        return target;
    }

    private static Row compile(FieldRow r) {
        String t = r.target();
        boolean append = t.endsWith("[]");
        if (append) {
            t = t.substring(0, t.length() - 2);
        }
        String[] parts = t.split("\\.");
        boolean[] first = new boolean[parts.length];
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].endsWith("[0]")) {
                parts[i] = parts[i].substring(0, parts[i].length() - 3);
                first[i] = true;
            }
        }
        return new Row(parts, first, append, SourcePath.compile(r.source()), Conversion.named(r.conversion()));
    }

    /** The record as a tree, or null when its text is not a JSON object (it is then mapped from its known fields). */
    public static ObjectNode parse(AuditRecord r) {
        byte[] utf8 = r.utf8();
        try (JsonParser p = FACTORIES.forBytes(utf8.length).createParser(utf8)) {
            JsonNode n = JSON.readTree(p);
            return n instanceof ObjectNode o ? o : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The mapped record as JSON text; {@code tree} is {@link #parse}'s answer for {@code r}. */
    public String map(AuditRecord r, ObjectNode tree) {
        ObjectNode out = mapToTree(r, tree);
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The mapped record as a tree (the original record is a raw value inside it). */
    ObjectNode mapToTree(AuditRecord r, ObjectNode tree) {
        Compiled c = byFamily.get(types.family(r.recordType()));
        if (c == null) {
            c = byFamily.get(RecordTypes.GENERAL);
        }
        Operation op = operation(c, r.operation());
        ObjectNode out = NODES.objectNode();
        if (target == Target.OCSF) {
            Family f = c.family;
            out.put("class_uid", f.ocsfClassUid());
            out.put("class_name", f.ocsfClassName());
            out.put("category_uid", f.ocsfCategoryUid());
            out.put("category_name", f.ocsfCategoryName());
            out.put("activity_id", op.ocsfActivityId());
            out.put("activity_name", op.ocsfActivityName());
            out.put("type_uid", f.ocsfClassUid() * 100L + op.ocsfActivityId());
            out.put("type_name", f.ocsfClassName() + ": " + op.ocsfActivityName());
        } else {
            ObjectNode event = out.putObject("event");
            event.put("kind", c.family.ecsKind());
            event.putArray("category").add(c.family.ecsCategory());
            event.putArray("type").add(op.ecsType());
        }
        String typeName = types.name(r.recordType());
        for (Row row : c.rows) {
            apply(row, tree, out, typeName);
        }
        if (target == Target.OCSF) {
            JsonNode sev = out.get("severity_id");
            int id = sev == null ? 1 : sev.intValue();
            if (sev == null) {
                out.put("severity_id", 1);
            }
            out.put("severity", severityName(id));
            out.put("raw_data", r.json());
        } else {
            ObjectNode o365 = out.get("o365") instanceof ObjectNode o ? o : out.putObject("o365");
            if (tree != null) {
                o365.putRawValue("audit", new RawValue(r.json()));
            } else {
                ((ObjectNode) out.get("event")).put("original", r.json());
            }
        }
        return out;
    }

    private Operation operation(Compiled c, String operation) {
        if (operation == null) {
            return c.none;
        }
        Operation o = c.operations.get(operation);
        if (o == null) {
            o = tables.operation(c.family, operation);
            if (o == null) {
                o = c.none;
            }
            if (c.operations.size() < OPERATION_CACHE_MAX) {
                c.operations.put(operation, o);
            }
        }
        return o;
    }

    private void apply(Row row, ObjectNode tree, ObjectNode out, String typeName) {
        SourcePath s = row.source();
        if (s.constant != null || s.recordTypeName) {
            String v = s.constant != null ? s.constant : typeName;
            if (v != null) {
                put(row, out, row.conv().apply(TextNode.valueOf(v)));
            }
            return;
        }
        if (tree == null) {
            return;
        }
        if (!row.append() && isSet(row, out)) {
            return; // an earlier row gave this target a value
        }
        List<JsonNode> values = scratch;
        values.clear();
        s.values(tree, values);
        for (JsonNode v : values) {
            JsonNode converted = row.conv().apply(v);
            if (converted != null) {
                put(row, out, converted);
                if (!row.append()) {
                    break;
                }
            }
        }
        values.clear();
    }

    private static boolean isSet(Row row, ObjectNode out) {
        JsonNode n = out;
        String[] t = row.target();
        for (int i = 0; i < t.length && n != null; i++) {
            n = n.get(t[i]);
            if (n != null && row.firstElement()[i]) {
                n = n.get(0);
            }
        }
        return n != null;
    }

    private static void put(Row row, ObjectNode out, JsonNode value) {
        if (value == null) {
            return;
        }
        ObjectNode o = out;
        String[] t = row.target();
        int last = t.length - 1;
        for (int i = 0; i < last; i++) {
            JsonNode n = o.get(t[i]);
            if (row.firstElement()[i]) {
                ArrayNode a = n instanceof ArrayNode arr ? arr : o.putArray(t[i]);
                if (a.isEmpty()) {
                    a.addObject();
                }
                o = (ObjectNode) a.get(0);
            } else {
                o = n instanceof ObjectNode obj ? obj : o.putObject(t[i]);
            }
        }
        if (row.append()) {
            ArrayNode a = o.get(t[last]) instanceof ArrayNode arr ? arr : o.putArray(t[last]);
            for (JsonNode e : a) {
                if (e.equals(value)) {
                    return;
                }
            }
            a.add(value);
        } else if (!o.has(t[last])) {
            o.set(t[last], value);
        }
    }

    static String severityName(int id) {
        return switch (id) {
            case 1 -> "Informational";
            case 2 -> "Low";
            case 3 -> "Medium";
            case 4 -> "High";
            case 5 -> "Critical";
            case 6 -> "Fatal";
            case 99 -> "Other";
            default -> "Unknown";
        };
    }
}
