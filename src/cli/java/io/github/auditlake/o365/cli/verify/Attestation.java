package io.github.auditlake.o365.cli.verify;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The attestation ({@code verify --attest FILE}): one self-contained HTML page for an auditor. Inline CSS and an
 * inline SVG plot; no script, no font, no image or style from elsewhere (a Content-Security-Policy forbids them
 * too). Every value that comes from the API, the ledger or the command line is escaped: contentIds, reasons and the
 * tenant are untrusted text.
 */
public final class Attestation {
    /** The colours of the content types in the plot, in the order of the report's content types. */
    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf"};

    private static final DateTimeFormatter HOUR =
            DateTimeFormatter.ofPattern("MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

    private Attestation() {}

    public static String html(VerifyReport r) {
        VerifyReport.Meta m = r.meta();
        VerifyReport.Row t = r.totals();
        StringBuilder b = new StringBuilder(16_384);
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                        + "style-src 'unsafe-inline'; img-src data:\">\n")
                .append("<title>Completeness attestation: ")
                .append(esc(m.tenant()))
                .append("</title>\n<style>\n")
                .append(CSS)
                .append("</style>\n</head>\n<body>\n");
        b.append("<h1>Office 365 audit log: completeness attestation</h1>\n");
        b.append("<p class=\"verdict ")
                .append(r.complete() ? "ok\">COMPLETE" : "bad\">NOT COMPLETE")
                .append("</p>\n<p class=\"lead\">")
                .append(lead(r))
                .append("</p>\n");

        b.append("<h2>What was checked, and how</h2>\n<table class=\"facts\">\n");
        fact(b, "Tenant", m.tenant());
        fact(b, "Range (contentCreated, UTC)", m.start() + " to " + m.end() + " (end excluded)");
        fact(b, "Content types", String.join(", ", m.contentTypes()));
        fact(b, "Checked at (UTC)", m.checkedAt().toString());
        fact(b, "Tool", m.toolVersion());
        fact(b, "Command", m.options());
        fact(b, "Kafka", m.bootstrapServers());
        fact(b, "Ledger topic", m.ledgerTopic());
        fact(
                b,
                "Audit topics read (--data)",
                m.data()
                        ? "yes: " + String.join(", ", m.dataTopics())
                        : "no: the ledger was compared with the API only");
        fact(b, "Grace for recent blobs", m.grace().toMinutes() + " minutes (blobs created later are pending)");
        fact(b, "Ledger entries in range", Long.toString(r.ledgerEntries()));
        b.append("<tr><th>SHA-256 of the ledger range</th><td><code class=\"hash\">")
                .append(esc(r.ledgerSha256()))
                .append("</code><br><small>SHA-256 over the range's ledger entries, each as its canonical JSON line "
                        + "followed by a line feed, sorted by key (tenant|contentType|contentId, UTF-8 bytes). "
                        + "<code>o365-audit verify --ledger-dump FILE</code> with the same options writes those lines; "
                        + "<code>sha256sum FILE</code> gives this hash.</small></td></tr>\n");
        b.append("</table>\n");

        b.append("<h2>Totals</h2>\n<table class=\"totals\">\n<tr>");
        for (String h : List.of(
                "Blobs listed",
                "In the ledger",
                "Delivered",
                "Skipped",
                "Missing",
                "Mismatched",
                "Pending",
                "Only in the ledger",
                "Records delivered")) {
            b.append("<th>").append(esc(h)).append("</th>");
        }
        b.append("</tr>\n<tr>");
        cell(b, t.listed(), null);
        cell(b, t.inLedger(), null);
        cell(b, t.delivered(), null);
        cell(b, t.skipped(), t.skipped() > 0 ? "warn" : null);
        cell(b, t.missing(), t.missing() > 0 ? "bad" : "ok");
        if (m.data()) {
            cell(b, t.mismatched(), t.mismatched() > 0 ? "bad" : "ok");
        } else {
            b.append("<td class=\"na\">not checked</td>");
        }
        cell(b, t.pending(), null);
        cell(b, t.ledgerOnly(), null);
        cell(b, t.records(), null);
        b.append("</tr>\n</table>\n");

        b.append("<h2>Delivered records per hour</h2>\n");
        plot(b, r);

        b.append("<h2>Blobs not simply delivered</h2>\n");
        List<VerifyReport.Finding> findings = r.findings();
        if (findings.isEmpty()) {
            b.append("<p>None: every listed blob is in the ledger as delivered.</p>\n");
        } else {
            b.append("<table class=\"findings\">\n<tr><th>Status</th><th>Content type</th><th>contentId</th>"
                    + "<th>contentCreated</th><th>Reason</th></tr>\n");
            for (VerifyReport.Finding f : findings) {
                String cls = switch (f.status()) {
                    case MISSING, MISMATCHED -> "bad";
                    case SKIPPED -> "warn";
                    default -> "";
                };
                b.append("<tr class=\"")
                        .append(cls)
                        .append("\"><td>")
                        .append(esc(f.status().label()));
                b.append("</td><td>").append(esc(f.contentType()));
                b.append("</td><td><code>").append(esc(f.contentId()));
                b.append("</code></td><td>").append(esc(f.contentCreated().toString()));
                b.append("</td><td>").append(esc(f.reason())).append("</td></tr>\n");
            }
            b.append("</table>\n");
        }

        b.append("<h2>Per content type and hour</h2>\n<table class=\"hours\">\n<tr>");
        for (String h : ReportOutput.COLUMNS) {
            b.append("<th>").append(esc(h)).append("</th>");
        }
        b.append("</tr>\n");
        for (VerifyReport.Row row : r.rows()) {
            boolean bad = row.missing() > 0 || row.mismatched() > 0;
            b.append("<tr").append(bad ? " class=\"bad\"" : "").append("><td>");
            b.append(esc(row.hour().toString()))
                    .append("</td><td>")
                    .append(esc(row.contentType()))
                    .append("</td>");
            for (long v : List.of(
                    row.listed(),
                    row.inLedger(),
                    row.delivered(),
                    row.skipped(),
                    row.missing(),
                    row.pending(),
                    row.mismatched(),
                    row.ledgerOnly(),
                    row.records())) {
                b.append("<td>").append(v).append("</td>");
            }
            b.append("</tr>\n");
        }
        b.append("</table>\n");
        if (!r.notes().isEmpty()) {
            b.append("<h2>Notes</h2>\n<ul>\n");
            r.notes().forEach(n -> b.append("<li>").append(esc(n)).append("</li>\n"));
            b.append("</ul>\n");
        }
        b.append("<h2>How to read this page</h2>\n<ul class=\"help\">\n")
                .append("<li><b>Listed</b>: blobs the Management Activity API lists for the range "
                        + "(every content type asked for, every page).</li>\n")
                .append("<li><b>In the ledger</b>: blobs the connector recorded on its ledger topic when it had "
                        + "handed the blob's last record to Kafka: <b>delivered</b>, or <b>skipped</b> with the reason "
                        + "(the service reported the blob gone or expired).</li>\n")
                .append("<li><b>Missing</b>: listed by the API, not in the ledger. <b>Pending</b>: created within the "
                        + "grace, so possibly not delivered yet; not counted as missing.</li>\n")
                .append("<li><b>Mismatched</b> (only when the audit topics were read): the records in the audit topics "
                        + "differ from the ledger's count or chained SHA-256 of the blob's records.</li>\n")
                .append("<li>In the plot, a red band marks an hour with a missing or mismatched blob; a grey band an "
                        + "hour with pending blobs.</li>\n")
                .append("</ul>\n</body>\n</html>\n");
        return b.toString();
    }

