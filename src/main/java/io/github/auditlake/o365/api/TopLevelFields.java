package io.github.auditlake.o365.api;

import java.nio.charset.StandardCharsets;

/**
 * The fast path of {@link JsonAuditRecordStream}: reads one array element's bytes in a single strict pass and, when
 * the element is a plain JSON object, returns it as an {@link AuditRecord} with its top-level {@code Id},
 * {@code CreationTime}, {@code Workload}, {@code RecordType} and {@code Operation}. No tokens, names or symbol tables
 * are built: every byte is checked against the JSON grammar (RFC 8259: strings with their escapes and well-formed
 * UTF-8, numbers, literals, nesting, whitespace) and only the five values are decoded.
 *
 * <p>It answers {@code null} for anything it does not take on its own, and the caller then reads the element with
 * Jackson, exactly as before: an element that is not an object, a syntax error (so the error and its message are
 * Jackson's), a field name or one of the five values with an escape or outside ASCII names, nesting deeper than
 * {@link #MAX_DEPTH}, a number longer than {@link #MAX_NUMBER_LENGTH}, and any UTF-8 sequence that is not
 * well-formed. Whatever it accepts, Jackson accepts with the same five values, so the two paths differ only in cost.
 * Stateless and thread-safe.
 */
final class TopLevelFields {
    /** Deeper nesting is left to Jackson (whose limit is far higher): keeps this reader's recursion small. */
    static final int MAX_DEPTH = 256;

    /** Longer numbers are left to Jackson (its limit is higher). */
    static final int MAX_NUMBER_LENGTH = 1000;

    /** {@link Reader#object()}: not taken here (Jackson reads the element). */
    static final int FALLBACK = -1;

    /** {@link Reader#object()}: the object goes on past the bytes available; more may complete it. */
    static final int NEED_MORE = -2;

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long SPACES = 0x2020202020202020L;
    private static final long QUOTES = 0x2222222222222222L;
    private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;

    private TopLevelFields() {}

    /** The element (exactly these bytes) as a record, or null: then Jackson reads it (see the class comment). */
    static AuditRecord read(byte[] b) {
        Reader r = new Reader(b, 0, b.length, null);
        int end = r.object();
        return end >= 0 && r.ws(end) == b.length ? r.record(b) : null;
    }

    /**
     * The few values that recur from record to record (a blob's Workload, its Operations), each as one String
     * instance: the record mapper's header lookups by them then find their hash computed and the same key. A small
     * direct-mapped table of short values, so it never holds more than {@value #SLOTS} values of up to
     * {@value #MAX_LENGTH} bytes, whatever the records hold. Not thread-safe: one per scanner.
     */
    static final class Recurring {
        static final int SLOTS = 64;
        static final int MAX_LENGTH = 64;
        private final byte[][] bytes = new byte[SLOTS][];
        private final String[] strings = new String[SLOTS];

        /** The UTF-8 text {@code b[from, from + length)}, the same instance as the last time it was seen here. */
        String string(byte[] b, int from, int length) {
            if (length > MAX_LENGTH) {
                return new String(b, from, length, StandardCharsets.UTF_8);
            }
            int h = length;
            for (int k = from; k < from + length; k++) {
                h = 31 * h + b[k];
            }
            int slot = (h ^ (h >>> 7) ^ (h >>> 16)) & (SLOTS - 1);
            byte[] seen = bytes[slot];
            if (seen != null && java.util.Arrays.equals(seen, 0, seen.length, b, from, from + length)) {
                return strings[slot];
            }
            String s = new String(b, from, length, StandardCharsets.UTF_8);
            bytes[slot] = java.util.Arrays.copyOfRange(b, from, from + length);
            strings[slot] = s;
            return s;
        }
    }

    /**
     * One pass over the object that starts at {@code b[from]}, reading no further than {@code limit}; then the five
     * values it found.
     */
    static final class Reader {
        private final byte[] b;
        private final int from;
        private final int n;
        private final Recurring recurring;
        private String id;
        private String creationTime;
        private String workload;
        private String operation;
        private Integer recordType;

        /** @param recurring gives the Workload and Operation values, or null: new strings */
        Reader(byte[] b, int from, int limit, Recurring recurring) {
            this.b = b;
            this.from = from;
            this.n = limit;
            this.recurring = recurring;
        }

