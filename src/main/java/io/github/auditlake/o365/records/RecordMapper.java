package io.github.auditlake.o365.records;

import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.engine.Emission;
import io.github.auditlake.o365.mapping.AuditMapping;
import io.github.auditlake.o365.mapping.DriftRadar;
import io.github.auditlake.o365.mapping.MappingTables;
import io.github.auditlake.o365.mapping.RecordTypes;
import io.github.auditlake.o365.metrics.EngineMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns engine emissions into Connect records. An audit event becomes: key = its {@code Id}; value = its original
 * JSON text, unchanged (string schema); timestamp = its {@code CreationTime} (UTC); headers with its origin.
 */
public final class RecordMapper {
    public static final String HEADER_TENANT = "o365.tenant";
    public static final String HEADER_CONTENT_TYPE = "o365.content.type";
    public static final String HEADER_CONTENT_ID = io.github.auditlake.o365.ledger.LedgerEntry.HEADER_CONTENT_ID;
    public static final String HEADER_CONTENT_CREATED = "o365.content.created";
    /** The record's 0-based index within its blob (the ledger's chain order). */
    public static final String HEADER_RECORD_INDEX = io.github.auditlake.o365.ledger.LedgerEntry.HEADER_RECORD_INDEX;

    public static final String HEADER_WORKLOAD = "o365.workload";
    public static final String HEADER_RECORD_TYPE = "o365.record.type";
    public static final String HEADER_OPERATION = "o365.operation";
    /** The RecordType's name from the plugin's table ({@link RecordTypes}); not in the default headers. */
    public static final String HEADER_RECORD_TYPE_NAME = "o365.record.type.name";

    public static final String HEADER_SKIP_REASON = "o365.skip.reason";
    /** On records read through audit search (the history phase) only: {@value #SOURCE_AUDIT_SEARCH}. */
    public static final String HEADER_SOURCE = "o365.source";

    public static final String SOURCE_AUDIT_SEARCH = "audit-search";
    private static final Header SOURCE_HEADER =
            new FixedHeader(HEADER_SOURCE, Schema.STRING_SCHEMA, SOURCE_AUDIT_SEARCH);

    private final String topicTemplate;
    private final String heartbeatTopic;
    private final String skipsTopic;
    private final int recordMaxBytes;
    private final EngineMetrics metrics;
    private final Map<StreamId, String> topics = new ConcurrentHashMap<>();
    private ValueFormat format = ValueFormat.JSON_STRING;
    private boolean hTenant = true;
    private boolean hContentType = true;
    private boolean hContentId = true;
    private boolean hContentCreated = true;
    private boolean hRecordIndex = true;
    private String ledgerTopic;
    private boolean hWorkload = true;
    private boolean hRecordType = true;
    private boolean hOperation = true;
    private boolean hRecordTypeName = false;
    private AuditMapping mapping;
    private DriftRadar drift;
    private String lastStreamKey;
    private final RecordTypes recordTypeTable = RecordTypes.standard();
    // caches of the task thread (a mapper serves one task): the last stream's topic and headers, the last blob's
    private StreamId lastStream;
    private String lastTopic;
    private Header tenantHeader;
    private Header contentTypeHeader;
    private io.github.auditlake.o365.api.ContentBlob lastBlob;
    private Header contentIdHeader;
    private Header contentCreatedHeader;
    private final HeaderCache<String> workloads = new HeaderCache<>(HEADER_WORKLOAD, Schema.STRING_SCHEMA);
    private final HeaderCache<String> operations = new HeaderCache<>(HEADER_OPERATION, Schema.STRING_SCHEMA);
    private final HeaderCache<Integer> recordTypes = new HeaderCache<>(HEADER_RECORD_TYPE, Schema.INT32_SCHEMA);
    private final HeaderCache<String> recordTypeNames =
            new HeaderCache<>(HEADER_RECORD_TYPE_NAME, Schema.STRING_SCHEMA);

