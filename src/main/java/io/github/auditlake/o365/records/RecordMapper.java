package io.github.auditlake.o365.records;

import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.engine.Emission;
import io.github.auditlake.o365.metrics.EngineMetrics;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns engine emissions into Connect records. An audit event becomes: key = its {@code Id}; value = its original
 * JSON text, unchanged (string schema); timestamp = its {@code CreationTime} (UTC); headers with its origin.
 */
public final class RecordMapper {
    public static final String HEADER_TENANT = "o365.tenant";
    public static final String HEADER_CONTENT_TYPE = "o365.content.type";
    public static final String HEADER_CONTENT_ID = "o365.content.id";
    public static final String HEADER_CONTENT_CREATED = "o365.content.created";
    public static final String HEADER_WORKLOAD = "o365.workload";
    public static final String HEADER_RECORD_TYPE = "o365.record.type";
    public static final String HEADER_OPERATION = "o365.operation";

    public static final String HEADER_SKIP_REASON = "o365.skip.reason";

    private final String topicTemplate;
    private final String heartbeatTopic;
    private final String skipsTopic;
    private final int recordMaxBytes;
    private final EngineMetrics metrics;
    private final Map<StreamId, String> topics = new ConcurrentHashMap<>();
    private ValueFormat format = ValueFormat.JSON_STRING;
    private java.util.Set<String> headers = java.util.Set.copyOf(ALL_HEADERS);

    /** The header names (without the {@code o365.} prefix) a record may carry; all by default. */
    public static final java.util.List<String> ALL_HEADERS = java.util.List.of("tenant", "content.type",
            "content.id", "content.created", "workload", "record.type", "operation");

    /** The value formats. */
    public enum ValueFormat {
        /** The original JSON text, string schema. */
        JSON_STRING("json-string"),
        /** The original JSON as UTF-8 bytes, bytes schema: nothing is decoded and encoded again by converters. */
        JSON_BYTES("json-bytes"),
        /** A Struct of the common schema plus the original text ({@link AuditStruct}). */
        STRUCT("struct");

        private final String configName;

