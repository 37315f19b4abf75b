package io.github.auditlake.o365.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a JSON array read from a stream into its elements' exact bytes. An element that is a plain object within
 * the read buffer is read in the same pass by {@link TopLevelFields} (its five fields with it); any other is cut
 * without parsing it by a byte-level scanner that only tracks strings (with their escapes) and bracket depth. An element of at most {@code maxElementBytes}
 * bytes is handed out whole; a larger one is not held: once it passes the limit, its bytes are counted and dropped,
 * so memory stays at {@code maxElementBytes} plus one read buffer whatever the body holds. The elements themselves
 * are checked by the caller's parser; this class checks the array around them (the opening and closing brackets,
 * the commas, nothing after the array but whitespace). Not thread-safe.
 */
final class JsonArrayScanner {
    /**
     * One element of the array; {@code record} is the element already read as an audit record by
     * {@link TopLevelFields} (a plain object), else null.
     */
    record Element(byte[] bytes, long size, byte[] head, AuditRecord record) {
        /** The element's exact bytes, or null when it is larger than the limit. */
        @Override
        public byte[] bytes() {
            return bytes;
        }

        boolean tooLarge() {
            return bytes == null;
        }
    }

    private static final int READ_BUFFER = 64 * 1024;
    private static final int INITIAL_ELEMENT_BUFFER = 16 * 1024;

    private enum State {
        BEFORE_ARRAY,
        FIRST_ELEMENT,
        NEXT_ELEMENT,
        AFTER_ELEMENT,
        AFTER_ARRAY,
        DONE
    }

    private final InputStream in;
    private final int maxElementBytes;
    private final byte[] chunk = new byte[READ_BUFFER];
    private int pos;
    private int end;
    private long consumed;
    private State state = State.BEFORE_ARRAY;
    /** The blob's recurring Workload and Operation values, one String instance each. */
    private final TopLevelFields.Recurring recurring = new TopLevelFields.Recurring();

    // the element being read
    private byte[] element = new byte[INITIAL_ELEMENT_BUFFER];
    private int elementLength;
    private long elementSize;
    private byte[] head;

    JsonArrayScanner(InputStream in, int maxElementBytes) {
        if (maxElementBytes < 1) {
            throw new IllegalArgumentException("maxElementBytes must be >= 1");
        }
        this.in = in;
        this.maxElementBytes = maxElementBytes;
    }

    /** Bytes of the body read so far. */
    long position() {
        return consumed + pos;
    }

    /** The next element, or null once the array is closed (and nothing but whitespace follows it). */
    Element next() throws IOException {
        while (true) {
            switch (state) {
                case BEFORE_ARRAY -> {
                    int b = nonWhitespace(true);
                    if (b < 0) {
                        throw new IOException("empty body (expected a JSON array)");
                    }
                    if (b != '[') {
                        throw new IOException("expected a JSON array but got '" + printable(b) + "'");
                    }
                    pos++;
                    state = State.FIRST_ELEMENT;
                }
                case FIRST_ELEMENT, NEXT_ELEMENT -> {
                    int b = nonWhitespace(false);
                    if (b < 0) {
                        throw new IOException("body ended before the array was closed");
                    }
                    if (b == ']') {
                        if (state == State.NEXT_ELEMENT) {
                            throw new IOException("a comma before the closing bracket at byte " + position());
                        }
                        pos++;
                        state = State.AFTER_ARRAY;
                        continue;
                    }
                    if (b == ',') {
                        throw new IOException("an empty array element at byte " + position());
                    }
                    Element e = b == '{' ? plainObject() : null;
                    if (e == null) {
                        e = element();
                    }
                    state = State.AFTER_ELEMENT;
                    return e;
                }
                case AFTER_ELEMENT -> {
                    int b = nonWhitespace(false);
                    if (b < 0) {
                        throw new IOException("body ended before the array was closed");
                    }
                    pos++;
                    if (b == ',') {
                        state = State.NEXT_ELEMENT;
                    } else if (b == ']') {
                        state = State.AFTER_ARRAY;
                    } else {
                        throw new IOException(
                                "expected ',' or ']' after an array element but got '" + printable(b) + "'");
                    }
                }
                case AFTER_ARRAY -> {
                    int b = nonWhitespace(false);
                    if (b >= 0) {
                        throw new IOException("unexpected content after the array: '" + printable(b) + "'");
                    }
                    state = State.DONE;
                    return null;
                }
                case DONE -> {
                    return null;
                }
            }
        }
    }

    /**
     * The common case in one pass: an object starting at {@code chunk[pos]} that {@link TopLevelFields} reads whole
     * within the read buffer (topped up from the body while the object goes on past it), copied out once. Null, with
     * nothing consumed, for anything else ({@link #element()} then cuts it and the caller's parser reads it): an
     * object it does not take, one larger than the limit or the buffer, a body that ends inside it.
     */
    private Element plainObject() throws IOException {
        while (true) {
            TopLevelFields.Reader reader = new TopLevelFields.Reader(chunk, pos, end, recurring);
            int after = reader.object();
            if (after >= 0) {
                int size = after - pos;
                if (size > maxElementBytes) {
                    return null;
                }
                byte[] bytes = Arrays.copyOfRange(chunk, pos, after);
                pos = after;
                return new Element(bytes, size, null, reader.record(bytes));
            }
            if (after != TopLevelFields.NEED_MORE || end - pos >= Math.min(maxElementBytes, chunk.length)) {
                return null;
            }
            if (!readMore()) {
                return null;
            }
        }
    }

