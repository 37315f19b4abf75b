package io.github.auditlake.o365.cli.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * An audit record's original JSON bytes, recovered from the value as a converter wrote it to Kafka. Supported:
 * <ul>
 *   <li>raw: the JSON object itself ({@code json-string} with StringConverter, {@code json-bytes} with
 *       ByteArrayConverter);
 *   <li>a JSON string holding it ({@code json-string} with JsonConverter, schemas off);
 *   <li>a JSON string holding its base64 ({@code json-bytes} with JsonConverter, schemas off);
 *   <li>the JsonConverter envelope {@code {"schema":{"type":"string"|"bytes"},"payload":...}} (schemas on);
 *   <li>the {@code struct} format in the JsonConverter envelope: the payload's {@code Raw} field.
 * </ul>
 * Not supported: Avro, Protobuf or JSON Schema through a schema registry (the bytes are not the original JSON);
 * such values are reported as unreadable, which fails their blob's check.
 */
public final class ValueBytes {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** JsonConverter writes the schema first: an audit record never starts with a "schema" field. */
    private static final byte[] ENVELOPE = "{\"schema\":".getBytes(StandardCharsets.US_ASCII);

    private ValueBytes() {}

    /**
     * The original JSON bytes of {@code value}.
     *
     * @throws IllegalArgumentException when the value is none of the supported forms
     */
    public static byte[] unwrap(byte[] value) {
        if (value == null || value.length == 0) {
            throw new IllegalArgumentException("an empty value");
        }
        int first = firstNonSpace(value);
        if (first < 0) {
            throw new IllegalArgumentException("a blank value");
        }
        if (value[first] == '"') {
            return fromText(read(value).asText());
        }
        if (value[first] != '{') {
            throw new IllegalArgumentException("neither a JSON object nor a JSON string");
        }
        if (!startsWith(value, first, ENVELOPE)) {
            return value; // the raw JSON object: its bytes as they are (no parse: records can be large)
        }
        JsonNode n = read(value);
        JsonNode schema = n.get("schema");
        if (n.size() == 2 && schema != null && schema.isObject() && schema.has("type") && n.has("payload")) {
            JsonNode payload = n.get("payload");
            String type = schema.get("type").asText();
            switch (type) {
                case "string":
                    return payload.asText().getBytes(StandardCharsets.UTF_8);
                case "bytes":
                    return decodeBase64(payload.asText());
                case "struct":
                    JsonNode raw = payload.get("Raw");
                    if (raw == null || !raw.isTextual()) {
                        throw new IllegalArgumentException("a struct value without its Raw text");
                    }
                    return raw.asText().getBytes(StandardCharsets.UTF_8);
                default:
                    throw new IllegalArgumentException("a JsonConverter envelope of type " + type);
            }
        }
        return value; // the raw JSON object: its bytes as they are
    }

    /** A JSON string's text: the record's JSON itself, or (json-bytes through JsonConverter) its base64. */
    private static byte[] fromText(String text) {
        String t = text.strip();
        if (t.startsWith("{")) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        return decodeBase64(t);
    }

    private static byte[] decodeBase64(String s) {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a string that is neither JSON nor base64");
        }
    }

    private static JsonNode read(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
    }

    private static boolean startsWith(byte[] b, int from, byte[] prefix) {
        if (b.length - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[from + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int firstNonSpace(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] != ' ' && b[i] != '\n' && b[i] != '\r' && b[i] != '\t') {
                return i;
            }
        }
        return -1;
    }
}
