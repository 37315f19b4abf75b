package io.github.auditlake.o365;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link ArchitectureTest}'s rules, read from the sources instead of the bytecode. javac inlines constants, so a
 * package used only for a {@code static final} String or number leaves no trace in the class files that ArchUnit
 * reads: here every import and every fully qualified name counts.
 */
class SourceDependencyTest {
    static final String ROOT = "io.github.auditlake.o365";
    static final Path BASE = Path.of(System.getProperty("project.basedir", "."));
    static final Set<String> CORE = Set.of(
            "api",
            "auth",
            "client",
            "cursor",
            "engine",
            "enrich",
            "history",
            "ledger",
            "mapping",
            "metrics",
            "settings");
    static final Set<String> CONNECTOR = Set.of("(root)", "config", "records");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.github\\.auditlake\\.o365\\.([A-Za-z_][\\w]*)");

    /** Top-level package of the sources to the top-level packages they name. */
    static Map<String, Set<String>> graph(Path... roots) throws IOException {
        Map<String, Set<String>> g = new TreeMap<>();
        for (Path root : roots) {
            Path dir = root.resolve(ROOT.replace('.', '/'));
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String from = slice(dir.relativize(f.getParent()).toString().replace('/', '.'));
                    Set<String> to = g.computeIfAbsent(from, k -> new TreeSet<>());
                    String code = withoutCommentsAndStrings(Files.readString(f, StandardCharsets.UTF_8));
                    for (String line : code.split("\n")) {
                        if (line.startsWith("package ")) {
                            continue;
                        }
                        Matcher m = REFERENCE.matcher(line);
                        while (m.find()) {
                            String first = m.group(1);
                            String target = Character.isUpperCase(first.charAt(0)) ? "(root)" : first;
                            if (!target.equals(from)) {
                                to.add(target);
                            }
                        }
                    }
                }
            }
        }
        return g;
    }

    /** The code without comments, string and char literals and text blocks (their text is not a dependency). */
    static String withoutCommentsAndStrings(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (src.startsWith("//", i)) {
                while (i < n && src.charAt(i) != '\n') {
                    i++;
                }
            } else if (src.startsWith("/*", i)) {
                int end = src.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            } else if (src.startsWith("\"\"\"", i)) {
                int end = src.indexOf("\"\"\"", i + 3);
                i = end < 0 ? n : end + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < n && src.charAt(i) != c && src.charAt(i) != '\n') {
                    i += src.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    static String slice(String relativePackage) {
        return relativePackage.isEmpty() ? "(root)" : relativePackage.split("\\.")[0];
    }

    static Map<String, Set<String>> mainGraph() throws IOException {
        return graph(
                BASE.resolve("src/main/java"),
                BASE.resolve("src/cli/java"),
                BASE.resolve("src/simulator/java"),
                BASE.resolve("src/tools/java"));
    }

    @Test
    void theCoreNamesOnlyTheCoreInItsSources() throws IOException {
        List<String> wrong = new ArrayList<>();
        mainGraph().forEach((from, tos) -> {
            if (CORE.contains(from)) {
                tos.stream().filter(t -> !CORE.contains(t)).forEach(t -> wrong.add(from + " -> " + t));
            }
        });
        assertEquals(
                List.of(),
                wrong,
                "the core (api, auth, client, cursor, engine, enrich, history, ledger, mapping, metrics, settings) names only itself");
    }

    @Test
    void frontEndsAndTheSimulatorNameOnlyWhatTheirLayerMayUse() throws IOException {
        List<String> wrong = new ArrayList<>();
        mainGraph().forEach((from, tos) -> {
            for (String t : tos) {
                boolean ok = switch (from) {
                    case "cli" -> CORE.contains(t);
                    case "simulator" -> t.equals("api");
                    case "quickstart", "cluster" -> true;
                    default ->
                        CORE.contains(from) || CONNECTOR.contains(from)
                                ? CORE.contains(t) || CONNECTOR.contains(t)
                                : false;
                };
                if (!ok) {
                    wrong.add(from + " -> " + t);
                }
            }
        });
        assertEquals(List.of(), wrong);
    }

    @Test
    void theTopLevelPackagesAreFreeOfCyclesInTheSources() throws IOException {
        Map<String, Set<String>> g = mainGraph();
        List<String> cycles = new ArrayList<>();
        for (String start : g.keySet()) {
            for (String next : g.get(start)) {
                if (reaches(g, next, start, new TreeSet<>())) {
                    cycles.add(start + " -> " + next + " -> ... -> " + start);
                }
            }
        }
        assertEquals(List.of(), cycles);
    }

    /** The check itself: a package named only through a constant is seen. */
    @Test
    void seesAPackageNamedOnlyForAnInlinedConstant(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path api = tmp.resolve(ROOT.replace('.', '/')).resolve("api");
        Files.createDirectories(api);
        Files.writeString(
                api.resolve("A.java"),
                "package " + ROOT + ".api;\nimport " + ROOT + ".client.ClientSettings;\n"
                        + "class A { String s = ClientSettings.DEFAULT_USER_AGENT; }\n");
        Files.writeString(
                api.resolve("B.java"), "package " + ROOT + ".api;\nclass B { int n = " + ROOT + ".engine.X.N; }\n");
        assertEquals(Map.of("api", Set.of("client", "engine")), graph(tmp));
    }

    private static boolean reaches(Map<String, Set<String>> g, String from, String to, Set<String> seen) {
        if (from.equals(to)) {
            return true;
        }
        if (!seen.add(from)) {
            return false;
        }
        for (String n : g.getOrDefault(from, Set.of())) {
            if (reaches(g, n, to, seen)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everySourceRootWasRead() throws IOException {
        Map<String, Set<String>> g = mainGraph();
        assertTrue(g.keySet().containsAll(Set.of("api", "engine", "cli", "simulator", "quickstart", "(root)")), "" + g);
    }
}