    /**
     * The header names (without the {@code o365.} prefix) a record carries by default: every one but
     * {@code record.type.name}, which {@link io.github.auditlake.o365.settings.DestinationSettings#HEADER_NAMES} adds.
     */
    public static final java.util.List<String> ALL_HEADERS =
            io.github.auditlake.o365.settings.DestinationSettings.DEFAULT_HEADER_NAMES;

    /** The value formats. */
    public enum ValueFormat {
        /** The original JSON text, string schema. */
        JSON_STRING(io.github.auditlake.o365.settings.ValueFormat.JSON_STRING),
        /** The original JSON as UTF-8 bytes, bytes schema: nothing is decoded and encoded again by converters. */
        JSON_BYTES(io.github.auditlake.o365.settings.ValueFormat.JSON_BYTES),
        /** A Struct of the common schema plus the original text ({@link AuditStruct}). */
        STRUCT(io.github.auditlake.o365.settings.ValueFormat.STRUCT),
        /** Elastic Common Schema JSON text, string schema, the original record under {@code o365.audit}. */
        ECS(io.github.auditlake.o365.settings.ValueFormat.ECS),
        /** OCSF JSON text, string schema, the original record in {@code raw_data}. */
        OCSF(io.github.auditlake.o365.settings.ValueFormat.OCSF);

        private final String configName;

        ValueFormat(io.github.auditlake.o365.settings.ValueFormat named) {
            this.configName = named.configName();
        }

        public String configName() {
            return configName;
        }

        public static ValueFormat fromConfigName(String s) {
            return valueOf(io.github.auditlake.o365.settings.ValueFormat.fromConfigName(s)
                    .name());
        }
    }

    public RecordMapper(String topicTemplate, String heartbeatTopic) {
        this(topicTemplate, heartbeatTopic, "o365-audit-skips", Integer.MAX_VALUE, new EngineMetrics());
    }

    /** Chooses the value format and the headers (names from {@link #ALL_HEADERS}). */
    public RecordMapper withFormat(ValueFormat format, java.util.Collection<String> headerNames) {
        this.format = format;
        java.util.Set<String> headers = java.util.Set.copyOf(headerNames);
        hTenant = headers.contains("tenant");
        hContentType = headers.contains("content.type");
        hContentId = headers.contains("content.id");
        hContentCreated = headers.contains("content.created");
        hRecordIndex = headers.contains("record.index");
        hWorkload = headers.contains("workload");
        hRecordType = headers.contains("record.type");
        hOperation = headers.contains("operation");
        hRecordTypeName = headers.contains("record.type.name");
        mapping = switch (format) {
            case ECS -> new AuditMapping(MappingTables.Target.ECS);
            case OCSF -> new AuditMapping(MappingTables.Target.OCSF);
            default -> null;
        };
        return this;
    }

    /** Reports every audit record to {@code radar} (schema drift); the fields only in the ecs and ocsf formats. */
    public RecordMapper withDrift(DriftRadar radar) {
        this.drift = radar;
        return this;
    }

    /** Writes the completeness ledger's entries to {@code topic} (null: the ledger is off). */
    public RecordMapper withLedger(String topic) {
        this.ledgerTopic = topic;
        return this;
    }

    /**
     * @param recordMaxBytes larger records go to the skips topic (with Id and size) instead of the audit topic
     * @param metrics        counts records sent to the skips topic here
     */
    public RecordMapper(
            String topicTemplate, String heartbeatTopic, String skipsTopic, int recordMaxBytes, EngineMetrics metrics) {
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
        if (e instanceof Emission.Ledger l) {
            return ledger(l);
        }
        if (e instanceof Emission.HistoryGap g) {
            return historyGap(g);
        }
        return heartbeat((Emission.Heartbeat) e);
    }

