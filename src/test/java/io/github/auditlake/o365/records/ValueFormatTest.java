package io.github.auditlake.o365.records;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.engine.Emission;
import io.github.auditlake.o365.metrics.EngineMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class ValueFormatTest {
    static final StreamId STREAM = new StreamId("7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d", ContentType.EXCHANGE);
    static final Instant T = Instant.parse("2026-11-20T10:00:00Z");
    static final ContentBlob BLOB =
            new ContentBlob("Audit.Exchange", "b$1", "https://manage.office.com/x/b$1", T, T.plus(Duration.ofDays(7)));
    static final String JSON =
            "{\"CreationTime\":\"2026-11-20T09:59:30\",\"Id\":\"r1\",\"Operation\":\"MailItemsAccessed\","
                    + "\"OrganizationId\":\"7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d\",\"RecordType\":2,\"ResultStatus\":\"Succeeded\","
                    + "\"UserKey\":\"1003\",\"UserType\":0,\"Version\":1,\"Workload\":\"Exchange\",\"ClientIP\":\"[2001:db8::1]:443\","
                    + "\"UserId\":\"bob@contoso.example\",\"ObjectId\":\"x\",\"Scope\":\"1\",\"Extra\":{\"caf\u00e9\":[1]}}";
    static final AuditRecord RECORD =
            new AuditRecord(JSON, "r1", "2026-11-20T09:59:30", "Exchange", 2, "MailItemsAccessed");

    static SourceRecord map(RecordMapper.ValueFormat f, List<String> headers) {
        return new RecordMapper("audit", "hb", "skips", 1_000_000, new EngineMetrics())
                .withFormat(f, headers)
                .toRecord(new Emission.Event(STREAM, BLOB, RECORD, StreamCursor.startingAt(T), true));
    }

    @Test
    void jsonBytesAreTheOriginalUtf8Bytes() {
        SourceRecord r = map(RecordMapper.ValueFormat.JSON_BYTES, RecordMapper.ALL_HEADERS);
        assertArrayEquals(JSON.getBytes(StandardCharsets.UTF_8), (byte[]) r.value());
        assertEquals(
                org.apache.kafka.connect.data.Schema.Type.BYTES, r.valueSchema().type());
    }

    @Test
    void theStructHoldsTheCommonSchemaAndTheRawTextAndRoundTripsThroughJsonConverter() {
        SourceRecord r = map(RecordMapper.ValueFormat.STRUCT, RecordMapper.ALL_HEADERS);
        Struct s = (Struct) r.value();
        assertEquals("r1", s.get("Id"));
        assertEquals(2, s.get("RecordType"));
        assertEquals(Instant.parse("2026-11-20T09:59:30Z"), ((java.util.Date) s.get("CreationTime")).toInstant());
        assertEquals("MailItemsAccessed", s.get("Operation"));
        assertEquals(0, s.get("UserType"));
        assertEquals(1, s.get("Scope"), "a numeric string is read as a number");
        assertEquals("[2001:db8::1]:443", s.get("ClientIP"));
        assertEquals(JSON, s.get("Raw"), "nothing is lost");
        assertEquals(AuditStruct.NAME, r.valueSchema().name());
        assertEquals(AuditStruct.VERSION, r.valueSchema().version());

        JsonConverter conv = new JsonConverter();
        conv.configure(Map.of("schemas.enable", "true"), false);
        byte[] wire = conv.fromConnectData("audit", r.valueSchema(), r.value());
        SchemaAndValue back = conv.toConnectData("audit", wire);
        assertEquals(s, back.value());
    }

    @Test
    void headersAreConfigurable() {
        assertEquals(
                7,
                map(RecordMapper.ValueFormat.JSON_STRING, RecordMapper.ALL_HEADERS)
                        .headers()
                        .size());
        SourceRecord none = map(RecordMapper.ValueFormat.JSON_STRING, List.of());
        assertTrue(none.headers().isEmpty());
        SourceRecord some = map(RecordMapper.ValueFormat.JSON_STRING, List.of("tenant", "operation"));
        assertEquals(2, some.headers().size());
        assertNull(some.headers().lastWithName(RecordMapper.HEADER_CONTENT_ID));
        assertEquals(JSON, some.value());
    }
}
