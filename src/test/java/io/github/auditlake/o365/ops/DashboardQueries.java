package io.github.auditlake.o365.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The series a Grafana dashboard queries: every PromQL expression of its panels ({@code targets[].expr}, rows'
 * panels included) and of its query variables ({@code label_values(...)}), reduced to the metric names they select
 * and, per metric, the label names their selectors and {@code label_values} use.
 *
 * <p>A small reader of the PromQL this project writes, not a full parser: string literals, ranges, grouping clauses
 * and Grafana variables are removed, then every identifier not called as a function and not a keyword is a metric
 * name. A selector without a metric name ({@code {__name__=~"..."}}) is refused, so no query escapes the check.
 */
public final class DashboardQueries {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*\\]");
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)?\\s*\\{([^}]*)\\}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern BY = Pattern.compile("\\bby\\s*\\(([^)]*)\\)");
    /** Labels Prometheus adds to every series it scrapes: never in the exporter's answer. */
    private static final Set<String> TARGET_LABELS = Set.of("instance", "job");

    private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{[^}]*\\}|\\$[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern IDENTIFIER =
            Pattern.compile("(?<![a-zA-Z0-9_:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![a-zA-Z0-9_:])(\\s*\\()?");
    private static final Pattern LABEL_VALUES =
            Pattern.compile("^\\s*label_values\\s*\\((.*),\\s*([a-zA-Z_]\\w*)\\s*\\)\\s*$");
    private static final Set<String> KEYWORDS = Set.of(
            "and",
            "or",
            "unless",
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "bool",
            "offset",
            "inf",
            "nan",
            "Inf",
            "NaN");

    private final List<String> expressions;
    private final Map<String, Set<String>> labelsByMetric;

    private DashboardQueries(List<String> expressions, Map<String, Set<String>> labelsByMetric) {
        this.expressions = expressions;
        this.labelsByMetric = labelsByMetric;
    }

    public static DashboardQueries read(Path dashboard) {
        try {
            return of(JSON.readTree(dashboard.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dashboard, e);
        }
    }

    public static DashboardQueries of(JsonNode dashboard) {
        List<String> exprs = new ArrayList<>();
        collectPanels(dashboard.path("panels"), exprs);
        List<String> variables = new ArrayList<>();
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (!"query".equals(v.path("type").asText())) {
                continue;
            }
            JsonNode q = v.path("query");
            String text = q.isObject() ? q.path("query").asText() : q.asText();
            if (!text.isBlank()) {
                variables.add(text);
            }
        }
        Map<String, Set<String>> labels = new TreeMap<>();
        for (String e : exprs) {
            addExpression(e, labels);
        }
        for (String v : variables) {
            Matcher m = LABEL_VALUES.matcher(v);
            if (!m.matches()) {
                throw new IllegalArgumentException(
                        "a query variable that is not label_values(<selector>, <label>): " + v);
            }
            Map<String, Set<String>> own = new TreeMap<>();
            addExpression(m.group(1), own);
            own.values().forEach(s -> s.add(m.group(2)));
            own.forEach(
                    (k, s) -> labels.computeIfAbsent(k, x -> new TreeSet<>()).addAll(s));
            exprs.add(v);
        }
        return new DashboardQueries(List.copyOf(exprs), labels);
    }

    private static void collectPanels(JsonNode panels, List<String> exprs) {
        for (JsonNode p : panels) {
            for (JsonNode t : p.path("targets")) {
                String e = t.path("expr").asText();
                if (!e.isBlank()) {
                    exprs.add(e);
                }
            }
            collectPanels(p.path("panels"), exprs); // a collapsed row keeps its panels inside
        }
    }

    /**
     * Adds the metric names of one PromQL expression, each with the label names its selectors match on and the labels
     * the expression aggregates {@code by} (required of every metric of the expression, but for the target labels
     * Prometheus adds when it scrapes).
     */
    static void addExpression(String expr, Map<String, Set<String>> labels) {
        Map<String, Set<String>> own = new TreeMap<>();
        addSelectors(expr, own);
        Set<String> by = new TreeSet<>();
        Matcher g = BY.matcher(STRING.matcher(expr).replaceAll("\"\""));
        while (g.find()) {
            for (String l : g.group(1).split(",")) {
                if (!l.isBlank() && !TARGET_LABELS.contains(l.trim())) {
                    by.add(l.trim());
                }
            }
        }
        own.forEach((name, l) -> {
            Set<String> all = labels.computeIfAbsent(name, k -> new TreeSet<>());
            all.addAll(l);
            all.addAll(by);
        });
    }

    private static void addSelectors(String expr, Map<String, Set<String>> labels) {
        String s = STRING.matcher(expr).replaceAll("\"\"");
        s = RANGE.matcher(s).replaceAll(" ");
        s = GRAFANA_VARIABLE.matcher(s).replaceAll(" ");
        Matcher sel = SELECTOR.matcher(s);
        StringBuilder rest = new StringBuilder();
        while (sel.find()) {
            String name = sel.group(1);
            if (name == null || KEYWORDS.contains(name)) {
                throw new IllegalArgumentException("a selector without a metric name in: " + expr);
            }
            Set<String> own = labels.computeIfAbsent(name, k -> new TreeSet<>());
            Matcher m = MATCHER.matcher(sel.group(2));
            while (m.find()) {
                own.add(m.group(1));
            }
            sel.appendReplacement(rest, Matcher.quoteReplacement(" " + name + " "));
        }
        sel.appendTail(rest);
        s = GROUPING.matcher(rest.toString()).replaceAll(" ");
        Matcher id = IDENTIFIER.matcher(s);
        while (id.find()) {
            String name = id.group(1);
            boolean call = id.group(2) != null;
            if (!call && !KEYWORDS.contains(name)) {
                labels.computeIfAbsent(name, k -> new TreeSet<>());
            }
        }
    }

    /** Every expression read (panel targets, then query variables). */
    public List<String> expressions() {
        return expressions;
    }

    /** Metric name to the label names the dashboard selects or groups values of it by. */
    public Map<String, Set<String>> labelsByMetric() {
        return labelsByMetric;
    }
}
