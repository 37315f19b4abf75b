package io.github.auditlake.o365.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.engine.Emission;
import io.github.auditlake.o365.metrics.EngineMetrics;
import java.time.Instant;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** Where each emission goes: audit records to the audit topic, skips and heartbeats to their own topics only. */
class RecordMapperTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final StreamId STREAM = new StreamId(TENANT, ContentType.EXCHANGE);
    static final Instant CREATED = Instant.parse("2026-11-20T10:00:00Z");
    static final ContentBlob BLOB = new ContentBlob(
            "Audit.Exchange", "blob-1", "https://manage.office.com/blob-1", CREATED, CREATED.plusSeconds(7 * 86400));
    static final StreamCursor AFTER = StreamCursor.startingAt(CREATED);

    final EngineMetrics metrics = new EngineMetrics();
    final RecordMapper mapper = new RecordMapper("o365.${contentType}", "hb", "skips", 200, metrics);

    static AuditRecord record(String id, String creationTime, String padding) {
        String json = "{\"Id\":\"" + id + "\",\"CreationTime\":\"" + creationTime + "\",\"P\":\"" + padding + "\"}";
        return new AuditRecord(json, id, creationTime, "Exchange", 2, "Send", null);
    }

    static JsonNode json(SourceRecord r) throws Exception {
        return new ObjectMapper().readTree((String) r.value());
    }

    @Test
    void anAuditRecordGoesToItsTopicUnchangedWithItsIdAsKey() {
        AuditRecord a = record("id-1", "2026-11-20T09:59:30", "x");
        SourceRecord r = mapper.toRecord(new Emission.Event(STREAM, BLOB, a, AFTER, false));
        assertEquals("o365.audit.exchange", r.topic());
        assertEquals("id-1", r.key());
        assertEquals(a.json(), r.value());
        assertEquals(Instant.parse("2026-11-20T09:59:30Z").toEpochMilli(), r.timestamp());
    }

    @Test
    void aRecordLargerThanTheLimitGoesToTheSkipsTopicWithItsIdAndSize() throws Exception {
        AuditRecord big = record("id-big", "2026-11-20T09:59:30", "y".repeat(300));
        SourceRecord r = mapper.toRecord(new Emission.Event(STREAM, BLOB, big, AFTER, false));
        assertEquals("skips", r.topic());
        assertEquals("blob-1", r.key());
        JsonNode v = json(r);
        assertEquals("record", v.get("kind").asText());
        assertEquals("id-big", v.get("id").asText());
        assertEquals(big.json().length(), v.get("size").asInt());
        assertFalse(v.has("raw"), "too large to include");
        assertTrue(v.get("reason").asText().contains("o365.record.max.bytes"), v.toString());
        assertEquals(1, metrics.recordsSkipped.sum());
    }

    @Test
    void aRecordTooLargeToReadGoesToTheSkipsTopicWithItsIdAndExactSize() throws Exception {
        // what the blob reader hands on for a record over the limit: counted while skipping, never materialized
        AuditRecord tooLarge = AuditRecord.tooLarge(
                "id-huge", 314_572_822L, "the record is larger than o365.record.max.bytes (200): 314572822 bytes");
        SourceRecord r =
                mapper.toRecord(new Emission.Skip(STREAM, BLOB, tooLarge, tooLarge.problem(), -1, AFTER, false));
        assertEquals("skips", r.topic());
        assertEquals("blob-1", r.key());
        JsonNode v = json(r);
        assertEquals("record", v.get("kind").asText());
        assertEquals("id-huge", v.get("id").asText());
        assertEquals(314_572_822L, v.get("size").asLong());
        assertFalse(v.has("raw"), "its text was never read");
        assertTrue(v.get("reason").asText().contains("o365.record.max.bytes"), v.toString());
        AuditRecord noId = AuditRecord.tooLarge(null, 5000, "the record is larger than o365.record.max.bytes (200)");
        JsonNode w = json(mapper.toRecord(new Emission.Skip(STREAM, BLOB, noId, noId.problem(), -1, AFTER, false)));
        assertTrue(w.get("id").isNull(), "an Id not found before the limit is null: " + w);
    }

    @Test
    void anElementThatIsNotARecordGoesToTheSkipsTopicWithItsRawText() throws Exception {
        AuditRecord notOne = AuditRecord.notARecord("42", "the blob element is a JSON number_int, not an audit record");
        SourceRecord r =
                mapper.toRecord(new Emission.Skip(STREAM, BLOB, notOne, "not an audit record", 0, AFTER, false));
        assertEquals("skips", r.topic());
        JsonNode v = json(r);
        assertEquals("record", v.get("kind").asText());
        assertEquals("42", v.get("raw").asText());
    }

    @Test
    void aGoneBlobGoesToTheSkipsTopicWithWhatAnOperatorNeedsToFetchIt() throws Exception {
        SourceRecord r = mapper.toRecord(
                new Emission.Skip(STREAM, BLOB, null, "its contentExpiration has passed", 3, AFTER, true));
        assertEquals("skips", r.topic());
        assertEquals("blob-1", r.key());
        JsonNode v = json(r);
        assertEquals("blob", v.get("kind").asText());
        assertEquals(TENANT, v.get("tenant").asText());
        assertEquals("Audit.Exchange", v.get("contentType").asText());
        assertEquals(BLOB.contentUri(), v.get("contentUri").asText());
        assertEquals(
                BLOB.contentExpiration().toString(), v.get("contentExpiration").asText());
        assertEquals("its contentExpiration has passed", v.get("reason").asText());
        assertEquals(3, v.get("recordsDelivered").asLong());
        assertEquals(AFTER.toOffset(), r.sourceOffset(), "the skip carries the stream's position");
    }

    @Test
    void aHeartbeatGoesToTheHeartbeatTopicOnlyWithThePosition() {
        SourceRecord r = mapper.toRecord(new Emission.Heartbeat(STREAM, AFTER));
        assertEquals("hb", r.topic());
        assertEquals(AFTER.toOffset(), r.sourceOffset());
        assertTrue(((String) r.value()).contains(AFTER.highWatermark().toString()), (String) r.value());
    }

    @Test
    void aCreationTimeBefore1970OrUnreadableIsDeliveredWithoutATimestamp() {
        SourceRecord old =
                mapper.toRecord(new Emission.Event(STREAM, BLOB, record("a", "1969-12-31T23:59:59", ""), AFTER, false));
        SourceRecord bad =
                mapper.toRecord(new Emission.Event(STREAM, BLOB, record("b", "yesterday", ""), AFTER, false));
        assertEquals("o365.audit.exchange", old.topic());
        assertNull(old.timestamp());
        assertEquals("o365.audit.exchange", bad.topic());
        assertNull(bad.timestamp());
    }
}