    private static String lead(VerifyReport r) {
        if (!r.complete()) {
            return "Some content blobs the Management Activity API lists are not accounted for in the connector's "
                    + "ledger, or their records in the audit topics do not match it: each is listed below.";
        }
        return "Every content blob the Management Activity API lists for this tenant and range is accounted for in "
                + "the connector's ledger"
                + (r.meta().data()
                        ? ", and the audit topics hold exactly the records the ledger describes."
                        : ". The audit topics themselves were not read (no --data).");
    }

    /** Delivered records per hour, one line per content type; red bands: hours with missing or mismatched blobs. */
    static void plot(StringBuilder b, VerifyReport r) {
        List<Instant> hours = Comparison.hours(r.meta().start(), r.meta().end());
        Map<String, long[]> series = new LinkedHashMap<>();
        for (String type : r.meta().contentTypes()) {
            series.put(type, new long[hours.size()]);
        }
        boolean[] bad = new boolean[hours.size()];
        boolean[] pending = new boolean[hours.size()];
        long max = 1;
        for (VerifyReport.Row row : r.rows()) {
            int i = hours.indexOf(row.hour());
            if (i < 0) {
                continue;
            }
            long[] s = series.computeIfAbsent(row.contentType(), k -> new long[hours.size()]);
            s[i] += row.records();
            max = Math.max(max, s[i]);
            bad[i] |= row.missing() > 0 || row.mismatched() > 0;
            pending[i] |= row.pending() > 0;
        }
        int w = 960;
        int h = 320;
        int left = 70;
        int right = 20;
        int top = 20;
        int bottom = 50;
        double pw = w - left - right;
        double ph = h - top - bottom;
        int n = Math.max(1, hours.size());
        double step = pw / n;
        b.append("<svg class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
                .append(w)
                .append(' ')
                .append(h)
                .append("\" width=\"")
                .append(w)
                .append("\" height=\"")
                .append(h)
                .append("\" role=\"img\" aria-label=\"Delivered records per hour per content type\">\n");
        b.append("<rect x=\"")
                .append(left)
                .append("\" y=\"")
                .append(top)
                .append("\" width=\"")
                .append(fmt(pw));
        b.append("\" height=\"").append(fmt(ph)).append("\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n");
        for (int i = 0; i < hours.size(); i++) {
            if (bad[i] || pending[i]) {
                b.append("<rect class=\"").append(bad[i] ? "gap" : "pending").append("\" x=\"");
                b.append(fmt(left + i * step))
                        .append("\" y=\"")
                        .append(top)
                        .append("\" width=\"")
                        .append(fmt(step));
                b.append("\" height=\"").append(fmt(ph)).append("\" fill=\"").append(bad[i] ? "#f4b6b6" : "#e0e0e0");
                b.append("\"><title>").append(esc(hours.get(i).toString()));
                b.append(bad[i] ? ": missing or mismatched blobs" : ": pending blobs")
                        .append("</title></rect>\n");
            }
        }
        for (int k = 0; k <= 4; k++) {
            double y = top + ph - ph * k / 4.0;
            b.append("<line x1=\"")
                    .append(left)
                    .append("\" x2=\"")
                    .append(fmt(left + pw))
                    .append("\" y1=\"");
            b.append(fmt(y)).append("\" y2=\"").append(fmt(y)).append("\" stroke=\"#ddd\"/>\n");
            b.append("<text x=\"").append(left - 6).append("\" y=\"").append(fmt(y + 4));
            b.append("\" text-anchor=\"end\" font-size=\"11\">")
                    .append(Math.round(max * k / 4.0))
                    .append("</text>\n");
        }
        int labelEvery = Math.max(1, (int) Math.ceil(hours.size() / 12.0));
        for (int i = 0; i < hours.size(); i += labelEvery) {
            double x = left + i * step + step / 2;
            b.append("<text x=\"").append(fmt(x)).append("\" y=\"").append(h - bottom + 16);
            b.append("\" text-anchor=\"middle\" font-size=\"11\">").append(esc(HOUR.format(hours.get(i))));
            b.append("</text>\n");
        }
        int c = 0;
        List<String> legend = new ArrayList<>();
        for (Map.Entry<String, long[]> e : series.entrySet()) {
            String colour = COLOURS[c++ % COLOURS.length];
            StringBuilder pts = new StringBuilder();
            long[] s = e.getValue();
            for (int i = 0; i < s.length; i++) {
                double x = left + i * step + step / 2;
                double y = top + ph - ph * s[i] / (double) max;
                pts.append(fmt(x)).append(',').append(fmt(y)).append(' ');
            }
            b.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"");
            b.append(pts.toString().trim())
                    .append("\"><title>")
                    .append(esc(e.getKey()))
                    .append("</title></polyline>\n");
            legend.add(colour + "\u0000" + e.getKey());
        }
        double lx = left;
        for (String l : legend) {
            String[] p = l.split("\u0000", 2);
            b.append("<rect x=\"").append(fmt(lx)).append("\" y=\"").append(h - 18);
            b.append("\" width=\"12\" height=\"12\" fill=\"").append(p[0]).append("\"/>");
            b.append("<text x=\"").append(fmt(lx + 16)).append("\" y=\"").append(h - 8);
            b.append("\" font-size=\"12\">").append(esc(p[1])).append("</text>\n");
            lx += 30 + 7.5 * p[1].length();
        }
        b.append("<rect x=\"").append(fmt(lx)).append("\" y=\"").append(h - 18);
        b.append("\" width=\"12\" height=\"12\" fill=\"#f4b6b6\"/><text x=\"").append(fmt(lx + 16));
        b.append("\" y=\"").append(h - 8).append("\" font-size=\"12\">missing or mismatched</text>\n");
        lx += 180;
        b.append("<rect x=\"").append(fmt(lx)).append("\" y=\"").append(h - 18);
        b.append("\" width=\"12\" height=\"12\" fill=\"#e0e0e0\"/><text x=\"").append(fmt(lx + 16));
        b.append("\" y=\"").append(h - 8).append("\" font-size=\"12\">pending (within the grace)</text>\n");
        b.append("</svg>\n");
    }

