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
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** Records that cannot go to the audit topic as they are never fail the task and are never only logged. */
class RecordMapperPoisonTest {
    static final StreamId STREAM = new StreamId("7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d", ContentType.EXCHANGE);
    static final Instant T = Instant.parse("2026-11-20T10:00:00Z");
    static final ContentBlob BLOB =
            new ContentBlob("Audit.Exchange", "b$1", "https://manage.office.com/x/b$1", T, T.plus(Duration.ofDays(7)));
    final EngineMetrics metrics = new EngineMetrics();
    final RecordMapper mapper = new RecordMapper("audit", "hb", "skips", 2000, metrics);

    SourceRecord map(AuditRecord r) {
        return mapper.toRecord(
                new Emission.Event(STREAM, BLOB, r, StreamCursor.startingAt(T).withBlobDone(BLOB), true));
    }

    @Test
    void aCreationTimeBefore1970IsDeliveredWithoutATimestamp() {
        SourceRecord r = map(new AuditRecord(
                "{\"Id\":\"old\",\"CreationTime\":\"1969-12-31T23:59:59\"}",
                "old",
                "1969-12-31T23:59:59",
                null,
                null,
                null));
        assertEquals("audit", r.topic());
        assertNull(r.timestamp(), "Connect rejects negative timestamps: none is set");
        SourceRecord ok = map(new AuditRecord("{\"Id\":\"new\"}", "new", "2026-11-20T09:00:00", null, null, null));
        assertEquals(Instant.parse("2026-11-20T09:00:00Z").toEpochMilli(), ok.timestamp());
    }

    @Test
    void aRecordLargerThanTheLimitGoesToTheSkipsTopicWithItsIdAndSize() throws Exception {
        String big = "{\"Id\":\"big\",\"x\":\"" + "y".repeat(3000) + "\"}";
        SourceRecord r = map(new AuditRecord(big, "big", null, null, null, null));
        assertEquals("skips", r.topic());
        JsonNode v = new ObjectMapper().readTree((String) r.value());
        assertEquals("record", v.get("kind").asText());
        assertEquals("big", v.get("id").asText());
        assertEquals(big.length(), v.get("size").asInt());
        assertFalse(v.has("raw"), "too large to include");
        assertEquals("b$1", v.get("contentId").asText());
        assertEquals(1, metrics.recordsSkipped.sum());
        assertTrue(r.sourceOffset().containsKey("hw"), "the skip carries the stream's position");
    }

    @Test
    void aSkippedBlobIsPublishedWithEverythingNeededToFetchItAgain() throws Exception {
        SourceRecord r = mapper.toRecord(new Emission.Skip(
                STREAM,
                BLOB,
                null,
                "its contentExpiration has passed",
                7,
                StreamCursor.startingAt(T).withBlobDone(BLOB),
                true));
        assertEquals("skips", r.topic());
        assertEquals("b$1", r.key());
        JsonNode v = new ObjectMapper().readTree((String) r.value());
        assertEquals("blob", v.get("kind").asText());
        assertEquals("https://manage.office.com/x/b$1", v.get("contentUri").asText());
        assertEquals(
                BLOB.contentExpiration().toString(), v.get("contentExpiration").asText());
        assertEquals(7, v.get("recordsDelivered").asInt());
        assertEquals("its contentExpiration has passed", v.get("reason").asText());
        assertEquals("Audit.Exchange", v.get("contentType").asText());
    }

    @Test
    void aNonObjectElementGoesToTheSkipsTopicWithItsRawText() throws Exception {
        SourceRecord r = mapper.toRecord(new Emission.Skip(
                STREAM,
                BLOB,
                AuditRecord.notARecord("42", "not an object"),
                "not an object",
                -1,
                StreamCursor.startingAt(T),
                false));
        JsonNode v = new ObjectMapper().readTree((String) r.value());
        assertEquals("42", v.get("raw").asText());
        assertEquals("record", v.get("kind").asText());
    }
}