    /**
     * Moves the unread bytes to the start of the read buffer and reads more after them; false at the end of the
     * body.
     */
    private boolean readMore() throws IOException {
        if (pos > 0) {
            System.arraycopy(chunk, pos, chunk, 0, end - pos);
            consumed += pos;
            end -= pos;
            pos = 0;
        }
        int r;
        do {
            r = in.read(chunk, end, chunk.length - end);
        } while (r == 0);
        if (r < 0) {
            return false;
        }
        end += r;
        return true;
    }

    /** Reads one element starting at {@code chunk[pos]} (not whitespace, not ',' or ']'). */
    private Element element() throws IOException {
        elementLength = 0;
        elementSize = 0;
        head = null;
        int first = chunk[pos] & 0xff;
        boolean scalar = first != '{' && first != '[' && first != '"';
        int depth = 0;
        boolean inString = false;
        boolean escape = false;
        while (true) {
            if (pos == end && !fill()) {
                if (scalar && elementSize > 0) {
                    break; // a bare scalar ends with the body; the missing ']' is reported next
                }
                throw new IOException("body ended inside an array element");
            }
            int start = pos;
            int i = pos;
            boolean complete = false;
            if (scalar) {
                while (i < end) {
                    byte b = chunk[i];
                    if (b == ',' || b == ']' || b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                        complete = true;
                        break;
                    }
                    i++;
                }
            } else {
                if (escape && i < end) {
                    escape = false;
                    i++; // the byte after a backslash, at the start of this chunk
                }
                while (i < end) {
                    if (inString) {
                        // most of a record is string content: look only for its end or an escape
                        while (i < end && chunk[i] != '"' && chunk[i] != '\\') {
                            i++;
                        }
                        if (i == end) {
                            break;
                        }
                        if (chunk[i] == '\\') {
                            if (i + 1 < end) {
                                i += 2;
                            } else {
                                i++;
                                escape = true; // the escaped byte starts the next chunk
                            }
                            continue;
                        }
                        i++;
                        inString = false;
                        if (depth == 0) {
                            complete = true; // a string element
                            break;
                        }
                        continue;
                    }
                    byte b = chunk[i++];
                    if (b == '"') {
                        inString = true;
                    } else if (b == '{' || b == '[') {
                        depth++;
                    } else if ((b == '}' || b == ']') && --depth == 0) {
                        complete = true;
                        break;
                    }
                }
            }
            keep(start, i);
            pos = i;
            if (complete) {
                break;
            }
        }
        if (head != null) {
            byte[] h = head;
            head = null;
            return new Element(null, elementSize, h, null);
        }
        byte[] out = Arrays.copyOf(element, elementLength);
        if (element.length > 4 * INITIAL_ELEMENT_BUFFER && elementLength < element.length / 4) {
            element = new byte[INITIAL_ELEMENT_BUFFER]; // one large record does not pin its buffer
        }
        return new Element(out, elementSize, null, null);
    }

    /** Appends {@code chunk[from, to)} to the element, or only counts it once the element is too large. */
    private void keep(int from, int to) {
        int n = to - from;
        if (n == 0) {
            return;
        }
        elementSize += n;
        if (head != null) {
            return; // too large: counted, not kept
        }
        if (elementSize > maxElementBytes) {
            // the first maxElementBytes bytes stay available (e.g. to find the record's Id), then nothing more
            int room = maxElementBytes - elementLength;
            head = Arrays.copyOf(element, maxElementBytes);
            System.arraycopy(chunk, from, head, elementLength, room);
            element = new byte[INITIAL_ELEMENT_BUFFER];
            elementLength = 0;
            return;
        }
        if (elementLength + n > element.length) {
            long grown = Math.max((long) elementLength + n, (long) element.length * 2);
            element = Arrays.copyOf(element, (int) Math.min(grown, maxElementBytes));
        }
        System.arraycopy(chunk, from, element, elementLength, n);
        elementLength += n;
    }

    /** The next byte that is not JSON whitespace, left unconsumed; -1 at the end of the body. */
    private int nonWhitespace(boolean atStart) throws IOException {
        while (true) {
            if (pos == end && !fill()) {
                return -1;
            }
            int b = chunk[pos] & 0xff;
            if (atStart && b == 0xEF && position() == 0) {
                skipByteOrderMark();
                continue;
            }
            if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                pos++;
                continue;
            }
            return b;
        }
    }

    private void skipByteOrderMark() throws IOException {
        // EF BB BF: a UTF-8 byte order mark, as Jackson accepts it
        for (int expected : new int[] {0xEF, 0xBB, 0xBF}) {
            if (pos == end && !fill()) {
                throw new IOException("body ended inside a byte order mark");
            }
            if ((chunk[pos] & 0xff) != expected) {
                throw new IOException("expected a JSON array but got byte 0x" + Integer.toHexString(chunk[pos] & 0xff));
            }
            pos++;
        }
    }

    private boolean fill() throws IOException {
        consumed += end;
        pos = 0;
        end = 0;
        int r;
        do {
            r = in.read(chunk, 0, chunk.length);
        } while (r == 0);
        if (r < 0) {
            return false;
        }
        end = r;
        return true;
    }

    private static String printable(int b) {
        return b >= 0x20 && b < 0x7f ? Character.toString((char) b) : String.format("\\x%02x", b);
    }
}
