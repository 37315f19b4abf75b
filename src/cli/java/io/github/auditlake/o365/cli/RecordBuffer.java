package io.github.auditlake.o365.cli;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * One blob's records, held until the blob is completely fetched, so that a retried blob never writes a partial
 * copy: one record per line (UTF-8), in memory up to {@link #MEMORY_LIMIT} bytes, then in a temporary file.
 */
final class RecordBuffer implements AutoCloseable {
    static final int MEMORY_LIMIT = 8 << 20;

    private ByteArrayOutputStream memory = new ByteArrayOutputStream();
    private Path spill;
    private OutputStream spillOut;
    private long records;

    /** Adds one record (its original JSON text; line breaks between tokens become spaces). */
    void add(String json) {
        String line = json.indexOf('\n') >= 0 || json.indexOf('\r') >= 0
                ? json.replace('\r', ' ').replace('\n', ' ')
                : json;
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (spillOut == null && memory.size() + bytes.length > MEMORY_LIMIT) {
                spill = Files.createTempFile("o365-audit-blob-", ".jsonl");
                spillOut = new java.io.BufferedOutputStream(Files.newOutputStream(spill), 1 << 16);
                memory.writeTo(spillOut);
                memory = null;
            }
            if (spillOut != null) {
                spillOut.write(bytes);
            } else {
                memory.write(bytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot buffer a blob in a temporary file", e);
        }
        records++;
    }

    long records() {
        return records;
    }

    /** Hands each record, in order, to {@code sink}. */
    void forEach(Consumer<String> sink) {
        try (InputStream in = open();
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
            String line;
            while ((line = r.readLine()) != null) {
                sink.accept(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a buffered blob back", e);
        }
    }

    private InputStream open() throws IOException {
        if (spillOut != null) {
            spillOut.flush();
            return Files.newInputStream(spill);
        }
        return new ByteArrayInputStream(memory.toByteArray());
    }

    @Override
    public void close() {
        memory = null;
        if (spillOut != null) {
            try {
                spillOut.close();
            } catch (IOException ignored) {
                // the file goes anyway
            }
            spillOut = null;
        }
        if (spill != null) {
            try {
                Files.deleteIfExists(spill);
            } catch (IOException ignored) {
                spill.toFile().deleteOnExit();
            }
            spill = null;
        }
    }
}