        /** The record of the object {@link #object()} read; {@code bytes} are its exact bytes. */
        AuditRecord record(byte[] bytes) {
            return AuditRecord.fromUtf8(bytes, id, creationTime, workload, recordType, operation);
        }

        /**
         * Reads the object: the index after its closing brace, {@link #NEED_MORE} when the bytes up to the limit end
         * inside it, or {@link #FALLBACK}.
         */
        int object() {
            int i = from;
            if (i >= n) {
                return NEED_MORE;
            }
            if (b[i] != '{') {
                return FALLBACK;
            }
            i = ws(i + 1);
            if (i < n && b[i] == '}') {
                return i + 1;
            }
            while (true) {
                if (i >= n) {
                    return NEED_MORE;
                }
                if (b[i] != '"') {
                    return FALLBACK;
                }
                int nameStart = i + 1;
                int nameEnd = plainName(nameStart);
                if (nameEnd < 0) {
                    return nameEnd;
                }
                i = ws(nameEnd + 1);
                if (i >= n) {
                    return NEED_MORE;
                }
                if (b[i] != ':') {
                    return FALLBACK;
                }
                i = field(nameStart, nameEnd, ws(i + 1));
                if (i < 0) {
                    return i;
                }
                i = ws(i);
                if (i >= n) {
                    return NEED_MORE;
                }
                if (b[i] == '}') {
                    return i + 1;
                }
                if (b[i] != ',') {
                    return FALLBACK;
                }
                i = ws(i + 1);
            }
        }

        /** Reads the value at {@code i} of the field named {@code b[from, to)}; its end, or FALLBACK. */
        private int field(int from, int to, int i) {
            int which = which(from, to);
            if (which == 0 || i >= n) {
                return value(i, 0);
            }
            byte c = b[i];
            if (c == '{' || c == '[') {
                return value(i, 0); // as Jackson's reader: a nested value leaves the field as it was
            }
            int end = value(i, 0);
            if (end < 0) {
                return end;
            }
            if (which == RECORD_TYPE) {
                if (c == '"') {
                    if (hasEscape(i + 1, end - 1)) {
                        return FALLBACK;
                    }
                    recordType = parseInt(new String(b, i + 1, end - i - 2, StandardCharsets.UTF_8).trim());
                } else if (c == '-' || (c >= '0' && c <= '9')) {
                    recordType = intLiteral(i, end);
                } else {
                    recordType = null;
                }
                return end;
            }
            String text;
            if (c == '"') {
                if (hasEscape(i + 1, end - 1)) {
                    return FALLBACK; // Jackson decodes the escapes
                }
                text = recurring != null && (which == WORKLOAD || which == OPERATION)
                        ? recurring.string(b, i + 1, end - i - 2)
                        : new String(b, i + 1, end - i - 2, StandardCharsets.UTF_8);
            } else if (c == 'n') {
                text = null;
            } else {
                text = new String(b, i, end - i, StandardCharsets.ISO_8859_1); // a number or a literal, ASCII
            }
            switch (which) {
                case ID -> id = text;
                case CREATION_TIME -> creationTime = text;
                case WORKLOAD -> workload = text;
                default -> operation = text;
            }
            return end;
        }

        private static final int ID = 1;
        private static final int CREATION_TIME = 2;
        private static final int WORKLOAD = 3;
        private static final int RECORD_TYPE = 4;
        private static final int OPERATION = 5;

        /** Which of the five fields the name {@code b[from, to)} is (0: none). */
        private int which(int from, int to) {
            return switch (to - from) {
                case 2 -> is(from, "Id") ? ID : 0;
                case 8 -> is(from, "Workload") ? WORKLOAD : 0;
                case 9 -> is(from, "Operation") ? OPERATION : 0;
                case 10 -> is(from, "RecordType") ? RECORD_TYPE : 0;
                case 12 -> is(from, "CreationTime") ? CREATION_TIME : 0;
                default -> 0;
            };
        }

        private boolean is(int from, String name) {
            for (int k = 0; k < name.length(); k++) {
                if (b[from + k] != name.charAt(k)) {
                    return false;
                }
            }
            return true;
        }

        /** The closing quote of a name of printable ASCII without escapes starting at {@code i}, or FALLBACK. */
        private int plainName(int i) {
            while (i < n) {
                byte c = b[i];
                if (c == '"') {
                    return i;
                }
                if (c < 0x20 || c == '\\') {
                    return FALLBACK; // control, non-ASCII (negative) or an escape: Jackson decides
                }
                i++;
            }
            return NEED_MORE;
        }

