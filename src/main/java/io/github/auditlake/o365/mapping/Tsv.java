package io.github.auditlake.o365.mapping;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads the mapping tables: tab-separated rows, {@code #} starts a comment line, blank lines are ignored. */
final class Tsv {
    private Tsv() {}

    /** The rows of the resource {@code name} (next to this class), each with exactly {@code columns} cells. */
    static List<String[]> read(String name, int columns) {
        InputStream in = Tsv.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("mapping table " + name + " is missing from the plugin");
        }
        List<String[]> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] cells = line.split("\t", -1);
                if (cells.length != columns) {
                    throw new IllegalStateException(
                            name + " line " + n + ": " + cells.length + " cells, expected " + columns + ": " + line);
                }
                for (int i = 0; i < cells.length; i++) {
                    cells[i] = cells[i].trim();
                }
                rows.add(cells);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }
}