    private SourceRecord event(Emission.Event e) {
        AuditRecord r = e.record();
        if (r.exceeds(recordMaxBytes)) {
            metrics.recordsSkipped.increment();
            metrics.recordsEmitted.decrement();
            metrics.recordsEmittedBy(e.stream().tenantId()).decrement();
            return skip(
                    e.stream(),
                    e.blob(),
                    r,
                    "the record is larger than o365.record.max.bytes (" + recordMaxBytes + ")",
                    -1,
                    e.cursorAfter());
        }
        StreamId s = e.stream();
        if (s != lastStream) {
            // per stream, not per record: the topic and the stream's constant headers
            lastStream = s;
            lastTopic = topics.computeIfAbsent(s, k -> topicFor(topicTemplate, k));
            tenantHeader = new FixedHeader(HEADER_TENANT, Schema.STRING_SCHEMA, s.tenantId());
            contentTypeHeader = new FixedHeader(
                    HEADER_CONTENT_TYPE, Schema.STRING_SCHEMA, s.contentType().wireName());
            lastBlob = null;
            lastStreamKey = s.encode();
        }
        if (e.blob() != lastBlob) {
            // per blob: its id and creation time (Instant.toString per record was measurable)
            lastBlob = e.blob();
            contentIdHeader = new FixedHeader(HEADER_CONTENT_ID, Schema.STRING_SCHEMA, lastBlob.contentId());
            contentCreatedHeader = new FixedHeader(
                    HEADER_CONTENT_CREATED,
                    Schema.STRING_SCHEMA,
                    lastBlob.contentCreated().toString());
        }
        ConnectHeaders h = new ConnectHeaders();
        if (hTenant) {
            h.add(tenantHeader);
        }
        if (hContentType) {
            h.add(contentTypeHeader);
        }
        boolean history = e.fromAuditSearch();
        if (hContentId && !history) {
            h.add(contentIdHeader);
        }
        if (hContentCreated && !history) {
            h.add(contentCreatedHeader);
        }
        if (history) {
            h.add(SOURCE_HEADER); // no blob: neither its id nor its creation time
        }
        if (hRecordIndex && e.index() >= 0) {
            h.add(new FixedHeader(HEADER_RECORD_INDEX, Schema.INT64_SCHEMA, e.index()));
        }
        if (hWorkload && r.workload() != null) {
            h.add(workloads.header(r.workload()));
        }
        if (hRecordType && r.recordType() != null) {
            h.add(recordTypes.header(r.recordType()));
        }
        if (hOperation && r.operation() != null) {
            h.add(operations.header(r.operation()));
        }
        if (hRecordTypeName) {
            String name = recordTypeTable.name(r.recordType());
            if (name != null) {
                h.add(recordTypeNames.header(name));
            }
        }
        com.fasterxml.jackson.databind.node.ObjectNode tree = mapping == null ? null : AuditMapping.parse(r);
        if (drift != null) {
            drift.observe(lastStreamKey, s.contentType().wireName(), r.recordType(), r.operation(), tree);
        }
        Long ts = kafkaTimestamp(r.creationTime());
        Map<String, ?> offset = e.cursorAfter().toOffset();
        return switch (format) {
            case JSON_STRING ->
                new SourceRecord(
                        s.partition(),
                        offset,
                        lastTopic,
                        null,
                        Schema.OPTIONAL_STRING_SCHEMA,
                        r.id(),
                        Schema.STRING_SCHEMA,
                        r.json(),
                        ts,
                        h);
            case JSON_BYTES ->
                new SourceRecord(
                        s.partition(),
                        offset,
                        lastTopic,
                        null,
                        Schema.OPTIONAL_STRING_SCHEMA,
                        r.id(),
                        Schema.BYTES_SCHEMA,
                        r.utf8(),
                        ts,
                        h);
            case STRUCT ->
                new SourceRecord(
                        s.partition(),
                        offset,
                        lastTopic,
                        null,
                        Schema.OPTIONAL_STRING_SCHEMA,
                        r.id(),
                        AuditStruct.SCHEMA,
                        AuditStruct.of(r),
                        ts,
                        h);
            case ECS, OCSF ->
                new SourceRecord(
                        s.partition(),
                        offset,
                        lastTopic,
                        null,
                        Schema.OPTIONAL_STRING_SCHEMA,
                        r.id(),
                        Schema.STRING_SCHEMA,
                        mapping.map(r, tree),
                        ts,
                        h);
        };
    }

