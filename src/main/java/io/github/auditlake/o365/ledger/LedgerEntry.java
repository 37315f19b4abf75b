package io.github.auditlake.o365.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * One entry of the completeness ledger: what became of one content blob. Written by the connector on the ledger
 * topic ({@code o365.ledger.topic}) once per blob, right after the blob's last record (with exactly-once, in the same
 * transaction), and read back by {@code o365-audit verify}.
 *
 * <p>Wire form (version 1): key {@link #key()} ({@code tenant|contentType|contentId}, a string); value the JSON of
 * {@link #toJson()}. Field names are part of the public format (docs/design.md, "Completeness ledger"): new fields
 * may be added, none renamed or removed.
 *
 * @param tenant            the tenant (directory) id
 * @param contentType       the content type's wire name, e.g. {@code Audit.Exchange}
 * @param contentId         the blob's contentId
 * @param contentUri        the blob's contentUri
 * @param contentCreated    the blob's contentCreated
 * @param contentExpiration the blob's contentExpiration, or null when the listing had none
 * @param firstListed       when the connector first listed the blob, or null when unknown (resumed from an older
 *                          offset)
 * @param handedOver        when the blob's last record (or its skip) was handed to Connect
 * @param records           records delivered to the audit topic
 * @param bytes             their total size: the original JSON's UTF-8 bytes
 * @param sha256            {@link BlobDigest} over the delivered values from record {@code chainFrom} on
 * @param chainFrom         index of the first record the chain covers: 0, unless the blob was resumed from an offset
 *                          written before the ledger existed (then the chain covers only the records after it)
 * @param outcome           how it ended
 * @param skipReason        for a skipped blob, the reason published on the skips topic; else null
 * @param elementsSkipped   elements of the blob published on the skips topic instead of the audit topic (not an
 *                          object, too large)
 */
public record LedgerEntry(
        String tenant,
        String contentType,
        String contentId,
        String contentUri,
        Instant contentCreated,
        Instant contentExpiration,
        Instant firstListed,
        Instant handedOver,
        long records,
        long bytes,
        String sha256,
        long chainFrom,
        Outcome outcome,
        String skipReason,
        long elementsSkipped) {

    public static final int VERSION = 1;
    /** Header of every audit record: its blob's contentId (also written by older versions). */
    public static final String HEADER_CONTENT_ID = "o365.content.id";
    /** Header of every audit record: its 0-based index within its blob, so its place in the chain is known. */
    public static final String HEADER_RECORD_INDEX = "o365.record.index";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a blob ended. */
    public enum Outcome {
        /** Every record of the blob was handed to Connect. */
        DELIVERED("delivered"),
        /** The service said the blob is gone or expired; {@code records} were delivered before that. */
        SKIPPED("skipped");

        private final String wire;

        Outcome(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        public static Outcome fromWire(String s) {
            for (Outcome o : values()) {
                if (o.wire.equals(s)) {
                    return o;
                }
            }
            throw new IllegalArgumentException("unknown ledger outcome '" + s + "'");
        }
    }

    public LedgerEntry {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(contentId, "contentId");
        Objects.requireNonNull(contentCreated, "contentCreated");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(sha256, "sha256");
    }

    /** The record key: {@code tenant|contentType|contentId}. */
    public String key() {
        return key(tenant, contentType, contentId);
    }

    public static String key(String tenant, String contentType, String contentId) {
        return tenant + "|" + contentType + "|" + contentId;
    }

    /** The value's JSON text. */
    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("v", VERSION);
        n.put("tenant", tenant);
        n.put("contentType", contentType);
        n.put("contentId", contentId);
        n.put("contentUri", contentUri);
        n.put("contentCreated", contentCreated.toString());
        n.put("contentExpiration", contentExpiration == null ? null : contentExpiration.toString());
        n.put("firstListed", firstListed == null ? null : firstListed.toString());
        n.put("handedOver", handedOver == null ? null : handedOver.toString());
        n.put("records", records);
        n.put("bytes", bytes);
        n.put("sha256", sha256);
        n.put("chainFrom", chainFrom);
        n.put("outcome", outcome.wire());
        n.put("skipReason", skipReason);
        n.put("elementsSkipped", elementsSkipped);
        return n.toString();
    }

    /**
     * Reads a ledger value as it lies in Kafka, whatever string converter wrote it: the JSON object itself
     * ({@code StringConverter}), a JSON string holding it ({@code JsonConverter}, schemas off), or the
     * {@code {"schema":...,"payload":...}} envelope ({@code JsonConverter}, schemas on).
     *
     * @throws IllegalArgumentException when it is none of those, or lacks a required field
     */
    public static LedgerEntry parse(byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("empty ledger value (a tombstone)");
        }
        JsonNode n;
        try {
            n = JSON.readTree(value);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("a ledger value is not JSON");
        }
        return fromNode(unwrap(n));
    }

    public static LedgerEntry parse(String value) {
        return parse(value.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode unwrap(JsonNode n) {
        for (int depth = 0; depth < 3 && n != null; depth++) {
            if (n.isTextual()) {
                try {
                    n = JSON.readTree(n.asText());
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException("a ledger value holds text that is not JSON");
                }
            } else if (n.isObject() && n.has("payload") && n.has("schema")) {
                n = n.get("payload");
            } else {
                return n;
            }
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("a ledger value is not a JSON object");
        }
        return n;
    }

    private static LedgerEntry fromNode(JsonNode n) {
        if (!n.isObject()) {
            throw new IllegalArgumentException("a ledger value is not a JSON object");
        }
        return new LedgerEntry(
                text(n, "tenant", true),
                text(n, "contentType", true),
                text(n, "contentId", true),
                text(n, "contentUri", false),
                instant(n, "contentCreated", true),
                instant(n, "contentExpiration", false),
                instant(n, "firstListed", false),
                instant(n, "handedOver", false),
                n.path("records").asLong(0),
                n.path("bytes").asLong(0),
                text(n, "sha256", true),
                n.path("chainFrom").asLong(0),
                Outcome.fromWire(text(n, "outcome", true)),
                text(n, "skipReason", false),
                n.path("elementsSkipped").asLong(0));
    }

    private static String text(JsonNode n, String field, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new IllegalArgumentException("a ledger value lacks '" + field + "'");
            }
            return null;
        }
        return v.asText();
    }

    private static Instant instant(JsonNode n, String field, boolean required) {
        String s = text(n, field, required);
        if (s == null) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("a ledger value's '" + field + "' is not an ISO-8601 instant: " + s);
        }
    }
}