    private static void fact(StringBuilder b, String name, String value) {
        b.append("<tr><th>")
                .append(esc(name))
                .append("</th><td>")
                .append(esc(value))
                .append("</td></tr>\n");
    }

    private static void cell(StringBuilder b, long v, String cls) {
        b.append("<td")
                .append(cls == null ? "" : " class=\"" + cls + "\"")
                .append('>')
                .append(v)
                .append("</td>");
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.1f", d);
    }

    /** HTML-escapes text for element content and quoted attribute values. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder o = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> o.append("&amp;");
                case '<' -> o.append("&lt;");
                case '>' -> o.append("&gt;");
                case '"' -> o.append("&quot;");
                case '\'' -> o.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') {
                        o.append(' ');
                    } else {
                        o.append(c);
                    }
                }
            }
        }
        return o.toString();
    }

    private static final String CSS = String.join(
            "\n",
            "body{font-family:sans-serif;margin:2em;color:#222;max-width:1100px}",
            "h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}",
            ".verdict{font-size:1.5em;font-weight:bold;padding:.3em .6em;display:inline-block;border-radius:4px}",
            ".verdict.ok{background:#d9f2d9;color:#1b5e20}.verdict.bad{background:#f8d7da;color:#8b0000}",
            "table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;"
                    + "vertical-align:top}",
            "th{background:#f0f0f0}table.facts th{width:16em}table.hours td,table.totals td{text-align:right}",
            "td.ok{background:#d9f2d9}td.bad,tr.bad td{background:#f8d7da}td.warn,tr.warn td{background:#fff3cd}",
            "td.na{color:#777;font-style:italic}code{font-family:monospace;word-break:break-all}",
            ".hash{font-size:1.05em}small{color:#555}svg.plot{max-width:100%;height:auto;border:0}",
            "");
}