        private boolean hasEscape(int from, int to) {
            for (int k = from; k < to; k++) {
                if (b[k] == '\\') {
                    return true;
                }
            }
            return false;
        }

        /** Skips the value starting at {@code i}: its end, or FALLBACK. */
        private int value(int i, int depth) {
            if (i >= n) {
                return NEED_MORE;
            }
            byte c = b[i];
            switch (c) {
                case '"':
                    return string(i + 1);
                case '{':
                    return depth >= MAX_DEPTH ? FALLBACK : object(i + 1, depth + 1);
                case '[':
                    return depth >= MAX_DEPTH ? FALLBACK : array(i + 1, depth + 1);
                case 't':
                    return literal(i, "true");
                case 'f':
                    return literal(i, "false");
                case 'n':
                    return literal(i, "null");
                default:
                    return c == '-' || (c >= '0' && c <= '9') ? number(i) : FALLBACK;
            }
        }

        private int object(int i, int depth) {
            i = ws(i);
            if (i < n && b[i] == '}') {
                return i + 1;
            }
            while (true) {
                if (i >= n) {
                    return NEED_MORE;
                }
                if (b[i] != '"') {
                    return FALLBACK;
                }
                i = string(i + 1);
                if (i < 0) {
                    return i;
                }
                i = ws(i);
                if (i >= n) {
                    return NEED_MORE;
                }
                if (b[i] != ':') {
                    return FALLBACK;
                }
                i = value(ws(i + 1), depth);
                if (i < 0) {
                    return i;
                }
                i = ws(i);
                if (i >= n) {
                    return NEED_MORE;
                }
                if (b[i] == '}') {
                    return i + 1;
                }
                if (b[i] != ',') {
                    return FALLBACK;
                }
                i = ws(i + 1);
            }
        }

        private int array(int i, int depth) {
            i = ws(i);
            if (i < n && b[i] == ']') {
                return i + 1;
            }
            while (true) {
                i = value(i, depth);
                if (i < 0) {
                    return i;
                }
                i = ws(i);
                if (i >= n) {
                    return NEED_MORE;
                }
                if (b[i] == ']') {
                    return i + 1;
                }
                if (b[i] != ',') {
                    return FALLBACK;
                }
                i = ws(i + 1);
            }
        }

        /** Skips a string's content from {@code i} (after its opening quote): the index after its closing quote. */
        private int string(int i) {
            while (true) {
                i = plain(i);
                if (i >= n) {
                    return NEED_MORE;
                }
                byte c = b[i];
                if (c == '"') {
                    return i + 1;
                }
                if (c == '\\') {
                    i = escape(i + 1);
                } else if (c < 0) {
                    i = utf8(i);
                } else {
                    return FALLBACK; // an unescaped control character
                }
                if (i < 0) {
                    return i;
                }
            }
        }

        /**
         * The first index from {@code i} (or the limit) whose byte ends a string's plain run: a quote, a backslash, a
         * control character or a non-ASCII byte. Eight bytes at a time: most of a record is such runs.
         */
        private int plain(int i) {
            while (i + 8 <= n) {
                long w = (long) LONGS.get(b, i);
                long quote = w ^ QUOTES;
                long backslash = w ^ BACKSLASHES;
                // a byte is flagged when it is zero in quote or backslash, below 0x20, or has its high bit set;
                // borrows only flag bytes above a flagged one, so the lowest flag is the first such byte
                long flags = ((quote - ONES) & ~quote | (backslash - ONES) & ~backslash | (w - SPACES) | w) & HIGHS;
                if (flags != 0) {
                    return i + (Long.numberOfTrailingZeros(flags) >>> 3);
                }
                i += 8;
            }
            while (i < n) {
                byte c = b[i];
                if (c < 0x20 || c == '"' || c == '\\') {
                    return i; // (non-ASCII bytes are negative)
                }
                i++;
            }
            return i;
        }

        /** The index after the escape whose letter is at {@code i}, or FALLBACK. */
        private int escape(int i) {
            if (i >= n) {
                return NEED_MORE;
            }
            switch (b[i]) {
                case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
                    return i + 1;
                case 'u':
                    if (i + 4 >= n) {
                        return NEED_MORE;
                    }
                    for (int k = 1; k <= 4; k++) {
                        if (Character.digit(b[i + k], 16) < 0) {
                            return FALLBACK;
                        }
                    }
                    return i + 5;
                default:
                    return FALLBACK;
            }
        }

