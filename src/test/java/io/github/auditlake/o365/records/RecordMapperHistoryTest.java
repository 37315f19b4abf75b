package io.github.auditlake.o365.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cursor.HistoryPhase;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.engine.Emission;
import io.github.auditlake.o365.metrics.EngineMetrics;
import io.github.auditlake.o365.settings.DestinationSettings;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** A record read through audit search is emitted as a live one, with {@code o365.source=audit-search}. */
class RecordMapperHistoryTest {
    static final StreamId STREAM = new StreamId("7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d", ContentType.EXCHANGE);
    static final Instant FROM = Instant.parse("2026-10-01T00:00:00Z");
    static final String JSON = "{\"Id\":\"id-1\",  \"CreationTime\":\"2026-10-01T03:00:00\",\"Workload\":\"Exchange\","
            + "\"RecordType\":2,\"Operation\":\"Send\",\"Ünïcode\":\"é\"}";

    final RecordMapper mapper = new RecordMapper("o365.${contentType}", "hb", "skips", 100_000, new EngineMetrics())
            .withFormat(RecordMapper.ValueFormat.JSON_STRING, DestinationSettings.DEFAULT_HEADER_NAMES);

    static String header(SourceRecord r, String name) {
        Header h = r.headers().lastWithName(name);
        return h == null ? null : String.valueOf(h.value());
    }

    @Test
    void aHistoryRecordHasTheLiveKeyValueTopicAndHeadersPlusItsSource() {
        ContentBlob range = Emission.auditSearchRange(ContentType.EXCHANGE.wireName(), FROM);
        AuditRecord a = new AuditRecord(JSON, "id-1", "2026-10-01T03:00:00", "Exchange", 2, "Send");
        StreamCursor after = StreamCursor.startingAtSeam(
                FROM.plus(Duration.ofDays(20)),
                FROM.plus(Duration.ofDays(20)),
                HistoryPhase.begin(FROM, FROM.plus(Duration.ofDays(20))));
        Emission.Event ev = new Emission.Event(STREAM, range, a, after, true, -1);

        SourceRecord r = mapper.toRecord(ev);

        assertEquals("o365.audit.exchange", r.topic());
        assertEquals("id-1", r.key());
        assertEquals(JSON, r.value(), "the auditData text unchanged");
        assertEquals(Instant.parse("2026-10-01T03:00:00Z").toEpochMilli(), r.timestamp());
        assertEquals("audit-search", header(r, RecordMapper.HEADER_SOURCE));
        assertEquals("Exchange", header(r, RecordMapper.HEADER_WORKLOAD));
        assertEquals("2", header(r, RecordMapper.HEADER_RECORD_TYPE));
        assertEquals("Send", header(r, RecordMapper.HEADER_OPERATION));
        assertEquals(STREAM.tenantId(), header(r, RecordMapper.HEADER_TENANT));
        assertEquals("Audit.Exchange", header(r, RecordMapper.HEADER_CONTENT_TYPE));
        assertNull(header(r, RecordMapper.HEADER_CONTENT_ID), "no blob");
        assertNull(header(r, RecordMapper.HEADER_RECORD_INDEX), "no index in a blob");
        assertEquals(FROM.toEpochMilli(), r.sourceOffset().get(HistoryPhase.START));
    }

    @Test
    void aLiveRecordHasNoSourceHeader() {
        ContentBlob blob = new ContentBlob("Audit.Exchange", "b1", "https://manage.office.com/b1", FROM, null);
        AuditRecord a = new AuditRecord(JSON, "id-1", "2026-10-01T03:00:00", "Exchange", 2, "Send");
        SourceRecord r = mapper.toRecord(new Emission.Event(STREAM, blob, a, StreamCursor.startingAt(FROM), false, 0));
        assertNull(header(r, RecordMapper.HEADER_SOURCE));
        assertEquals("b1", header(r, RecordMapper.HEADER_CONTENT_ID));
    }

    @Test
    void aSkippedHistoryGapGoesToTheSkipsTopicWithItsRangeAndThePositionAfterIt() throws Exception {
        Instant seam = FROM.plus(Duration.ofDays(20));
        StreamCursor after = StreamCursor.startingAtSeam(seam, seam, HistoryPhase.begin(FROM, seam))
                .withHistory(HistoryPhase.begin(FROM, seam).withDone(seam, ""));
        SourceRecord r = mapper.toRecord(new Emission.HistoryGap(STREAM, FROM, seam, "start cleared", after));

        assertEquals("skips", r.topic());
        assertEquals(STREAM.encode(), r.key());
        com.fasterxml.jackson.databind.JsonNode n =
                new com.fasterxml.jackson.databind.ObjectMapper().readTree((String) r.value());
        assertEquals("history-gap", n.get("kind").asText());
        assertEquals(FROM.toString(), n.get("from").asText());
        assertEquals(seam.toString(), n.get("to").asText());
        assertEquals("Audit.Exchange", n.get("contentType").asText());
        assertEquals("start cleared", header(r, RecordMapper.HEADER_SKIP_REASON));
        assertEquals(seam.toEpochMilli(), r.sourceOffset().get(HistoryPhase.DONE), "the phase is over");
        assertEquals(STREAM.partition(), r.sourcePartition());
    }
}
