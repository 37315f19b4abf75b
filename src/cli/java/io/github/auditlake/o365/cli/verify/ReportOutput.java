package io.github.auditlake.o365.cli.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The report as text: a tab-separated table (one line per content type and hour, then a total line; after a blank
 * line, one line per blob that is not simply delivered), or JSON.
 */
public final class ReportOutput {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final List<String> COLUMNS = List.of(
            "hour",
            "contentType",
            "listed",
            "inLedger",
            "delivered",
            "skipped",
            "missing",
            "pending",
            "mismatched",
            "ledgerOnly",
            "records");

    private ReportOutput() {}

    /** The table, the findings and the totals as tab-separated text. */
    public static String table(VerifyReport r) {
        StringBuilder b = new StringBuilder();
        line(b, COLUMNS);
        for (VerifyReport.Row row : r.rows()) {
            line(b, cells(row, row.hour().toString(), row.contentType()));
        }
        line(b, cells(r.totals(), "total", ""));
        b.append('\n');
        line(b, List.of("status", "contentType", "contentId", "contentCreated", "reason"));
        for (VerifyReport.Finding f : r.findings()) {
            line(
                    b,
                    List.of(
                            f.status().label(),
                            f.contentType(),
                            f.contentId(),
                            f.contentCreated().toString(),
                            f.reason()));
        }
        return b.toString();
    }

    private static List<String> cells(VerifyReport.Row row, String hour, String type) {
        return List.of(
                hour,
                type,
                Long.toString(row.listed()),
                Long.toString(row.inLedger()),
                Long.toString(row.delivered()),
                Long.toString(row.skipped()),
                Long.toString(row.missing()),
                Long.toString(row.pending()),
                Long.toString(row.mismatched()),
                Long.toString(row.ledgerOnly()),
                Long.toString(row.records()));
    }

    /** Tabs and line breaks inside a value become spaces; other control characters are dropped. */
    private static void line(StringBuilder b, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                b.append('\t');
            }
            String c = cells.get(i) == null ? "" : cells.get(i);
            for (int j = 0; j < c.length(); j++) {
                char ch = c.charAt(j);
                if (ch == '\t' || ch == '\n' || ch == '\r') {
                    b.append(' ');
                } else if (!Character.isISOControl(ch)) {
                    b.append(ch);
                }
            }
        }
        b.append('\n');
    }

    /** One line for stderr. */
    public static String summary(VerifyReport r) {
        VerifyReport.Row t = r.totals();
        return (r.complete() ? "complete" : "NOT complete") + ": " + t.listed() + " blobs listed, " + t.inLedger()
                + " in the ledger (" + t.delivered() + " delivered, " + t.skipped() + " skipped), " + t.missing()
                + " missing, " + t.mismatched() + " mismatched" + (r.meta().data() ? "" : " (data not read)")
                + ", " + t.pending() + " pending, " + t.ledgerOnly() + " only in the ledger; ledger range SHA-256 "
                + r.ledgerSha256();
    }

    /** The report as JSON. */
    public static String json(VerifyReport r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("complete", r.complete());
        VerifyReport.Meta m = r.meta();
        ObjectNode meta = n.putObject("checked");
        meta.put("tenant", m.tenant());
        meta.put("start", m.start().toString());
        meta.put("end", m.end().toString());
        meta.put("at", m.checkedAt().toString());
        meta.put("tool", m.toolVersion());
        meta.put("bootstrapServers", m.bootstrapServers());
        meta.put("ledgerTopic", m.ledgerTopic());
        meta.put("data", m.data());
        ArrayNode topics = meta.putArray("dataTopics");
        m.dataTopics().forEach(topics::add);
        meta.put("graceMinutes", m.grace().toMinutes());
        ArrayNode types = meta.putArray("contentTypes");
        m.contentTypes().forEach(types::add);
        meta.put("options", m.options());
        n.put("ledgerRangeSha256", r.ledgerSha256());
        n.put("ledgerEntries", r.ledgerEntries());
        n.set("totals", row(r.totals()));
        ArrayNode rows = n.putArray("hours");
        r.rows().forEach(row -> rows.add(row(row)));
        ArrayNode findings = n.putArray("blobs");
        for (VerifyReport.Finding f : r.findings()) {
            ObjectNode o = findings.addObject();
            o.put("status", f.status().label());
            o.put("contentType", f.contentType());
            o.put("contentId", f.contentId());
            o.put("contentCreated", f.contentCreated().toString());
            o.put("reason", f.reason());
        }
        ArrayNode notes = n.putArray("notes");
        r.notes().forEach(notes::add);
        try {
            return JSON.writeValueAsString(n) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode row(VerifyReport.Row row) {
        ObjectNode o = JSON.createObjectNode();
        if (row.hour() != null) {
            o.put("hour", row.hour().toString());
            o.put("contentType", row.contentType());
        }
        List<Long> v = new ArrayList<>(List.of(
                row.listed(),
                row.inLedger(),
                row.delivered(),
                row.skipped(),
                row.missing(),
                row.pending(),
                row.mismatched(),
                row.ledgerOnly(),
                row.records()));
        for (int i = 0; i < v.size(); i++) {
            o.put(COLUMNS.get(i + 2), v.get(i));
        }
        return o;
    }
}