        /** The index after the well-formed UTF-8 sequence starting at {@code i} (Unicode 3.9, table 3-7), or FALLBACK. */
        private int utf8(int i) {
            int lead = b[i] & 0xff;
            int len;
            int lo = 0x80;
            int hi = 0xbf;
            if (lead >= 0xc2 && lead <= 0xdf) {
                len = 2;
            } else if (lead >= 0xe0 && lead <= 0xef) {
                len = 3;
                if (lead == 0xe0) {
                    lo = 0xa0; // no overlong form
                } else if (lead == 0xed) {
                    hi = 0x9f; // no surrogate
                }
            } else if (lead >= 0xf0 && lead <= 0xf4) {
                len = 4;
                if (lead == 0xf0) {
                    lo = 0x90;
                } else if (lead == 0xf4) {
                    hi = 0x8f; // nothing above U+10FFFF
                }
            } else {
                return FALLBACK;
            }
            if (i + len > n) {
                return NEED_MORE;
            }
            int second = b[i + 1] & 0xff;
            if (second < lo || second > hi) {
                return FALLBACK;
            }
            for (int k = 2; k < len; k++) {
                int cont = b[i + k] & 0xff;
                if (cont < 0x80 || cont > 0xbf) {
                    return FALLBACK;
                }
            }
            return i + len;
        }

        private int literal(int i, String word) {
            for (int k = 1; k < word.length(); k++) {
                if (i + k >= n) {
                    return NEED_MORE;
                }
                if (b[i + k] != word.charAt(k)) {
                    return FALLBACK;
                }
            }
            int end = i + word.length();
            if (end >= n) {
                return NEED_MORE; // the next byte tells whether the word ends here
            }
            // "trueX": Jackson reads an unrecognized token
            return isNameByte(b[end]) ? FALLBACK : end;
        }

        /** A number as RFC 8259 writes it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; its end, or FALLBACK. */
        private int number(int i) {
            int start = i;
            if (b[i] == '-') {
                i++;
            }
            if (i >= n) {
                return NEED_MORE;
            }
            if (b[i] == '0') {
                i++;
            } else if (b[i] >= '1' && b[i] <= '9') {
                i = digits(i);
            } else {
                return FALLBACK;
            }
            if (i < n && b[i] == '.') {
                int d = digits(i + 1);
                if (d == i + 1) {
                    return d >= n ? NEED_MORE : FALLBACK;
                }
                i = d;
            }
            if (i < n && (b[i] == 'e' || b[i] == 'E')) {
                i++;
                if (i < n && (b[i] == '+' || b[i] == '-')) {
                    i++;
                }
                int d = digits(i);
                if (d == i) {
                    return d >= n ? NEED_MORE : FALLBACK;
                }
                i = d;
            }
            if (i - start > MAX_NUMBER_LENGTH) {
                return FALLBACK;
            }
            if (i >= n) {
                return NEED_MORE; // the number may go on
            }
            if (isNameByte(b[i]) || b[i] == '.') {
                return FALLBACK; // "01", "1x", "1.2.3": Jackson reports them
            }
            return i;
        }

        private int digits(int i) {
            while (i < n && b[i] >= '0' && b[i] <= '9') {
                i++;
            }
            return i;
        }

        /** A RecordType written as an integer: its value when it fits an int (as Jackson's INT type), else null. */
        private Integer intLiteral(int from, int to) {
            for (int k = from; k < to; k++) {
                byte c = b[k];
                if (c == '.' || c == 'e' || c == 'E') {
                    return null; // a float is not a RecordType
                }
            }
            int digits = to - from - (b[from] == '-' ? 1 : 0);
            if (digits > 10) {
                return null;
            }
            long v = Long.parseLong(new String(b, from, to - from, StandardCharsets.ISO_8859_1));
            return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? Integer.valueOf((int) v) : null;
        }

        private static Integer parseInt(String s) {
            try {
                return Integer.valueOf(s);
            } catch (NumberFormatException e) {
                return null;
            }
        }

        private static boolean isNameByte(byte c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c < 0;
        }

        /** The first index from {@code i} that is not JSON whitespace. */
        int ws(int i) {
            while (i < n) {
                byte c = b[i];
                if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                    return i;
                }
                i++;
            }
            return i;
        }
    }
}
