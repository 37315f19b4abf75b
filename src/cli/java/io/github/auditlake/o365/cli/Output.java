package io.github.auditlake.o365.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes the listings on stdout: a tab-separated table with a header (values never truncated; tabs and line
 * breaks inside a value become spaces; cells neutralised and control characters escaped as {@link Cells} says), or
 * JSON (the values as served).
 */
final class Output {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Output() {}

    static Writer writer(OutputStream out) {
        return new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
    }

    /** A tab-separated table: the header, then one line per row. */
    static void table(OutputStream out, List<String> header, List<List<String>> rows) {
        try {
            Writer w = writer(out);
            w.write(tsvLine(header));
            for (List<String> row : rows) {
                w.write(tsvLine(row));
            }
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String tsvLine(List<String> cells) {
        return tsvLine(cells, false);
    }

    /** One table line; {@code raw}: the values as served (see {@link Cells#table}). */
    static String tsvLine(List<String> cells, boolean raw) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                b.append('\t');
            }
            b.append(Cells.table(cells.get(i), raw));
        }
        return b.append('\n').toString();
    }

    /** Any value as indented JSON plus a newline. */
    static void json(OutputStream out, Object value) {
        try {
            Writer w = writer(out);
            JSON.writeValue(new NonClosing(w), value);
            w.write('\n');
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Keeps Jackson from closing stdout. */
    private static final class NonClosing extends java.io.FilterWriter {
        NonClosing(Writer w) {
            super(w);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    static String text(Object o) {
        return o == null ? "" : o.toString();
    }
}
