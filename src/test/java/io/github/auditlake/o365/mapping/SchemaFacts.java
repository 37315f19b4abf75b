package io.github.auditlake.o365.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks mapped records against our written facts of the target schemas (ocsf-1.3.0-facts.tsv, ecs-8.17-facts.tsv):
 * attribute names, types and requirement levels. Returns the problems found, empty when the record conforms.
 */
public final class SchemaFacts {
    private record Attr(String type, String requirement) {}

    private static final Map<String, Map<String, Attr>> OCSF = new HashMap<>();
    private static final Map<String, String> ECS_FIELDS = new HashMap<>();
    private static final Map<String, Set<String>> ECS_VALUES = new HashMap<>();

    static {
        for (String[] r : rows("ocsf-1.3.0-facts.tsv")) {
            OCSF.computeIfAbsent(r[0], k -> new HashMap<>()).put(r[1], new Attr(r[2], r[3]));
        }
        for (String[] r : rows("ecs-8.17-facts.tsv")) {
            switch (r[0]) {
                case "field" -> ECS_FIELDS.put(r[1], r[2]);
                default -> ECS_VALUES.put(r[0] + ":" + r[1], Set.of(r[2].split(" ")));
            }
        }
    }

    private SchemaFacts() {}

    private static List<String[]> rows(String name) {
        List<String[]> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(SchemaFacts.class.getResourceAsStream(name), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    out.add(line.split("\t"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The OCSF classes the facts describe. */
    public static Set<String> ocsfClasses() {
        return OCSF.keySet();
    }

    public static List<String> ocsfProblems(JsonNode event) {
        List<String> problems = new ArrayList<>();
        String cls = event.path("class_uid").asText();
        Map<String, Attr> attrs = new HashMap<>(OCSF.get("*"));
        Map<String, Attr> own = OCSF.get(cls);
        if (own == null) {
            problems.add("class " + cls + " has no facts");
            return problems;
        }
        attrs.putAll(own);
        for (Map.Entry<String, Attr> a : attrs.entrySet()) {
            if (a.getValue().requirement().equals("required")
                    && !a.getKey().contains("[]")
                    && at(event, a.getKey()) == null) {
                problems.add("required " + a.getKey() + " is missing");
            }
        }
        walk(event, "", attrs, problems);
        if (event.path("type_uid").asLong()
                != event.path("class_uid").asLong() * 100
                        + event.path("activity_id").asLong()) {
            problems.add("type_uid is not class_uid * 100 + activity_id");
        }
        return problems;
    }

    private static JsonNode at(JsonNode n, String path) {
        for (String p : path.split("\\.")) {
            n = n == null ? null : n.get(p);
        }
        return n;
    }

    private static void walk(JsonNode n, String path, Map<String, Attr> attrs, List<String> problems) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            check(p, e.getValue(), attrs, problems);
        }
    }

    private static void check(String p, JsonNode v, Map<String, Attr> attrs, List<String> problems) {
        Attr a = attrs.get(p);
        if (a == null) {
            problems.add(p + " is not an attribute of this class");
            return;
        }
        boolean ok = switch (a.type()) {
            case "integer" -> v.isInt();
            case "long", "timestamp" -> v.isIntegralNumber();
            case "string" -> v.isTextual();
            case "ip" -> v.isTextual() && Conversion.ip(v.asText()) != null;
            case "url" -> v.isTextual() && v.asText().matches("https?://.+");
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            default -> false;
        };
        if (!ok) {
            problems.add(p + " is not of type " + a.type() + ": " + v);
        }
        if (v.isObject()) {
            walk(v, p, attrs, problems);
        } else if (v.isArray()) {
            for (JsonNode e : v) {
                check(p + "[]", e, attrs, problems);
            }
        }
    }

    public static List<String> ecsProblems(JsonNode doc) {
        List<String> problems = new ArrayList<>();
        ecsWalk(doc, "", problems);
        String kind = doc.path("event").path("kind").asText();
        if (!ECS_VALUES.get("kind:values").contains(kind)) {
            problems.add("event.kind " + kind);
        }
        JsonNode outcome = doc.path("event").get("outcome");
        if (outcome != null && !ECS_VALUES.get("outcome:values").contains(outcome.asText())) {
            problems.add("event.outcome " + outcome);
        }
        for (JsonNode c : doc.path("event").path("category")) {
            Set<String> types = ECS_VALUES.get("category:" + c.asText());
            if (types == null) {
                problems.add("event.category " + c + " is not an ECS category");
                continue;
            }
            for (JsonNode t : doc.path("event").path("type")) {
                if (!types.contains(t.asText())) {
                    problems.add("event.type " + t + " is not allowed with event.category " + c);
                }
            }
        }
        return problems;
    }

    private static void ecsWalk(JsonNode n, String path, List<String> problems) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            if (p.equals("o365")) {
                continue; // the original record and our own fields: a custom namespace, not ECS
            }
            JsonNode v = e.getValue();
            if (v.isObject()) {
                ecsWalk(v, p, problems);
                continue;
            }
            String type = ECS_FIELDS.get(p);
            if (type == null) {
                problems.add(p + " is not an ECS field we declared");
                continue;
            }
            for (JsonNode x : v.isArray() ? v : List.of(v)) {
                boolean ok = switch (type) {
                    case "keyword" -> x.isTextual();
                    case "ip" ->
                        x.isTextual()
                                && Conversion.ip(x.asText()) != null
                                && Conversion.ip(x.asText()).equals(x.asText());
                    case "date" -> x.isTextual() && parses(x.asText());
                    case "long" -> x.isIntegralNumber();
                    default -> false;
                };
                if (!ok) {
                    problems.add(p + " is not of ECS type " + type + ": " + x);
                }
            }
        }
    }

    private static boolean parses(String t) {
        try {
            java.time.Instant.parse(t);
            return true;
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }
}
