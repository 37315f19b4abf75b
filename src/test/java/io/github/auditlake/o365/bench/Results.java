package io.github.auditlake.o365.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The figures of one benchmark run, grouped by scenario, each beside its ceiling (or minimum) and the ratio. */
final class Results {

    /**
     * One figure. {@code reference} is the ceiling (throughput), the minimum (backfill time), or the bound it is
     * compared with; {@code ratio} = value / reference. {@code target} describes the goal, {@code met} whether it was
     * reached (null when there is no pass/fail target).
     */
    record Row(
            String scenario,
            String figure,
            double value,
            String unit,
            String referenceName,
            double reference,
            String target,
            Boolean met) {
        double ratio() {
            return reference > 0 ? value / reference : Double.NaN;
        }
    }

    final List<Row> rows = new ArrayList<>();
    /** Free-text notes per scenario (sizes, what bounds a missed target, profiles). */
    final Map<String, List<String>> notes = new LinkedHashMap<>();

    final Map<String, String> failures = new LinkedHashMap<>();

    void add(
            String scenario,
            String figure,
            double value,
            String unit,
            String referenceName,
            double reference,
            String target,
            Boolean met) {
        rows.add(new Row(scenario, figure, value, unit, referenceName, reference, target, met));
        System.out.printf(
                Locale.ROOT,
                "[%s] %s = %s %s (%s %s)%n",
                scenario,
                figure,
                fmt(value),
                unit,
                referenceName,
                fmt(reference));
    }

    void note(String scenario, String text) {
        notes.computeIfAbsent(scenario, k -> new ArrayList<>()).add(text);
    }

    void fail(String scenario, Throwable t) {
        failures.put(scenario, t.toString());
        t.printStackTrace(System.out);
    }

    List<Row> of(String scenario) {
        return rows.stream().filter(r -> r.scenario().equals(scenario)).toList();
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        double a = Math.abs(v);
        if (a >= 10_000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String status(Boolean met) {
        return met == null ? "" : met ? "met" : "**missed**";
    }

    /** A plain-text table for the console. */
    String table() {
        String[] head = {"scenario", "figure", "value", "unit", "ceiling / bound", "ref", "ratio", "target", ""};
        List<String[]> lines = new ArrayList<>();
        lines.add(head);
        for (Row r : rows) {
            lines.add(new String[] {
                r.scenario(),
                r.figure(),
                fmt(r.value()),
                r.unit(),
                r.referenceName(),
                fmt(r.reference()),
                fmt(r.ratio()),
                r.target(),
                status(r.met()).replace("*", "")
            });
        }
        failures.forEach((s, f) -> lines.add(new String[] {s, "FAILED", "", "", f, "", "", "", ""}));
        int[] w = new int[head.length];
        for (String[] l : lines) {
            for (int i = 0; i < l.length; i++) {
                w[i] = Math.max(w[i], Math.min(l[i].length(), 60));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] l : lines) {
            for (int i = 0; i < l.length; i++) {
                String c = l[i].length() > 60 ? l[i].substring(0, 57) + "..." : l[i];
                sb.append(String.format(Locale.ROOT, "%-" + w[i] + "s", c)).append(i < l.length - 1 ? "  " : "");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** A Markdown table of one scenario. */
    String markdown(String scenario) {
        StringBuilder sb = new StringBuilder();
        sb.append("| Figure | Value | Ceiling / bound | Ratio | Target | |\n|---|---:|---|---:|---|---|\n");
        for (Row r : of(scenario)) {
            sb.append("| ")
                    .append(r.figure())
                    .append(" | ")
                    .append(fmt(r.value()))
                    .append(' ')
                    .append(r.unit())
                    .append(" | ")
                    .append(r.referenceName())
                    .append(r.reference() > 0 ? ": " + fmt(r.reference()) : "")
                    .append(" | ")
                    .append(fmt(r.ratio()))
                    .append(" | ")
                    .append(r.target())
                    .append(" | ")
                    .append(status(r.met()))
                    .append(" |\n");
        }
        if (failures.containsKey(scenario)) {
            sb.append("\nThe scenario FAILED: `").append(failures.get(scenario)).append("`\n");
        }
        return sb.toString();
    }
}
