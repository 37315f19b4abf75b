package io.github.auditlake.o365;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Ties README.md's promises to docs/promises.md, both ways.
 *
 * <p>In README.md a sentence (or bullet) that promises behaviour carries an invisible marker right after it,
 * {@code <!-- promise:resume-inside-blob -->} (a sentence making several promises lists their ids, separated by
 * spaces, in one marker); a sentence that only explains, though it uses a promise word, carries
 * {@code <!-- not-a-promise -->}. In docs/promises.md the row of that promise starts its first cell with
 * {@code <a id="resume-inside-blob"></a>}, or, when no test proves it, a bullet under "Not proven by a test" starts
 * with that anchor. Fails when a marker has no row or bullet; when a row whose Source names README has no id; when
 * an id is used by no marker or twice in the page; when a row with a marker's id does not name README as its
 * source; when a README sentence holding a promise word ({@link #PROMISE_WORDS}) carries no marker; and when
 * {@code <!-- not-a-promise -->} marks a sentence without a promise word, or one also marked as a promise.
 */
class PromiseMarkersTest {
    static final Pattern MARKER = Pattern.compile("<!-- promise:([^>]*?) -->");
    static final String NOT_A_PROMISE = "<!-- not-a-promise -->";
    static final Pattern ID = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    static final Pattern UNPROVEN = Pattern.compile("^- <a id=\"([^\"]*)\"></a>");
    static final String UNPROVEN_HEADING = "## Not proven by a test";

    /**
     * Words that make a sentence a likely promise to a user. A README sentence holding one carries a promise marker
     * or {@code <!-- not-a-promise -->}. Matched case-insensitively outside code spans, links' targets and comments.
     */
    static final Pattern PROMISE_WORDS = Pattern.compile(
            "\\b(never|always|guarantee[sd]?|exactly[ -]once|at most|(lose|loses|lost|losing) nothing"
                    + "|nothing (is )?(lost|left|repeated)|no silent loss|cannot"
                    + "|every (record|blob|call|request|page|tenant|stream|other stream))\\b",
            Pattern.CASE_INSENSITIVE);

    /** A README promise marker: its line and id. */
    record Marker(int line, String id) {}

    /** A sentence of README.md outside code and the generated table: the line it starts on and its text. */
    record Sentence(int line, String text) {}

    /** Every promise marker of the README, outside fenced code. */
    static List<Marker> markers(List<String> readme) {
        List<Marker> markers = new ArrayList<>();
        boolean fenced = false;
        for (int i = 0; i < readme.size(); i++) {
            if (readme.get(i).trim().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            Matcher m = MARKER.matcher(mask(readme.get(i), false));
            while (!fenced && m.find()) {
                for (String id : m.group(1).trim().split(" +")) {
                    markers.add(new Marker(i + 1, id));
                }
            }
        }
        return markers;
    }

    /** The ids of docs/promises.md, each with the lines that define it: table rows and "Not proven" bullets. */
    static Map<String, List<Integer>> ids(List<String> promises) {
        Map<String, List<Integer>> ids = new LinkedHashMap<>();
        for (PromiseTableTest.Row r : PromiseTableTest.rows(promises)) {
            if (r.id() != null) {
                ids.computeIfAbsent(r.id(), k -> new ArrayList<>()).add(r.line());
            }
        }
        boolean unproven = false;
        for (int i = 0; i < promises.size(); i++) {
            String l = promises.get(i);
            if (l.startsWith("## ")) {
                unproven = l.trim().equals(UNPROVEN_HEADING);
            }
            Matcher m = UNPROVEN.matcher(l);
            if (unproven && m.find()) {
                ids.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(i + 1);
            }
        }
        return ids;
    }

    /** What is wrong between the README's markers and the page's ids. Empty when all is well. */
    static List<String> problems(List<String> readme, List<String> promises) {
        List<String> problems = new ArrayList<>();
        List<Marker> markers = markers(readme);
        Map<String, List<Integer>> ids = ids(promises);
        Map<String, List<Integer>> used = new TreeMap<>();
        for (Marker m : markers) {
            used.computeIfAbsent(m.id(), k -> new ArrayList<>()).add(m.line());
            if (!ID.matcher(m.id()).matches()) {
                problems.add("README line " + m.line() + ": promise:" + m.id() + " is not a kebab-case id");
            }
            if (!ids.containsKey(m.id())) {
                problems.add("README line " + m.line() + ": promise:" + m.id()
                        + " has no row and no 'Not proven by a test' entry in docs/promises.md");
            }
        }
        for (PromiseTableTest.Row r : PromiseTableTest.rows(promises)) {
            boolean readmeSource = r.source().contains("README");
            if (readmeSource && r.id() == null) {
                problems.add("line " + r.line() + ": '" + r.text() + "' names README but has no id");
            }
            if (r.id() != null && used.containsKey(r.id()) && !readmeSource) {
                problems.add(
                        "line " + r.line() + ": id " + r.id() + " is a README promise but Source does not name README");
            }
        }
        ids.forEach((id, lines) -> {
            if (!ID.matcher(id).matches()) {
                problems.add("line " + lines.get(0) + ": id '" + id + "' is not a kebab-case id");
            }
            if (lines.size() > 1) {
                problems.add("lines " + lines + ": id " + id + " is used " + lines.size() + " times");
            }
            if (!used.containsKey(id)) {
                problems.add("line " + lines.get(0) + ": id " + id + " is used by no README marker");
            }
        });
        return problems;
    }

    /**
     * The README's sentences outside fenced code and the generated configuration table. A paragraph, a list item
     * and a table row are each split at sentence ends ({@code .}, {@code !} or {@code ?} before a space); markers
     * right after a sentence end belong to that sentence.
     */
    static List<Sentence> sentences(List<String> readme) {
        List<Sentence> sentences = new ArrayList<>();
        StringBuilder block = new StringBuilder();
        List<int[]> starts = new ArrayList<>(); // {offset in block, line}
        boolean fenced = false;
        boolean generated = false;
        for (int i = 0; i <= readme.size(); i++) {
            String l = i < readme.size() ? readme.get(i) : "";
            String t = l.trim();
            boolean boundary = t.isEmpty()
                    || t.startsWith("#")
                    || t.startsWith("|")
                    || t.startsWith("```")
                    || t.startsWith("<!-- config-table:")
                    || t.matches("([-*]|\\d+\\.) .*");
            if (boundary || fenced || generated) {
                split(block.toString(), starts, sentences);
                block.setLength(0);
                starts.clear();
            }
            if (t.startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (t.startsWith("<!-- config-table:start")) {
                generated = true;
            } else if (t.startsWith("<!-- config-table:end")) {
                generated = false;
                continue;
            }
            if (fenced || generated || t.isEmpty() || t.startsWith("#") || l.startsWith("    ") && block.isEmpty()) {
                continue;
            }
            starts.add(new int[] {block.length(), i + 1});
            block.append(t).append(' ');
            if (t.startsWith("|")) {
                split(block.toString(), starts, sentences);
                block.setLength(0);
                starts.clear();
            }
        }
        return sentences;
    }

    static final Pattern SENTENCE_END =
            Pattern.compile("(?<!\\be\\.g|\\bi\\.e|\\betc)[.!?](\\s*<!--[^>]*-->)*(?=\\s|$)");

    private static void split(String block, List<int[]> starts, List<Sentence> into) {
        Matcher m = SENTENCE_END.matcher(mask(block, false));
        int from = 0;
        while (from < block.length()) {
            int to = m.find() ? m.end() : block.length();
            String raw = block.substring(from, to);
            int start = from + raw.length() - raw.stripLeading().length();
            int line = 0;
            for (int[] s : starts) {
                line = s[0] <= start ? s[1] : line;
            }
            if (!raw.isBlank()) {
                into.add(new Sentence(line, raw.trim()));
            }
            from = to;
        }
    }

    /**
     * The text with code spans, links' targets and (with {@code comments}) HTML comments blanked, keeping its length,
     * so their words count neither as promise words nor as sentence ends.
     */
    static String mask(String text, boolean comments) {
        StringBuilder b = new StringBuilder(text);
        List<Pattern> masked = new ArrayList<>(List.of(Pattern.compile("`[^`]*`"), Pattern.compile("\\]\\([^)]*\\)")));
        if (comments) {
            masked.add(Pattern.compile("<!--.*?-->"));
        }
        for (Pattern p : masked) {
            Matcher m = p.matcher(text);
            while (m.find()) {
                for (int k = m.start() + 1; k < m.end() - 1; k++) {
                    b.setCharAt(k, 'x');
                }
            }
        }
        return b.toString();
    }

    /**
     * README sentences holding a promise word and carrying neither a promise marker nor a not-a-promise marker; and
     * stale or contradictory markers: {@code <!-- not-a-promise -->} on a sentence without a promise word, or together
     * with a promise marker.
     */
    static List<String> unmarked(List<String> readme) {
        List<String> problems = new ArrayList<>();
        for (Sentence s : sentences(readme)) {
            Matcher word = PROMISE_WORDS.matcher(mask(s.text(), true));
            boolean promise = MARKER.matcher(mask(s.text(), false)).find();
            boolean explains = s.text().contains(NOT_A_PROMISE);
            String where = "README line " + s.line() + ": ";
            if (!word.find()) {
                if (explains) {
                    problems.add(where + "<!-- not-a-promise --> on \"" + s.text() + "\", which holds no promise word");
                }
            } else if (!promise && !explains) {
                problems.add(
                        where + "'" + word.group() + "' in \"" + s.text()
                                + "\": mark it <!-- promise:ID --> (with its row in docs/promises.md) or <!-- not-a-promise -->");
            }
            if (promise && explains) {
                problems.add(where + "\"" + s.text() + "\" is marked both a promise and not a promise");
            }
        }
        return problems;
    }

    @Test
    void everyReadmePromiseHasItsRowAndEveryReadmeRowItsMarker() throws IOException {
        List<String> readme = Files.readAllLines(PromiseTableTest.BASE.resolve("README.md"));
        assertTrue(
                markers(readme).size() > 50,
                "the README's markers were read: " + markers(readme).size());
        assertEquals(
                List.of(),
                problems(readme, Files.readAllLines(PromiseTableTest.TABLE)),
                "README.md and docs/promises.md");
    }

    @Test
    void everyReadmeSentenceWithAPromiseWordIsMarked() throws IOException {
        List<String> readme = Files.readAllLines(PromiseTableTest.BASE.resolve("README.md"));
        assertTrue(
                sentences(readme).size() > 150,
                "the README's sentences were read: " + sentences(readme).size());
        assertEquals(List.of(), unmarked(readme), "README.md");
    }

    @Test
    void markersAndIdsThatDoNotMatchAreCaught() {
        List<String> readme = List.of(
                "# Title",
                "",
                "Resumes inside a blob, once. <!-- promise:resume unproven --> Shown as `<!-- promise:in-a-code-span -->`.",
                "- Skips nothing. <!-- promise:no-row -->",
                "",
                "```",
                "not a marker, in code: <!-- promise:in-code -->",
                "```",
                "Delivered once. <!-- promise:unproven -->");
        List<String> promises = List.of(
                "| Promise | Source | Proven by |",
                "|---|---|---|",
                "| <a id=\"resume\"></a> Resumes | README | `PromiseMarkersTest#markersAndIdsThatDoNotMatchAreCaught` |",
                "| Without an id | README, design | `PromiseMarkersTest#markersAndIdsThatDoNotMatchAreCaught` |",
                "| <a id=\"unused\"></a> Unused id | design | `PromiseMarkersTest#markersAndIdsThatDoNotMatchAreCaught` |",
                "| <a id=\"twice\"></a> Twice | design | `PromiseMarkersTest#markersAndIdsThatDoNotMatchAreCaught` |",
                "| <a id=\"twice\"></a> Twice | design | `PromiseMarkersTest#markersAndIdsThatDoNotMatchAreCaught` |",
                "",
                "## Not proven by a test",
                "",
                "- <a id=\"unproven\"></a> Delivered once.");
        assertEquals(
                List.of(
                        new Marker(3, "resume"),
                        new Marker(3, "unproven"),
                        new Marker(4, "no-row"),
                        new Marker(9, "unproven")),
                markers(readme));
        List<String> p = problems(readme, promises);
        assertEquals(
                List.of(
                        "README line 4: promise:no-row has no row and no 'Not proven by a test' entry in docs/promises.md",
                        "line 4: 'Without an id' names README but has no id",
                        "line 5: id unused is used by no README marker",
                        "lines [6, 7]: id twice is used 2 times",
                        "line 6: id twice is used by no README marker"),
                p);
    }

    @Test
    void aMarkedRowMustNameReadmeAndIdsAreKebabCase() {
        List<String> readme = List.of("Promised. <!-- promise:from-readme --> Also. <!-- promise:Bad_Id -->");
        List<String> promises = List.of(
                "| Promise | Source | Proven by |",
                "|---|---|---|",
                "| <a id=\"from-readme\"></a> Promised | design | `PromiseMarkersTest#aMarkedRowMustNameReadmeAndIdsAreKebabCase` |",
                "| <a id=\"Bad_Id\"></a> Also | README | `PromiseMarkersTest#aMarkedRowMustNameReadmeAndIdsAreKebabCase` |");
        assertEquals(
                List.of(
                        "README line 1: promise:Bad_Id is not a kebab-case id",
                        "line 3: id from-readme is a README promise but Source does not name README",
                        "line 4: id 'Bad_Id' is not a kebab-case id"),
                problems(readme, promises));
    }

    @Test
    void anUnmarkedPromiseWordAndAStaleNotAPromiseMarkerAreCaughtOutsideCodeAndTheGeneratedTable() {
        List<String> readme = List.of(
                "# Never in a heading",
                "",
                "Nothing is lost after a crash. It never stops. <!-- promise:never-stops --> It always",
                "explains. <!-- not-a-promise --> Plain text, `never` in code, [a link](never.md).",
                "- A bullet that is never marked",
                "  on two lines",
                "- A marked bullet, always <!-- promise:marked-bullet -->",
                "| a table cell that guarantees nothing |",
                "",
                "```",
                "never in a code block",
                "```",
                "<!-- config-table:start (generated) -->",
                "| never in the generated table |",
                "<!-- config-table:end -->",
                "e.g. a sentence that never ends at its abbreviation.",
                "",
                "A plain sentence. <!-- not-a-promise --> It never lies. <!-- promise:x --> <!-- not-a-promise -->");
        List<String> u = unmarked(readme);
        assertEquals(6, u.size(), String.join("\n", u));
        assertTrue(
                u.get(0).startsWith("README line 3: 'Nothing is lost' in \"Nothing is lost after a crash.\""),
                u.get(0));
        assertTrue(
                u.get(1).startsWith("README line 5: 'never' in \"- A bullet that is never marked on two lines\""),
                u.get(1));
        assertTrue(u.get(2).startsWith("README line 8: 'guarantees'"), u.get(2));
        assertTrue(u.get(3).startsWith("README line 16: 'never'"), u.get(3));
        assertTrue(u.get(4).startsWith("README line 18: <!-- not-a-promise --> on \"A plain sentence."), u.get(4));
        assertTrue(u.get(5).endsWith("is marked both a promise and not a promise"), u.get(5));
    }
}
