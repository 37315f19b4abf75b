package io.github.auditlake.o365.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Prometheus text exposition (version 0.0.4) read into samples: metric name to its series. */
public final class Scrape {
    /** One series: its labels and its value. */
    public record Sample(Map<String, String> labels, double value) {}

    private static final Pattern SAMPLE =
            Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+\\S+)?$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    private final Map<String, List<Sample>> series;
    private final String text;

    private Scrape(String text, Map<String, List<Sample>> series) {
        this.text = text;
        this.series = series;
    }

    public static Scrape parse(String text) {
        Map<String, List<Sample>> out = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException("not a sample line: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            out.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(new Sample(labels, value(m.group(3))));
        }
        return new Scrape(text, out);
    }

    private static double value(String v) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(v);
        };
    }

    /** Metric name to its series. */
    public Map<String, List<Sample>> series() {
        return series;
    }

    /**
     * The metrics of {@code wanted} (name to the label names a query uses) that this scrape lacks, mapped to
     * {@code "(no series)"}, or whose series lack labels, mapped to the labels missing. A metric whose query selects
     * on {@code connector} must have a series of {@code connector} with all of them.
     */
    public Map<String, Set<String>> missing(Map<String, Set<String>> wanted, String connector) {
        Map<String, Set<String>> out = new TreeMap<>();
        wanted.forEach((name, labels) -> {
            List<Sample> all = series.getOrDefault(name, List.of());
            boolean scoped = labels.contains("connector");
            List<Sample> own = all.stream()
                    .filter(x -> !scoped || connector.equals(x.labels().get("connector")))
                    .toList();
            if (all.isEmpty()) {
                out.put(name, Set.of("(no series)"));
            } else if (own.isEmpty()) {
                out.put(name, Set.of("(no series of connector " + connector + ")"));
            } else {
                Set<String> fewest = null;
                for (Sample x : own) {
                    Set<String> m = new TreeSet<>(labels);
                    m.removeAll(x.labels().keySet());
                    if (fewest == null || m.size() < fewest.size()) {
                        fewest = m;
                    }
                }
                if (!fewest.isEmpty()) {
                    out.put(name, fewest);
                }
            }
        });
        return out;
    }

    public String text() {
        return text;
    }
}