    /** An immutable header, shared by the records that carry the same value. */
    record FixedHeader(String key, Schema schema, Object value) implements Header {
        @Override
        public Header with(Schema schema, Object value) {
            return new FixedHeader(key, schema, value);
        }

        @Override
        public Header rename(String key) {
            return new FixedHeader(key, schema, value);
        }
    }

    /**
     * Headers of a few values that repeat across records (workloads, operations, record types), made once per
     * value; a bounded cache, so an unexpected variety of values only costs an allocation per record again.
     */
    static final class HeaderCache<V> {
        private static final int MAX = 1024;
        private final String key;
        private final Schema schema;
        private final Map<V, Header> byValue = new java.util.HashMap<>();

        HeaderCache(String key, Schema schema) {
            this.key = key;
            this.schema = schema;
        }

        Header header(V value) {
            Header h = byValue.get(value);
            if (h == null) {
                h = new FixedHeader(key, schema, value);
                if (byValue.size() < MAX) {
                    byValue.put(value, h);
                }
            }
            return h;
        }
    }

    /**
     * A new header set holding the stream's tenant and content type: the start of the headers of its skip,
     * stream-failure, history-gap and ledger records.
     */
    private static ConnectHeaders streamHeaders(StreamId s) {
        ConnectHeaders h = new ConnectHeaders();
        h.addString(HEADER_TENANT, s.tenantId());
        h.addString(HEADER_CONTENT_TYPE, s.contentType().wireName());
        return h;
    }

    /**
     * A record for the skips topic: a skipped blob ({@code record == null}) or one undeliverable element, as a small
     * JSON document; the raw text is included when it fits within the record size limit.
     */
    private SourceRecord skip(
            StreamId s,
            io.github.auditlake.o365.api.ContentBlob blob,
            AuditRecord record,
            String reason,
            long recordsDelivered,
            io.github.auditlake.o365.cursor.StreamCursor after) {
        com.fasterxml.jackson.databind.node.ObjectNode n = JSON.createObjectNode();
        n.put("kind", record == null ? "blob" : "record");
        n.put("tenant", s.tenantId());
        n.put("contentType", s.contentType().wireName());
        n.put("contentId", blob.contentId());
        n.put("contentUri", blob.contentUri());
        n.put("contentCreated", blob.contentCreated().toString());
        n.put(
                "contentExpiration",
                blob.contentExpiration() == null
                        ? null
                        : blob.contentExpiration().toString());
        n.put("reason", reason);
        if (record == null) {
            n.put("recordsDelivered", recordsDelivered);
        } else {
            n.put("id", record.id()); // null for a record too large to read whose first bytes held no Id
            n.put("size", record.size());
            if (!record.isTooLarge() && record.json().length() <= recordMaxBytes / 2) {
                n.put("raw", record.json());
            }
        }
        ConnectHeaders h = streamHeaders(s);
        h.addString(HEADER_CONTENT_ID, blob.contentId());
        h.addString(HEADER_SKIP_REASON, reason);
        return new SourceRecord(
                s.partition(),
                after.toOffset(),
                skipsTopic,
                null,
                Schema.STRING_SCHEMA,
                blob.contentId(),
                Schema.STRING_SCHEMA,
                n.toString(),
                null,
                h);
    }

