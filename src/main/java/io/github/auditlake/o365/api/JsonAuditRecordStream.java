package io.github.auditlake.o365.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.NoSuchElementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a blob body (a JSON array of audit records) record by record with Jackson's streaming parser, keeping each
 * record's exact original text (sliced from the raw bytes by token offsets) and its top-level {@code Id},
 * {@code CreationTime}, {@code Workload}, {@code RecordType} and {@code Operation}. Memory is bounded by one record
 * plus the parser's read-ahead. Any IO or syntax failure (connection reset, truncated body) surfaces as
 * {@link ApiException} of kind TRANSIENT from {@link #hasNext()} / {@link #next()}.
 */
public final class JsonAuditRecordStream implements AuditRecordStream {
    private static final Logger LOG = LoggerFactory.getLogger(JsonAuditRecordStream.class);
    private static final JsonFactory FACTORY = JsonFactory.builder()
            // Limits far above what audit records need (Jackson's defaults: 1,000 levels, 50,000-character names,
            // 1,000-digit numbers), so an odd record is delivered instead of failing its whole blob.
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(200_000_000)
                    .maxNestingDepth(100_000)
                    .maxNameLength(10_000_000)
                    .maxNumberLength(100_000)
                    .build())
            .build();

    private final RecordingInputStream in;
    private final JsonParser parser;
    private final Closeable onClose;
    private final String description;
    private boolean started;
    private boolean finished;
    private AuditRecord pending;
    private long count;

    /**
     * @param body        the raw body (closed by {@link #close()})
     * @param onClose     also closed by {@link #close()} (e.g. the HTTP response), may be null
     * @param description what is being read, for messages (no secrets)
     */
    public JsonAuditRecordStream(InputStream body, Closeable onClose, String description) {
        this.in = new RecordingInputStream(body);
        this.onClose = onClose;
        this.description = description;
        try {
            this.parser = FACTORY.createParser(in);
        } catch (IOException e) {
            throw failure("could not start reading", e);
        }
    }

    @Override
    public boolean hasNext() {
        if (pending != null) {
            return true;
        }
        if (finished) {
            return false;
        }
        try {
            pending = readNext();
        } catch (IOException e) {
            finished = true;
            throw failure("broke off after " + count + " records", e);
        }
        if (pending == null) {
            finished = true;
            return false;
        }
        return true;
    }

    @Override
    public AuditRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        AuditRecord r = pending;
        pending = null;
        count++;
        return r;
    }

    /** Records handed out so far. */
    public long count() {
        return count;
    }

    private AuditRecord readNext() throws IOException {
        if (!started) {
            started = true;
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new IOException("empty body (expected a JSON array)");
            }
            if (first != JsonToken.START_ARRAY) {
                throw new IOException("expected a JSON array but got " + first);
            }
        }
        JsonToken t = parser.nextToken();
        if (t == JsonToken.END_ARRAY) {
            JsonToken after = parser.nextToken();
            if (after != null) {
                throw new IOException("unexpected content after the array: " + after);
            }
            return null;
        }
        if (t == null) {
            throw new IOException("body ended before the array was closed");
        }
        if (t != JsonToken.START_OBJECT) {
            // not an audit record: handed on with its raw text, so it is published on the skips topic
            long from = parser.currentTokenLocation().getByteOffset();
            in.retainFrom(from);
            parser.skipChildren();
            parser.finishToken(); // a string's end is only read on demand
            long to = parser.currentLocation().getByteOffset();
            String raw = in.slice(from, to).trim();
            if (raw.endsWith(",")) {
                raw = raw.substring(0, raw.length() - 1).trim();
            }
            LOG.warn("{}: an array element is not a JSON object ({}); it goes to the skips topic", description, t);
            return AuditRecord.notARecord(
                    raw,
                    "the blob element is a JSON "
                            + t.name()
                                    .toLowerCase(java.util.Locale.ROOT)
                                    .replace("value_", "")
                                    .replace("start_", "") + ", not an audit record object");
        }
        long start = parser.currentTokenLocation().getByteOffset();
        in.retainFrom(start);
        String id = null;
        String creationTime = null;
        String workload = null;
        Integer recordType = null;
        String operation = null;
        while ((t = parser.nextToken()) != JsonToken.END_OBJECT) {
            if (t == null) {
                throw new IOException("body ended inside a record");
            }
            String name = parser.currentName();
            JsonToken v = parser.nextToken();
            if (v == null) {
                throw new IOException("body ended inside a record");
            }
            if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                parser.skipChildren();
                continue;
            }
            switch (name) {
                case "Id" -> id = scalar(v);
                case "CreationTime" -> creationTime = scalar(v);
                case "Workload" -> workload = scalar(v);
                case "Operation" -> operation = scalar(v);
                case "RecordType" -> recordType = intValue(v);
                default -> {}
            }
        }
        long end = parser.currentTokenLocation().getByteOffset() + 1;
        // the original bytes, not decoded: a json-bytes value goes out as they are
        return AuditRecord.fromUtf8(in.sliceBytes(start, end), id, creationTime, workload, recordType, operation);
    }

    private String scalar(JsonToken v) throws IOException {
        return v == JsonToken.VALUE_NULL ? null : parser.getText();
    }

    private Integer intValue(JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NUMBER_INT) {
            // a RecordType beyond int is unknown, not a reason to fail the blob
            return parser.getNumberType() == JsonParser.NumberType.INT ? parser.getIntValue() : null;
        }
        if (v == JsonToken.VALUE_STRING) {
            try {
                return Integer.valueOf(parser.getText().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private ApiException failure(String what, IOException e) {
        return new ApiException(
                ErrorKind.TRANSIENT,
                0,
                null,
                description + ": " + what + " ("
                        + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage()))
                        + "); fetch the blob again",
                null,
                null,
                e);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public void close() {
        finished = true;
        pending = null;
        try {
            parser.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: closing the parser failed", description, e);
        }
        if (onClose != null) {
            try {
                onClose.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("{}: closing the response failed", description, e);
            }
        }
    }
}
