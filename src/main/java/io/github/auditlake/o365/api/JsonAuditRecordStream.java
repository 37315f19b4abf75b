package io.github.auditlake.o365.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.NoSuchElementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a blob body (a JSON array of audit records) record by record, keeping each record's exact original bytes and
 * its top-level {@code Id}, {@code CreationTime}, {@code Workload}, {@code RecordType} and {@code Operation}.
 *
 * <p>Memory is bounded by the record size limit, whatever the body holds: a {@link JsonArrayScanner} cuts the body
 * into its elements' bytes without parsing them, and an element larger than the limit is counted and dropped while it
 * is read, never held. It is handed on as a record that is too large ({@link AuditRecord#tooLarge}: its {@code Id}
 * when the first {@code maxRecordBytes} bytes hold it, and its exact size), and the rest of the blob is read as usual.
 * Each element within the limit is read on its own: first by {@link TopLevelFields}, a strict one-pass reader of
 * the five fields that builds no tokens or names (the scanner runs it on the read buffer, so a plain record is cut
 * and read in one pass); what it does not take (not an object, a syntax error, escapes in a name or in one of the
 * five values, very deep nesting) by a Jackson parser of this stream's own factory. Field names
 * are never interned, and the factory (with the symbol table of the names it has seen) is replaced once the records
 * it parsed reach {@link #SYMBOL_TABLE_RECORD_BYTES}: the names kept are bounded by that plus one record, and nothing
 * is shared between blobs, so long or many distinct field names cannot accumulate in the worker.
 *
 * <p>Any IO or syntax failure (connection reset, truncated body) surfaces as {@link ApiException} of kind TRANSIENT
 * from {@link #hasNext()} / {@link #next()}.
 */
public final class JsonAuditRecordStream implements AuditRecordStream {
    private static final Logger LOG = LoggerFactory.getLogger(JsonAuditRecordStream.class);

    /** No record size limit (records of up to about 2 GiB are read). */
    public static final int UNLIMITED = Integer.MAX_VALUE - 16;

    /**
     * Jackson's limits within one record, far above what audit records need (Jackson's defaults: 1,000 levels,
     * 50,000-character names, 1,000-digit numbers), so an odd record is delivered instead of failing its whole blob.
     * Names and strings are further bounded by the record size limit.
     */
    private static final int MAX_NESTING_DEPTH = 100_000;

    private static final int MAX_NAME_LENGTH = 10_000_000;
    private static final int MAX_STRING_LENGTH = 200_000_000;
    private static final int MAX_NUMBER_LENGTH = 100_000;

    /**
     * Bytes of records parsed with one factory before it is replaced by a fresh one: its symbol table holds only
     * names seen in them (short names are looked up, not built again, within a run of records).
     */
    static final int SYMBOL_TABLE_RECORD_BYTES = 1024 * 1024;

    private final JsonArrayScanner scanner;
    private final BoundedJson.RotatingFactory factories;
    private final int maxRecordBytes;
    private final InputStream body;
    private final Closeable onClose;
    private final String description;
    private boolean finished;
    private AuditRecord pending;
    private long count;

    /**
     * A stream without a record size limit.
     *
     * @param body        the raw body (closed by {@link #close()})
     * @param onClose     also closed by {@link #close()} (e.g. the HTTP response), may be null
     * @param description what is being read, for messages (no secrets)
     */
    public JsonAuditRecordStream(InputStream body, Closeable onClose, String description) {
        this(body, onClose, description, UNLIMITED);
    }

    /**
     * @param maxRecordBytes a record (array element) of more UTF-8 bytes is not read into memory: it is handed on as
     *                       {@link AuditRecord#tooLarge} with its {@code Id} (if found in its first
     *                       {@code maxRecordBytes} bytes) and size
     */
    public JsonAuditRecordStream(InputStream body, Closeable onClose, String description, int maxRecordBytes) {
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException("maxRecordBytes must be >= 1");
        }
        this.body = body;
        this.onClose = onClose;
        this.description = description;
        this.maxRecordBytes = Math.min(maxRecordBytes, UNLIMITED);
        this.scanner = new JsonArrayScanner(body, this.maxRecordBytes);
        int limit = this.maxRecordBytes;
        this.factories = new BoundedJson.RotatingFactory(() -> factory(limit), SYMBOL_TABLE_RECORD_BYTES);
    }

    /** A factory for this stream's records: names never interned, limits within a record. */
    static JsonFactory factory(int maxRecordBytes) {
        return JsonFactory.builder()
                // a name is never put in the JVM's string table
                .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(Math.min(maxRecordBytes, MAX_STRING_LENGTH))
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxNameLength(Math.min(maxRecordBytes, MAX_NAME_LENGTH))
                        .maxNumberLength(MAX_NUMBER_LENGTH)
                        .maxDocumentLength(maxRecordBytes)
                        .build())
                .build();
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
        JsonArrayScanner.Element element = scanner.next();
        if (element == null) {
            return null;
        }
        if (element.tooLarge()) {
            String id = idIn(element.head());
            LOG.warn(
                    "{}: record {} (Id {}) has {} bytes, more than the limit of {}; it is not read, and goes to the "
                            + "skips topic",
                    description,
                    count + 1,
                    id == null ? "not found before the limit" : id,
                    element.size(),
                    maxRecordBytes);
            return AuditRecord.tooLarge(
                    id,
                    element.size(),
                    "the record is larger than o365.record.max.bytes (" + maxRecordBytes + "): " + element.size()
                            + " bytes; it was not read");
        }
        if (element.record() != null) {
            return element.record(); // read by the scanner in the same pass
        }
        byte[] bytes = element.bytes();
        AuditRecord plain = TopLevelFields.read(bytes);
        if (plain != null) {
            return plain; // the common case: a plain object, read in one pass without Jackson's tokens
        }
        return readWithJackson(bytes);
    }

    /** Reads one element within the limit with Jackson (the path for what {@link TopLevelFields} does not take). */
    AuditRecord readWithJackson(byte[] bytes) throws IOException {
        try (JsonParser parser = factories.forBytes(bytes.length).createParser(bytes)) {
            return parse(parser, bytes);
        }
    }

    private AuditRecord parse(JsonParser parser, byte[] bytes) throws IOException {
        JsonToken t = parser.nextToken();
        if (t != JsonToken.START_OBJECT) {
            // not an audit record: handed on with its raw text, so it is published on the skips topic
            parser.skipChildren();
            parser.finishToken(); // a string's end is only read on demand
            expectEnd(parser);
            LOG.warn("{}: an array element is not a JSON object ({}); it goes to the skips topic", description, t);
            return AuditRecord.notARecord(
                    new String(bytes, StandardCharsets.UTF_8),
                    "the blob element is a JSON "
                            + t.name()
                                    .toLowerCase(java.util.Locale.ROOT)
                                    .replace("value_", "")
                                    .replace("start_", "") + ", not an audit record object");
        }
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
                case "Id" -> id = scalar(parser, v);
                case "CreationTime" -> creationTime = scalar(parser, v);
                case "Workload" -> workload = scalar(parser, v);
                case "Operation" -> operation = scalar(parser, v);
                case "RecordType" -> recordType = intValue(parser, v);
                default -> {}
            }
        }
        expectEnd(parser);
        // the original bytes, not decoded: a json-bytes value goes out as they are
        return AuditRecord.fromUtf8(bytes, id, creationTime, workload, recordType, operation);
    }

    private static void expectEnd(JsonParser parser) throws IOException {
        JsonToken after = parser.nextToken();
        if (after != null) {
            throw new IOException("unexpected " + after + " after an array element");
        }
    }

    /** The top-level {@code Id} of a record, if its first bytes hold it; else null. */
    private String idIn(byte[] head) {
        try (JsonParser parser = factories.forBytes(head.length).createParser(head)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken v = parser.nextToken();
                if (v == null) {
                    return null;
                }
                if ("Id".equals(name) && v.isScalarValue()) {
                    return scalar(parser, v);
                }
                parser.skipChildren();
            }
        } catch (IOException e) {
            // the first bytes end inside the record: no Id before the limit
        }
        return null;
    }

    private static String scalar(JsonParser parser, JsonToken v) throws IOException {
        return v == JsonToken.VALUE_NULL ? null : parser.getText();
    }

    private static Integer intValue(JsonParser parser, JsonToken v) throws IOException {
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
            body.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: closing the body failed", description, e);
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
