package io.github.auditlake.o365.cli.verify;

import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.ledger.LedgerEntry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The verdict: the listing against the ledger (and, with --data, the ledger against the audit topics). Pure. */
final class Comparison {
    private Comparison() {}

    /**
     * @param data per contentId, what the audit topics hold; null without --data
     * @param now  the time of the check: blobs created after {@code now - grace} are pending, not missing
     */
    static VerifyReport compare(
            VerifyReport.Meta meta,
            List<ContentBlob> listed,
            LedgerRead ledger,
            Map<String, DataCheck.Result> data,
            Instant now,
            List<String> notes) {
        Instant pendingFrom = now.minus(meta.grace());
        Map<String, long[]> counts = new LinkedHashMap<>();
        for (String type : meta.contentTypes()) {
            for (Instant h = meta.start().truncatedTo(ChronoUnit.HOURS);
                    h.isBefore(meta.end());
                    h = h.plus(1, ChronoUnit.HOURS)) {
                counts.put(rowKey(type, h), new long[9]);
            }
        }
        List<VerifyReport.Finding> findings = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ContentBlob b : listed) {
            String type = b.contentType();
            if (!seen.add(LedgerEntry.key("", type, b.contentId()))) {
                continue;
            }
            long[] c = row(counts, type, b.contentCreated());
            c[0]++;
            LedgerEntry e = ledger.entry(type, b.contentId());
            if (e == null) {
                if (b.contentCreated().isBefore(pendingFrom)) {
                    c[4]++;
                    findings.add(finding(b, VerifyReport.Status.MISSING, "listed by the API, not in the ledger"));
                } else {
                    c[5]++;
                    findings.add(finding(
                            b,
                            VerifyReport.Status.PENDING,
                            "created within the grace of " + meta.grace().toMinutes()
                                    + " min: may not be delivered yet"));
                }
                continue;
            }
            ledgerEntry(e, c, data, findings);
        }
        for (LedgerEntry e : ledger.entries().values()) {
            if (seen.contains(LedgerEntry.key("", e.contentType(), e.contentId()))) {
                continue;
            }
            long[] c = row(counts, e.contentType(), e.contentCreated());
            c[7]++;
            findings.add(new VerifyReport.Finding(
                    e.contentType(),
                    e.contentId(),
                    e.contentCreated(),
                    VerifyReport.Status.LEDGER_ONLY,
                    "in the ledger, not listed by the API for the range"));
            ledgerEntry(e, c, data, findings);
        }
        List<VerifyReport.Row> rows = new ArrayList<>();
        counts.forEach((k, c) -> {
            int bar = k.indexOf('|');
            rows.add(new VerifyReport.Row(
                    Instant.parse(k.substring(bar + 1)),
                    k.substring(0, bar),
                    c[0],
                    c[1],
                    c[2],
                    c[3],
                    c[4],
                    c[5],
                    c[6],
                    c[7],
                    c[8]));
        });
        rows.sort(Comparator.comparing(VerifyReport.Row::hour).thenComparing(VerifyReport.Row::contentType));
        VerifyReport.Row totals = new VerifyReport.Row(null, null, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        for (VerifyReport.Row r : rows) {
            totals = totals.plus(r);
        }
        findings.sort(Comparator.comparing(VerifyReport.Finding::status)
                .thenComparing(VerifyReport.Finding::contentCreated)
                .thenComparing(VerifyReport.Finding::contentType)
                .thenComparing(VerifyReport.Finding::contentId));
        byte[] lines = ledger.canonicalLines();
        return new VerifyReport(
                meta,
                rows,
                totals,
                findings,
                LedgerRead.sha256Hex(lines),
                ledger.entries().size(),
                new String(lines, java.nio.charset.StandardCharsets.UTF_8),
                List.copyOf(notes));
    }

    private static void ledgerEntry(
            LedgerEntry e, long[] c, Map<String, DataCheck.Result> data, List<VerifyReport.Finding> findings) {
        c[1]++;
        c[8] += e.records();
        if (e.outcome() == LedgerEntry.Outcome.SKIPPED) {
            c[3]++;
            findings.add(new VerifyReport.Finding(
                    e.contentType(),
                    e.contentId(),
                    e.contentCreated(),
                    VerifyReport.Status.SKIPPED,
                    (e.skipReason() == null ? "skipped" : e.skipReason()) + " (" + e.records()
                            + " records delivered before)"));
        } else {
            c[2]++;
        }
        if (data == null) {
            return;
        }
        DataCheck.Result r = data.get(e.contentId());
        List<String> why = new ArrayList<>();
        if (r == null) {
            why.add("not read from the audit topics");
        } else {
            if (r.records() != e.records()) {
                why.add("the audit topics hold " + r.records() + " of its records, the ledger says " + e.records());
            }
            if (!r.sha256().equals(e.sha256())) {
                why.add("the records' chained SHA-256 is " + r.sha256() + ", the ledger says " + e.sha256());
            }
            why.addAll(r.problems());
        }
        if (!why.isEmpty()) {
            c[6]++;
            findings.add(new VerifyReport.Finding(
                    e.contentType(),
                    e.contentId(),
                    e.contentCreated(),
                    VerifyReport.Status.MISMATCHED,
                    String.join("; ", why)));
        }
    }

    private static VerifyReport.Finding finding(ContentBlob b, VerifyReport.Status s, String reason) {
        return new VerifyReport.Finding(b.contentType(), b.contentId(), b.contentCreated(), s, reason);
    }

    private static String rowKey(String type, Instant hour) {
        return type + "|" + hour;
    }

    private static long[] row(Map<String, long[]> counts, String type, Instant created) {
        return counts.computeIfAbsent(rowKey(type, created.truncatedTo(ChronoUnit.HOURS)), k -> new long[9]);
    }

    /** An hour in {@code [start, end)} counts; used by the plot's axis. */
    static List<Instant> hours(Instant start, Instant end) {
        List<Instant> out = new ArrayList<>();
        for (Instant h = start.truncatedTo(ChronoUnit.HOURS); h.isBefore(end); h = h.plus(Duration.ofHours(1))) {
            out.add(h);
        }
        return out;
    }
}
