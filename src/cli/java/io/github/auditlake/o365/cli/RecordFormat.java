package io.github.auditlake.o365.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * How {@code export} writes records. {@code jsonl}: each record's original text on its own line. {@code json}: one
 * array of the original texts. {@code csv} (RFC 4180) and {@code table} (tab-separated): a header and the chosen
 * top-level fields of each record; nested values as compact JSON.
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
        return switch (name) {
            case "jsonl" -> new Jsonl(out);
            case "json" -> new JsonArray(out);
            case "csv" -> new Delimited(out, fields, true);
            case "table" -> new Delimited(out, fields, false);
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

        Delimited(Writer out, List<String> fields, boolean csv) {
            super(out);
            this.fields = fields;
            this.csv = csv;
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
                return Output.tsvLine(cells);
            }
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < cells.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                b.append(csvCell(cells.get(i)));
            }
            return b.append("\r\n").toString();
        }

        static String csvCell(String v) {
            if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0) {
                return v;
            }
            return '"' + v.replace("\"", "\"\"") + '"';
        }
    }
}