        ValueFormat(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        public static ValueFormat fromConfigName(String s) {
            for (ValueFormat f : values()) {
                if (f.configName.equalsIgnoreCase(s.trim())) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown value format " + s);
        }
    }

    public RecordMapper(String topicTemplate, String heartbeatTopic) {
        this(topicTemplate, heartbeatTopic, "o365-audit-skips", Integer.MAX_VALUE, new EngineMetrics());
    }

    /** Chooses the value format and the headers (names from {@link #ALL_HEADERS}). */
    public RecordMapper withFormat(ValueFormat format, java.util.Collection<String> headerNames) {
        this.format = format;
        this.headers = java.util.Set.copyOf(headerNames);
        return this;
    }

    /**
     * @param recordMaxBytes larger records go to the skips topic (with Id and size) instead of the audit topic
     * @param metrics        counts records sent to the skips topic here
     */
    public RecordMapper(String topicTemplate, String heartbeatTopic, String skipsTopic, int recordMaxBytes,
                        EngineMetrics metrics) {
        this.topicTemplate = topicTemplate;
        this.heartbeatTopic = heartbeatTopic;
        this.skipsTopic = skipsTopic;
        this.recordMaxBytes = recordMaxBytes;
        this.metrics = metrics;
    }

    /** The destination topic of a stream: the template with {@code ${contentType}} and {@code ${tenant}} filled. */
    public static String topicFor(String template, StreamId stream) {
        return template.replace("${contentType}", stream.contentType().topicToken())
                .replace("${tenant}", stream.tenantId());
    }

    public SourceRecord toRecord(Emission e) {
        if (e instanceof Emission.Event ev) {
            return event(ev);
        }
        if (e instanceof Emission.Skip sk) {
            return skip(sk.stream(), sk.blob(), sk.record(), sk.reason(), sk.recordsDelivered(), sk.cursorAfter());
        }
        if (e instanceof Emission.StreamFailure f) {
            return streamFailure(f);
        }
        return heartbeat((Emission.Heartbeat) e);
    }

    private SourceRecord event(Emission.Event e) {
        AuditRecord r = e.record();
        if (r.json().length() > recordMaxBytes || 3L * r.json().length() > recordMaxBytes
                && r.json().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > recordMaxBytes) {
            metrics.recordsSkipped.increment();
            metrics.recordsEmitted.decrement();
            return skip(e.stream(), e.blob(), r, "the record is larger than o365.record.max.bytes ("
                    + recordMaxBytes + ")", -1, e.cursorAfter());
        }
        StreamId s = e.stream();
        String topic = topics.computeIfAbsent(s, k -> topicFor(topicTemplate, k));
        ConnectHeaders h = new ConnectHeaders();
        if (!headers.isEmpty()) {
            if (headers.contains("tenant")) {
                h.addString(HEADER_TENANT, s.tenantId());
            }
            if (headers.contains("content.type")) {
                h.addString(HEADER_CONTENT_TYPE, s.contentType().wireName());
            }
            if (headers.contains("content.id")) {
                h.addString(HEADER_CONTENT_ID, e.blob().contentId());
            }
            if (headers.contains("content.created")) {
                h.addString(HEADER_CONTENT_CREATED, e.blob().contentCreated().toString());
            }
            if (r.workload() != null && headers.contains("workload")) {
                h.addString(HEADER_WORKLOAD, r.workload());
            }
            if (r.recordType() != null && headers.contains("record.type")) {
                h.addInt(HEADER_RECORD_TYPE, r.recordType());
            }
            if (r.operation() != null && headers.contains("operation")) {
                h.addString(HEADER_OPERATION, r.operation());
            }
        }
        Long ts = kafkaTimestamp(r.creationTime());
        return switch (format) {
            case JSON_STRING -> new SourceRecord(s.partition(), e.cursorAfter().toOffset(), topic, null,
                    Schema.OPTIONAL_STRING_SCHEMA, r.id(), Schema.STRING_SCHEMA, r.json(), ts, h);
            case JSON_BYTES -> new SourceRecord(s.partition(), e.cursorAfter().toOffset(), topic, null,
                    Schema.OPTIONAL_STRING_SCHEMA, r.id(), Schema.BYTES_SCHEMA,
                    r.json().getBytes(java.nio.charset.StandardCharsets.UTF_8), ts, h);
            case STRUCT -> new SourceRecord(s.partition(), e.cursorAfter().toOffset(), topic, null,
                    Schema.OPTIONAL_STRING_SCHEMA, r.id(), AuditStruct.SCHEMA, AuditStruct.of(r), ts, h);
        };
    }

    /**
     * A record for the skips topic: a skipped blob ({@code record == null}) or one undeliverable element, as a small
     * JSON document; the raw text is included when it fits within the record size limit.
     */
    private SourceRecord skip(StreamId s, io.github.auditlake.o365.api.ContentBlob blob, AuditRecord record,
                              String reason, long recordsDelivered, io.github.auditlake.o365.cursor.StreamCursor after) {
        com.fasterxml.jackson.databind.node.ObjectNode n = JSON.createObjectNode();
        n.put("kind", record == null ? "blob" : "record");
        n.put("tenant", s.tenantId());
        n.put("contentType", s.contentType().wireName());
        n.put("contentId", blob.contentId());
        n.put("contentUri", blob.contentUri());
        n.put("contentCreated", blob.contentCreated().toString());
        n.put("contentExpiration", blob.contentExpiration() == null ? null : blob.contentExpiration().toString());
        n.put("reason", reason);
        if (record == null) {
            n.put("recordsDelivered", recordsDelivered);
        } else {
            n.put("id", record.id());
            n.put("size", record.json().length());
            if (record.json().length() <= recordMaxBytes / 2) {
                n.put("raw", record.json());
            }
        }
        ConnectHeaders h = new ConnectHeaders();
        h.addString(HEADER_TENANT, s.tenantId());
        h.addString(HEADER_CONTENT_TYPE, s.contentType().wireName());
        h.addString(HEADER_CONTENT_ID, blob.contentId());
        h.addString(HEADER_SKIP_REASON, reason);
        return new SourceRecord(s.partition(), after.toOffset(), skipsTopic, null, Schema.STRING_SCHEMA,
                blob.contentId(), Schema.STRING_SCHEMA, n.toString(), null, h);
    }

    private SourceRecord streamFailure(Emission.StreamFailure f) {
        StreamId s = f.stream();
        com.fasterxml.jackson.databind.node.ObjectNode n = JSON.createObjectNode();
        n.put("kind", "stream-failure");
        n.put("tenant", s.tenantId());
        n.put("contentType", s.contentType().wireName());
        n.put("reason", f.reason());
        n.put("position", f.cursorAfter().highWatermark().toString());
        ConnectHeaders h = new ConnectHeaders();
        h.addString(HEADER_TENANT, s.tenantId());
        h.addString(HEADER_CONTENT_TYPE, s.contentType().wireName());
        h.addString(HEADER_SKIP_REASON, f.reason());
        return new SourceRecord(s.partition(), f.cursorAfter().toOffset(), skipsTopic, null, Schema.STRING_SCHEMA,
                s.encode(), Schema.STRING_SCHEMA, n.toString(), null, h);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** The record's Kafka timestamp: its CreationTime, or none when that is absent, unreadable or before 1970. */
    static Long kafkaTimestamp(String creationTime) {
        Long t = creationTimeMillis(creationTime);
        return t == null || t < 0 ? null : t;
    }

    private SourceRecord heartbeat(Emission.Heartbeat hb) {
        StreamId s = hb.stream();
        String value = "{\"tenant\":\"" + s.tenantId() + "\",\"contentType\":\"" + s.contentType().wireName()
                + "\",\"highWatermark\":\"" + hb.cursorAfter().highWatermark() + "\"}";
        return new SourceRecord(s.partition(), hb.cursorAfter().toOffset(), heartbeatTopic, null,
                Schema.STRING_SCHEMA, s.encode(), Schema.STRING_SCHEMA, value, null);
    }

    /** {@code CreationTime} is UTC, usually without a zone designator; returns null when absent or unreadable. */
    static Long creationTimeMillis(String creationTime) {
        if (creationTime == null || creationTime.isEmpty()) {
            return null;
        }
        if (creationTime.length() == 19) {
            // the API's usual form, yyyy-MM-ddTHH:mm:ss: parsed by hand (DateTimeFormatter was ~12 % of a task's CPU)
            Long fast = plainUtcMillis(creationTime);
            if (fast != null) {
                return fast;
            }
        }
        try {
            char last = creationTime.charAt(creationTime.length() - 1);
            if (last == 'Z' || last == 'z' || creationTime.lastIndexOf('+') > 10
                    || creationTime.lastIndexOf('-') > 10) {
                return OffsetDateTime.parse(creationTime).toInstant().toEpochMilli();
            }
            return LocalDateTime.parse(creationTime).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss} (exactly 19 characters) as UTC epoch millis, with the same validation as
     * {@code LocalDateTime.parse}; null when the text has another shape or an invalid field.
     */
    static Long plainUtcMillis(String t) {
        if (t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T' || t.charAt(13) != ':'
                || t.charAt(16) != ':') {
            return null;
        }
        int y = digits(t, 0, 4);
        int mo = digits(t, 5, 7);
        int d = digits(t, 8, 10);
        int h = digits(t, 11, 13);
        int mi = digits(t, 14, 16);
        int sec = digits(t, 17, 19);
        if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0 || h > 23 || mi > 59 || sec > 59) {
            return null;
        }
        try {
            long day = java.time.LocalDate.of(y, mo, d).toEpochDay();
            return day * 86_400_000L + h * 3_600_000L + mi * 60_000L + sec * 1000L;
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    private static int digits(String t, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
