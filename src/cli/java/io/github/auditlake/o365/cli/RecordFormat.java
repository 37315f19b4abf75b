package io.github.auditlake.o365.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * How {@code export} writes records. {@code jsonl}: each record's original text on its own line. {@code json}: one
 * array of the original texts. {@code csv} (RFC 4180) and {@code table} (tab-separated): a header and the chosen
 * top-level fields of each record; nested values as compact JSON. Cells of csv and table are neutralised (and control
 * characters escaped in table) as {@link Cells} says, unless {@code rawCells}.
 */
abstract class RecordFormat {
    static final List<String> DEFAULT_FIELDS = List.of(
            "CreationTime",
            "Id",
            "Workload",
            "RecordType",
            "Operation",
            "UserId",
            "ClientIP",
            "ResultStatus",
            "ObjectId");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    protected final Writer out;

    RecordFormat(Writer out) {
        this.out = out;
    }

    static RecordFormat of(String name, List<String> fields, Writer out) {
        return of(name, fields, out, false);
    }

    /** @param rawCells csv and table cells as served: no quote before a formula, no escaped control characters */
    static RecordFormat of(String name, List<String> fields, Writer out, boolean rawCells) {
        return switch (name) {
            case "jsonl" -> new Jsonl(out);
            case "json" -> new JsonArray(out);
            case "csv" -> new Delimited(out, fields, true, rawCells);
            case "table" -> new Delimited(out, fields, false, rawCells);
            default -> throw CliException.usage("unknown --format '" + name + "': use jsonl, json, csv or table");
        };
    }

    void begin() throws IOException {}

    abstract void record(String json) throws IOException;

    void end() throws IOException {}

    static final class Jsonl extends RecordFormat {
        Jsonl(Writer out) {
            super(out);
        }

        @Override
        void record(String json) throws IOException {
            out.write(json);
            out.write('\n');
        }
    }

    static final class JsonArray extends RecordFormat {
        private boolean first = true;

        JsonArray(Writer out) {
            super(out);
        }

        @Override
        void begin() throws IOException {
            out.write('[');
        }

        @Override
        void record(String json) throws IOException {
            out.write(first ? "\n" : ",\n");
            first = false;
            out.write(json);
        }

        @Override
        void end() throws IOException {
            out.write(first ? "]\n" : "\n]\n");
        }
    }

    static final class Delimited extends RecordFormat {
        private final List<String> fields;
        private final boolean csv;
        private final boolean raw;

        Delimited(Writer out, List<String> fields, boolean csv, boolean raw) {
            super(out);
            this.fields = fields;
            this.csv = csv;
            this.raw = raw;
        }

        @Override
        void begin() throws IOException {
            out.write(line(fields));
        }

        @Override
        void record(String json) throws IOException {
            JsonNode n = MAPPER.readTree(json);
            String[] cells = new String[fields.size()];
            for (int i = 0; i < cells.length; i++) {
                JsonNode v = n == null ? null : n.get(fields.get(i));
                cells[i] = v == null || v.isNull() ? "" : v.isValueNode() ? v.asText() : v.toString();
            }
            out.write(line(List.of(cells)));
        }

        private String line(List<String> cells) {
            if (!csv) {
                return Output.tsvLine(cells, raw);
            }
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < cells.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                b.append(Cells.csv(cells.get(i), raw));
            }
            return b.append("\r\n").toString();
        }
    }
}
