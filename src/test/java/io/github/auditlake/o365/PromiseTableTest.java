package io.github.auditlake.o365;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * docs/promises.md: every row of its tables names at least one test ({@code `Class#method`} in the last column),
 * and every named test exists: a class under src/test/java with that simple name, and a method of it annotated
 * (or an ArchUnit rule field annotated {@code @ArchTest})
 * {@code @Test} or {@code @ParameterizedTest}.
 */
class PromiseTableTest {
    static final Path BASE = Path.of(System.getProperty("project.basedir", "."));
    static final Path TABLE = BASE.resolve("docs/promises.md");
    static final Path TEST_SOURCES = BASE.resolve("src/test/java");
    static final Pattern REFERENCE = Pattern.compile("`([A-Z][A-Za-z0-9_]*)#([a-zA-Z_][A-Za-z0-9_]*)`");

    /** The id a row's promise cell may start with, {@code <a id="resume-inside-blob"></a>}: see PromiseMarkersTest. */
    static final Pattern ANCHOR = Pattern.compile("^<a id=\"([^\"]*)\"></a>\\s*");

    /**
     * A table row: its line number, its promise (first cell), its source (second cell) and the test references of
     * its last cell.
     */
    record Row(int line, String promise, String source, List<String[]> tests) {
        /** The row's id (its leading anchor), or null when it has none. */
        String id() {
            Matcher m = ANCHOR.matcher(promise);
            return m.find() ? m.group(1) : null;
        }

        /** The promise without its anchor. */
        String text() {
            return ANCHOR.matcher(promise).replaceFirst("");
        }
    }

    /** The data rows of every markdown table in {@code text} (header and separator rows left out). */
    static List<Row> rows(List<String> lines) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).trim();
            boolean header = i + 1 < lines.size() && lines.get(i + 1).trim().matches("\\|[-| :]+\\|");
            if (!l.startsWith("|") || header || l.matches("\\|[-| :]+\\|")) {
                continue;
            }
            String[] cells = l.substring(1, l.length() - 1).split("\\|");
            List<String[]> tests = new ArrayList<>();
            Matcher m = REFERENCE.matcher(cells[cells.length - 1]);
            while (m.find()) {
                tests.add(new String[] {m.group(1), m.group(2)});
            }
            rows.add(new Row(i + 1, cells[0].trim(), cells.length > 2 ? cells[1].trim() : "", tests));
        }
        return rows;
    }

    /** What is wrong with the rows: rows without a test, and tests that do not exist. Empty when all is well. */
    static List<String> problems(List<Row> rows) throws IOException {
        List<String> problems = new ArrayList<>();
        for (Row r : rows) {
            if (r.tests().isEmpty()) {
                problems.add("line " + r.line() + ": '" + r.text() + "' names no test");
            }
            for (String[] t : r.tests()) {
                String missing = missing(t[0], t[1]);
                if (missing != null) {
                    problems.add("line " + r.line() + ": " + t[0] + "#" + t[1] + ": " + missing);
                }
            }
        }
        return problems;
    }

    /** Why {@code cls#method} is not a test, or null when it is one. */
    static String missing(String cls, String method) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(TEST_SOURCES)) {
            files = s.filter(p -> p.getFileName().toString().equals(cls + ".java"))
                    .toList();
        }
        if (files.size() != 1) {
            return files.isEmpty() ? "no such test class" : "ambiguous class name: " + files;
        }
        String name = TEST_SOURCES
                .relativize(files.get(0))
                .toString()
                .replace(files.get(0).getFileSystem().getSeparator(), ".")
                .replaceAll("\\.java$", "");
        Class<?> c;
        try {
            c = Class.forName(name);
        } catch (ClassNotFoundException e) {
            return "class " + name + " is not on the test classpath";
        }
        boolean found = Arrays.stream(c.getDeclaredMethods())
                        .filter((Method m) -> m.getName().equals(method))
                        .anyMatch(m ->
                                m.isAnnotationPresent(Test.class) || m.isAnnotationPresent(ParameterizedTest.class))
                || Arrays.stream(c.getDeclaredFields())
                        .anyMatch(f -> f.getName().equals(method)
                                && f.isAnnotationPresent(com.tngtech.archunit.junit.ArchTest.class));
        if (!found) {
            return "no method annotated @Test or @ParameterizedTest";
        }
        boolean disabled = c.isAnnotationPresent(org.junit.jupiter.api.Disabled.class)
                || Arrays.stream(c.getDeclaredMethods())
                        .filter((Method m) -> m.getName().equals(method))
                        .anyMatch(m -> m.isAnnotationPresent(org.junit.jupiter.api.Disabled.class));
        return disabled ? "@Disabled: a test that does not run proves nothing" : null;
    }

    /** Stands in for a promise's test that someone switched off. */
    @Test
    @org.junit.jupiter.api.Disabled("used by aRowWithoutATestOrWithAMissingTestIsCaught: a disabled test is refused")
    void disabledStandIn() {}

    @Test
    void everyPromiseNamesTestsThatExist() throws IOException {
        List<Row> rows = rows(Files.readAllLines(TABLE));
        assertTrue(rows.size() > 50, "the table was read: " + rows.size() + " rows");
        assertEquals(List.of(), problems(rows), "docs/promises.md");
    }

    @Test
    void aRowWithoutATestOrWithAMissingTestIsCaught() throws IOException {
        List<Row> rows = rows(List.of(
                "| Promise | Source | Proven by |",
                "|---|---|---|",
                "| proven | README | `PromiseTableTest#everyPromiseNamesTestsThatExist` |",
                "| unproven | README | (none yet) |",
                "| no such method | README | `PromiseTableTest#noSuchMethod` |",
                "| not a test | README | `PromiseTableTest#rows` |",
                "| no such class | README | `NoSuchTest#anything` |",
                "| switched off | README | `PromiseTableTest#disabledStandIn` |"));
        assertEquals(6, rows.size());
        List<String> p = problems(rows);
        assertEquals(5, p.size(), p.toString());
        assertTrue(p.get(4).contains("disabledStandIn: @Disabled"), p.get(4));
        assertTrue(p.get(0).contains("'unproven' names no test"), p.get(0));
        assertTrue(p.get(1).contains("noSuchMethod: no method annotated"), p.get(1));
        assertTrue(p.get(2).contains("rows: no method annotated"), p.get(2));
        assertTrue(p.get(3).contains("NoSuchTest#anything: no such test class"), p.get(3));
    }

    @Test
    void theReadmeLinksTheTable() throws IOException {
        assertTrue(
                Files.readString(BASE.resolve("README.md")).contains("(docs/promises.md)"),
                "README.md links docs/promises.md");
    }
}