    /**
     * A completeness-ledger entry: key {@code tenant|contentType|contentId}, value its JSON (string schema), with the
     * position after its blob.
     */
    private SourceRecord ledger(Emission.Ledger l) {
        if (ledgerTopic == null) {
            throw new IllegalStateException("a ledger entry, but no ledger topic is set");
        }
        io.github.auditlake.o365.ledger.LedgerEntry entry = l.entry();
        StreamId s = l.stream();
        ConnectHeaders h = streamHeaders(s);
        h.addString(HEADER_CONTENT_ID, entry.contentId());
        return new SourceRecord(
                s.partition(),
                l.cursorAfter().toOffset(),
                ledgerTopic,
                null,
                Schema.STRING_SCHEMA,
                entry.key(),
                Schema.STRING_SCHEMA,
                entry.toJson(),
                null,
                h);
    }

    /**
     * The part of a stream's history that will not be read ({@code o365.history.start} cleared mid-phase), on the
     * skips topic: {@code kind: history-gap}, the stream, {@code from} and {@code to} (ISO instants) and the reason.
     */
    private SourceRecord historyGap(Emission.HistoryGap g) {
        com.fasterxml.jackson.databind.node.ObjectNode n = streamDocument("history-gap", g.stream(), g.reason());
        n.put("from", g.from().toString());
        n.put("to", g.to().toString());
        return streamSkip(g.stream(), n, g.reason(), g.cursorAfter());
    }

    private SourceRecord streamFailure(Emission.StreamFailure f) {
        com.fasterxml.jackson.databind.node.ObjectNode n = streamDocument("stream-failure", f.stream(), f.reason());
        n.put("position", f.cursorAfter().highWatermark().toString());
        return streamSkip(f.stream(), n, f.reason(), f.cursorAfter());
    }

    /** The start of a skips-topic document about a whole stream: its kind, tenant, content type and the reason. */
    private static com.fasterxml.jackson.databind.node.ObjectNode streamDocument(
            String kind, StreamId s, String reason) {
        com.fasterxml.jackson.databind.node.ObjectNode n = JSON.createObjectNode();
        n.put("kind", kind);
        n.put("tenant", s.tenantId());
        n.put("contentType", s.contentType().wireName());
        n.put("reason", reason);
        return n;
    }

    /** A skips-topic record about stream {@code s}, keyed by the stream, at position {@code after}. */
    private SourceRecord streamSkip(
            StreamId s,
            com.fasterxml.jackson.databind.node.ObjectNode document,
            String reason,
            io.github.auditlake.o365.cursor.StreamCursor after) {
        ConnectHeaders h = streamHeaders(s);
        h.addString(HEADER_SKIP_REASON, reason);
        return new SourceRecord(
                s.partition(),
                after.toOffset(),
                skipsTopic,
                null,
                Schema.STRING_SCHEMA,
                s.encode(),
                Schema.STRING_SCHEMA,
                document.toString(),
                null,
                h);
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
        String value = "{\"tenant\":\"" + s.tenantId() + "\",\"contentType\":\""
                + s.contentType().wireName() + "\",\"highWatermark\":\""
                + hb.cursorAfter().highWatermark() + "\"}";
        return new SourceRecord(
                s.partition(),
                hb.cursorAfter().toOffset(),
                heartbeatTopic,
                null,
                Schema.STRING_SCHEMA,
                s.encode(),
                Schema.STRING_SCHEMA,
                value,
                null);
    }

    /** {@code CreationTime} is UTC, usually without a zone designator; returns null when absent or unreadable. */
    static Long creationTimeMillis(String creationTime) {
        return io.github.auditlake.o365.mapping.CreationTimes.millis(creationTime);
    }

    /** See {@link io.github.auditlake.o365.mapping.CreationTimes#plainUtcMillis}. */
    static Long plainUtcMillis(String t) {
        return io.github.auditlake.o365.mapping.CreationTimes.plainUtcMillis(t);
    }
}
