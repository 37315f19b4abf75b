package io.github.auditlake.o365.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.engine.Emission;
import io.github.auditlake.o365.mapping.DriftRadar;
import io.github.auditlake.o365.metrics.EngineMetrics;
import io.github.auditlake.o365.settings.DestinationSettings;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** The ecs and ocsf value formats through the record mapper: key, headers, schema, unknown RecordTypes, drift. */
class MappedValueFormatTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String UNKNOWN = "{\"CreationTime\":\"2026-11-20T09:59:30\",\"Id\":\"r9\",\"Operation\":\"Brand.New\","
            + "\"RecordType\":999,\"Workload\":\"Next\",\"UserId\":\"bob@contoso.example\",\"Novel\":[1]}";

    final List<DriftRadar.Event> events = new ArrayList<>();

    SourceRecord map(RecordMapper.ValueFormat f, List<String> headers, AuditRecord r) {
        return new RecordMapper("audit", "hb", "skips", 1_000_000, new EngineMetrics())
                .withFormat(f, headers)
                .withDrift(new DriftRadar(events::add))
                .toRecord(new Emission.Event(
                        ValueFormatTest.STREAM,
                        ValueFormatTest.BLOB,
                        r,
                        StreamCursor.startingAt(ValueFormatTest.T),
                        true));
    }

    @Test
    void keyHeadersAndTimestampAreTheSameAsJsonStringAndTheValueIsJsonText() throws Exception {
        SourceRecord plain =
                map(RecordMapper.ValueFormat.JSON_STRING, RecordMapper.ALL_HEADERS, ValueFormatTest.RECORD);
        for (RecordMapper.ValueFormat f : List.of(RecordMapper.ValueFormat.ECS, RecordMapper.ValueFormat.OCSF)) {
            SourceRecord r = map(f, RecordMapper.ALL_HEADERS, ValueFormatTest.RECORD);
            assertEquals("r1", r.key());
            assertEquals(plain.headers(), r.headers());
            assertEquals(plain.timestamp(), r.timestamp());
            assertEquals(plain.sourceOffset(), r.sourceOffset());
            assertEquals(Schema.STRING_SCHEMA, r.valueSchema());
            JsonNode v = JSON.readTree((String) r.value());
            assertTrue(v.isObject(), f.toString());
        }
        JsonNode ecs = JSON.readTree((String) map(RecordMapper.ValueFormat.ECS, List.of(), ValueFormatTest.RECORD)
                .value());
        assertEquals(JSON.readTree(ValueFormatTest.JSON), ecs.path("o365").path("audit"));
        assertEquals("2001:db8::1", ecs.path("source").path("ip").asText());
        JsonNode ocsf = JSON.readTree((String) map(RecordMapper.ValueFormat.OCSF, List.of(), ValueFormatTest.RECORD)
                .value());
        assertEquals(ValueFormatTest.JSON, ocsf.path("raw_data").asText());
    }

    @Test
    void anUnknownRecordTypeIsDeliveredUnchangedAndCountedAsDrift() throws Exception {
        AuditRecord r = new AuditRecord(UNKNOWN, "r9", "2026-11-20T09:59:30", "Next", 999, "Brand.New");
        SourceRecord ecs = map(RecordMapper.ValueFormat.ECS, RecordMapper.ALL_HEADERS, r);
        JsonNode v = JSON.readTree((String) ecs.value());
        assertEquals("999", v.path("event").path("code").asText());
        assertEquals(JSON.readTree(UNKNOWN), v.path("o365").path("audit"));
        assertTrue(((String) ecs.value()).contains(UNKNOWN));
        SourceRecord ocsf = map(RecordMapper.ValueFormat.OCSF, RecordMapper.ALL_HEADERS, r);
        JsonNode o = JSON.readTree((String) ocsf.value());
        assertEquals(6003, o.path("class_uid").asInt(), "an unknown RecordType is an API Activity");
        assertEquals(UNKNOWN, o.path("raw_data").asText());
        SourceRecord plain = map(RecordMapper.ValueFormat.JSON_STRING, RecordMapper.ALL_HEADERS, r);
        assertEquals(UNKNOWN, plain.value());
        // each mapper had its own radar: three reports of the RecordType, one per mapper
        assertEquals(
                3,
                events.stream()
                        .filter(e -> e.message().equals("new RecordType 999 first seen in Audit.Exchange"))
                        .count());
        assertEquals(
                2,
                events.stream()
                        .filter(e ->
                                e.kind() == DriftRadar.Kind.FIELD && e.value().equals("Novel"))
                        .count(),
                "fields only in the formats that parse the record");
    }

    @Test
    void theRecordTypeNameHeaderIsOffByDefaultAndNamedFromTheTableWhenAsked() {
        assertEquals(8, DestinationSettings.HEADERS.defaultValue().size());
        SourceRecord def =
                map(RecordMapper.ValueFormat.ECS, DestinationSettings.HEADERS.defaultValue(), ValueFormatTest.RECORD);
        assertNull(def.headers().lastWithName(RecordMapper.HEADER_RECORD_TYPE_NAME));
        SourceRecord on =
                map(RecordMapper.ValueFormat.JSON_STRING, List.of("record.type.name"), ValueFormatTest.RECORD);
        Header h = on.headers().lastWithName(RecordMapper.HEADER_RECORD_TYPE_NAME);
        assertEquals("ExchangeItem", h.value());
        AuditRecord unknown = new AuditRecord(UNKNOWN, "r9", "2026-11-20T09:59:30", "Next", 999, "Brand.New");
        assertNull(map(RecordMapper.ValueFormat.JSON_STRING, List.of("record.type.name"), unknown)
                .headers()
                .lastWithName(RecordMapper.HEADER_RECORD_TYPE_NAME));
    }
}
