package io.github.auditlake.o365.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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

    /** The common schema's fields (reference 4.2), which every record may carry. */
    static final List<String> COMMON_FIELDS = List.of(
            "Id",
            "RecordType",
            "CreationTime",
            "Operation",
            "OrganizationId",
            "UserType",
            "UserKey",
            "Workload",
            "ResultStatus",
            "ObjectId",
            "UserId",
            "ClientIP",
            "Scope",
            "AppAccessContext",
            "Version");

    /** Workload-specific top-level fields (reference 4.5). */
    static final List<String> WORKLOAD_FIELDS = List.of(
            // SharePoint and OneDrive
            "Site",
            "ItemType",
            "EventSource",
            "SourceName",
            "UserAgent",
            "MachineDomainInfo",
            "MachineId",
            "ListItemUniqueId",
            "ListId",
            "ApplicationId",
            "ApplicationDisplayName",
            "IsWorkflow",
            "SiteUrl",
            "SourceRelativeUrl",
            "SourceFileName",
            "SourceFileExtension",
            "DestinationRelativeUrl",
            "DestinationFileName",
            "DestinationFileExtension",
            "UserSharedWith",
            "SharingType",
            // Exchange
            "LogonType",
            "InternalLogonType",
            "MailboxGuid",
            "MailboxOwnerUPN",
            "MailboxOwnerSid",
            "MailboxOwnerMasterAccountSid",
            "LogonUserSid",
            "ExternalAccess",
            "OriginatingServer",
            "OrganizationName",
            "ClientInfoString",
            "ClientIPAddress",
            "SessionId",
            "ClientAppId",
            "Item",
            "Folder",
            "AffectedItems",
            "Parameters",
            "ModifiedProperties",
            // Entra ID
            "AzureActiveDirectoryEventType",
            "ExtendedProperties",
            "Actor",
            "ActorContextId",
            "ActorIpAddress",
            "InterSystemsId",
            "IntraSystemId",
            "SupportTicketId",
            "Target",
            "TargetContextId",
            "Client",
            "DeviceProperties",
            "ErrorCode",
            "LogonError",
            // DLP
            "PolicyDetails",
            "SharePointMetaData",
            "ExchangeMetaData",
            "EndpointMetaData",
            "ExceptionInfo",
            "SensitiveInfoDetectionIsIncluded",
            // Teams
            "TeamName",
            "TeamGuid",
            "ChannelName",
            "ChannelGuid",
            "Members",
            "AddOnType");

    /**
     * The {@code --fields} names in their documented spelling, matched case-insensitively against the common and
     * workload fields; an unknown name is a usage error naming the valid ones.
     */
    static List<String> resolveFields(List<String> requested) {
        return resolveFields(requested, false);
    }

    /**
     * As {@link #resolveFields(List)}; with {@code enrich}, enrichment columns ({@code actor.upn},
     * {@code app.displayName}, {@code enrich.skipped}, ...) too. Without it, such a column is a usage error that names
     * {@code --enrich}.
     */
    static List<String> resolveFields(List<String> requested, boolean enrich) {
        Map<String, String> known = new LinkedHashMap<>();
        for (String f : COMMON_FIELDS) {
            known.put(f.toLowerCase(Locale.ROOT), f);
        }
        for (String f : WORKLOAD_FIELDS) {
            known.putIfAbsent(f.toLowerCase(Locale.ROOT), f);
        }
        List<String> out = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String r : requested) {
            if (CliEnrichment.isColumn(r)) {
                if (!enrich) {
                    throw CliException.usage("--fields " + r + " is an enrichment column: add --enrich");
                }
                out.add(CliEnrichment.column(r));
                continue;
            }
            String f = known.get(r.toLowerCase(Locale.ROOT));
            if (f == null) {
                unknown.add(r);
            } else {
                out.add(f);
            }
        }
        if (!unknown.isEmpty()) {
            throw CliException.usage("unknown --fields " + (unknown.size() == 1 ? "name" : "names") + " '"
                    + String.join("', '", unknown) + "' (names are matched without regard to case). Valid: the "
                    + "common fields " + String.join(", ", COMMON_FIELDS) + "; and the workload fields "
                    + String.join(", ", WORKLOAD_FIELDS) + ".");
        }
        return out;
    }

    /** The record's field {@code name}, matched exactly, else without regard to case; null when absent. */
    static JsonNode field(JsonNode record, String name) {
        if (record == null || !record.isObject()) {
            return null;
        }
        JsonNode v = record.get(name);
        if (v != null) {
            return v;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = record.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

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
            case "fields" -> new FieldCensus(out);
            default ->
                throw CliException.usage("unknown --format '" + name + "': use jsonl, json, csv, table or fields");
        };
    }

    void begin() throws IOException {}

    /** Continues a file that already holds {@code records} records after {@link #begin()} (a resumed export). */
    void resumeAfter(long records) {}

    abstract void record(String json) throws IOException;

    /**
     * Writes a record with its enrichment ({@code --enrich}): jsonl and json write {@code {"record":<the original
     * text>,"enrichment":{...}}} (the record byte for byte, its enrichment beside it); csv and table fill the
     * enrichment columns ({@code actor.upn}, ...).
     */
    void record(String json, io.github.auditlake.o365.enrich.Enrichment e) throws IOException {
        record(json);
    }

    /**
     * Writes what is held back (an enriching format holds up to a chunk of records): called after each batch of the
     * engine, before the resume state is saved.
     */
    void flush() throws IOException {}

    void end() throws IOException {}

    /** The jsonl and json element of an enriched record: the original text and its enrichment, side by side. */
    static String enriched(String json, io.github.auditlake.o365.enrich.Enrichment e) {
        return "{\"record\":" + json + ",\"enrichment\":" + CliEnrichment.json(e) + "}";
    }

    static final class Jsonl extends RecordFormat {
        Jsonl(Writer out) {
            super(out);
        }

        @Override
        void record(String json) throws IOException {
            out.write(json);
            out.write('\n');
        }

        @Override
        void record(String json, io.github.auditlake.o365.enrich.Enrichment e) throws IOException {
            record(enriched(json, e));
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
        void resumeAfter(long records) {
            first = records == 0;
        }

        @Override
        void record(String json) throws IOException {
            out.write(first ? "\n" : ",\n");
            first = false;
            out.write(json);
        }

        @Override
        void record(String json, io.github.auditlake.o365.enrich.Enrichment e) throws IOException {
            record(enriched(json, e));
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
            record(json, null);
        }

        @Override
        void record(String json, io.github.auditlake.o365.enrich.Enrichment e) throws IOException {
            JsonNode n = MAPPER.readTree(json);
            String[] cells = new String[fields.size()];
            for (int i = 0; i < cells.length; i++) {
                String f = fields.get(i);
                if (CliEnrichment.isColumn(f)) {
                    String c = CliEnrichment.cell(f, e);
                    cells[i] = c == null ? "" : c;
                    continue;
                }
                JsonNode v = field(n, f);
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

    /**
     * Not the records but what they are made of: for each RecordType (with its name from the plugin's RecordType
     * table), how many records, and how many of them carry each top-level field; tab-separated, RecordTypes in
     * order, fields from the most frequent. What a tenant actually sends, to write or check a mapping.
     */
    static final class FieldCensus extends RecordFormat {
        private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
                new com.fasterxml.jackson.databind.ObjectMapper();
        /** RecordType (null: none or not a number) to field to count; the record count under the key "". */
        private final java.util.TreeMap<Integer, java.util.Map<String, long[]>> byType =
                new java.util.TreeMap<>(java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder()));

        private long unreadable;

        FieldCensus(Writer out) {
            super(out);
        }

        @Override
        void record(String json) {
            com.fasterxml.jackson.databind.JsonNode n;
            try {
                n = JSON.readTree(json);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                unreadable++;
                return;
            }
            if (n == null || !n.isObject()) {
                unreadable++;
                return;
            }
            com.fasterxml.jackson.databind.JsonNode rt = n.get("RecordType");
            Integer type = rt != null && rt.canConvertToInt() ? Integer.valueOf(rt.intValue()) : null;
            java.util.Map<String, long[]> fields = byType.computeIfAbsent(type, t -> new java.util.HashMap<>());
            fields.computeIfAbsent("", f -> new long[1])[0]++;
            n.fieldNames().forEachRemaining(f -> fields.computeIfAbsent(f, x -> new long[1])[0]++);
        }

        @Override
        void end() throws IOException {
            io.github.auditlake.o365.mapping.RecordTypes table =
                    io.github.auditlake.o365.mapping.RecordTypes.standard();
            out.write("RecordType\tName\tRecords\tField\tPresent\n");
            for (java.util.Map.Entry<Integer, java.util.Map<String, long[]>> t : byType.entrySet()) {
                Integer type = t.getKey();
                String name = type == null ? "(no RecordType)" : table.name(type);
                long records = t.getValue().get("")[0];
                List<java.util.Map.Entry<String, long[]>> fields = t.getValue().entrySet().stream()
                        .filter(e -> !e.getKey().isEmpty())
                        .sorted(java.util.Comparator.<java.util.Map.Entry<String, long[]>>comparingLong(
                                        e -> -e.getValue()[0])
                                .thenComparing(java.util.Map.Entry::getKey))
                        .toList();
                for (java.util.Map.Entry<String, long[]> f : fields) {
                    out.write((type == null ? "" : type.toString()) + "\t"
                            + (name == null ? "(unknown to the table)" : name) + "\t" + records + "\t"
                            + Cells.table(f.getKey(), false) + "\t" + f.getValue()[0] + "\n");
                }
            }
            if (unreadable > 0) {
                out.write("\t(not a JSON object)\t" + unreadable + "\t\t\n");
            }
        }
    }
}
