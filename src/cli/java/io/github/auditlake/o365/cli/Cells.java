package io.github.auditlake.o365.cli;

/**
 * How a value from the service becomes a cell of a CSV file or of a tab-separated table. Values such as
 * {@code UserId} and {@code ObjectId} can be typed by outsiders (a name entered at a failed sign-in), so by default:
 *
 * <ul>
 *   <li>a cell starting with {@code =}, {@code +}, {@code -}, {@code @}, tab or carriage return is prefixed with a
 *       single quote, the OWASP rule against CSV (formula) injection, so a spreadsheet shows it as text instead of
 *       running it. A negative number such as {@code -5} is prefixed too ({@code '-5}).
 *   <li>in tables (meant for a terminal), tabs and line breaks become spaces, as they always did, and every other
 *       control character (C0, DEL, C1) and every Unicode bidirectional formatting character (U+061C, U+200E, U+200F,
 *       U+202A-U+202E, U+2066-U+2069), plus the line and paragraph separators U+2028 and U+2029, is written in the
 *       visible form {@code \\u001b}: a hostile value cannot move the cursor, recolour the terminal, or reorder
 *       and hide text.
 * </ul>
 *
 * With {@code raw} the value is kept as served: no quote, no escapes (tabs and line breaks in a table still become
 * spaces, and CSV still quotes as RFC 4180 says, so the rows stay intact).
 */
final class Cells {
    /** The first characters the OWASP CSV-injection rule neutralises. */
    static final String FORMULA_STARTS = "=+-@\t\r";

    private Cells() {}

    /** {@code v} with a leading single quote when it starts like a formula; else {@code v}. */
    static String neutralise(String v) {
        return !v.isEmpty() && FORMULA_STARTS.indexOf(v.charAt(0)) >= 0 ? "'" + v : v;
    }

    /** A cell of a tab-separated table. */
    static String table(String v, boolean raw) {
        if (v == null) {
            return "";
        }
        String s = raw ? v : neutralise(v);
        s = s.replace('\t', ' ').replace('\r', ' ').replace('\n', ' ');
        return raw ? s : escapeControls(s);
    }

    /** A CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break. */
    static String csv(String v, boolean raw) {
        String s = v == null ? "" : raw ? v : neutralise(v);
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** {@code s} with every character of {@link #escaped(int)} written as {@code \\uXXXX}. */
    static String escapeControls(String s) {
        int i = 0;
        while (i < s.length() && !escaped(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (escaped(c)) {
                b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** True for the characters a terminal would act on rather than show. */
    static boolean escaped(int c) {
        return c < 0x20 // C0, ESC included
                || (c >= 0x7f && c <= 0x9f) // DEL and C1 (CSI is U+009B)
                || c == 0x061c // Arabic letter mark
                || c == 0x200e
                || c == 0x200f // left-to-right and right-to-left marks
                || (c >= 0x2028 && c <= 0x202e) // line and paragraph separators; bidi embeddings and overrides
                || (c >= 0x2066 && c <= 0x2069); // bidi isolates
    }
}
