package io.github.auditlake.o365.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No settings key is spelled in more than one place in the shipped sources (src/main and src/cli): a second spelling
 * is a second owner, and drifts.
 */
class KeySpellingTest {
    private static final Path BASE = Path.of(System.getProperty("project.basedir", "."));
    /** A Java string literal on one line. */
    private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"");
    /** A literal that is a whole key of ours (not prose that mentions one). */
    private static final Pattern KEY = Pattern.compile("o365\\.[a-z0-9.]+");

    /** Each key-like literal to the files spelling it, once per occurrence. */
    static Map<String, List<String>> spellings(Path... roots) throws IOException {
        Map<String, List<String>> out = new TreeMap<>();
        for (Path root : roots) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = LITERAL.matcher(Files.readString(f, StandardCharsets.UTF_8));
                    while (m.find()) {
                        String text = m.group(1);
                        if (KEY.matcher(text).matches() || isCatalogueKey(text)) {
                            out.computeIfAbsent(text, k -> new ArrayList<>())
                                    .add(root.relativize(f).toString());
                        }
                    }
                }
            }
        }
        return out;
    }

    private static boolean isCatalogueKey(String text) {
        return Catalogue.byKey(text).isPresent();
    }

    @Test
    void noKeyIsSpelledTwiceInTheShippedSources() throws IOException {
        Map<String, List<String>> s = spellings(BASE.resolve("src/main/java"), BASE.resolve("src/cli/java"));
        Map<String, List<String>> twice = new TreeMap<>();
        s.forEach((k, files) -> {
            if (files.size() > 1) {
                twice.put(k, files);
            }
        });
        assertEquals(Map.of(), twice, "spell each key once (the catalogue, or a core constant it uses)");
    }

    @Test
    void everyCatalogueKeyIsSpelledExactlyOnce() throws IOException {
        Map<String, List<String>> s = spellings(BASE.resolve("src/main/java"), BASE.resolve("src/cli/java"));
        for (Setting<?> setting : Catalogue.ALL) {
            assertEquals(
                    1, s.getOrDefault(setting.key(), List.of()).size(), setting.key() + ": " + s.get(setting.key()));
        }
    }

    @Test
    void theCheckSeesASecondSpelling(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("A.java"), "class A { String k = \"o365.poll.interval.ms\"; }\n");
        Files.writeString(
                tmp.resolve("B.java"),
                "class B { String k = \"o365.poll.interval.ms\"; String doc = \"see o365.poll.interval.ms\"; }\n");
        Map<String, List<String>> s = spellings(tmp);
        assertEquals(
                List.of("A.java", "B.java"),
                s.get("o365.poll.interval.ms").stream().sorted().toList());
        assertTrue(s.keySet().stream().noneMatch(k -> k.startsWith("see ")), "prose that mentions a key is not a key");
    }
}
