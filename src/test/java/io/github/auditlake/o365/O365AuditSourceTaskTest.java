package io.github.auditlake.o365;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.config.O365SourceTaskConfig;
import io.github.auditlake.o365.records.RecordMapper;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import io.github.auditlake.o365.testkit.FakeTaskContext;
import io.github.auditlake.o365.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class O365AuditSourceTaskTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    final ManualClock clock = new ManualClock(NOW);
    final FakeManagementApi api = new FakeManagementApi(TENANT, clock);
    final List<O365AuditSourceTask> tasks = new ArrayList<>();

    @AfterEach
    void stop() {
        tasks.forEach(O365AuditSourceTask::stop);
    }

    Map<String, String> props(String streams) {
        Map<String, String> p = new HashMap<>();
        p.put("o365.tenant.id", TENANT);
        p.put("o365.client.id", "app");
        p.put("o365.client.secret", "s3cret");
        p.put("o365.initial.lookback.ms", Long.toString(Duration.ofDays(1).toMillis()));
        p.put("o365.heartbeat.interval.ms", "0");
        p.put("topic", "audit.${contentType}");
        p.put(O365SourceTaskConfig.TASK_STREAMS_CONFIG, streams);
        p.put(O365SourceTaskConfig.TASK_REQUESTS_PER_MINUTE_CONFIG, "100");
        return p;
    }

    O365AuditSourceTask start(FakeTaskContext ctx, Map<String, String> props) {
        O365AuditSourceTask t = new O365AuditSourceTask((c, rpm, v) -> api, clock, clock.sleeper());
        tasks.add(t);
        t.initialize(ctx);
        t.start(props);
        return t;
    }

    static List<SourceRecord> pollUntil(O365AuditSourceTask t, FakeTaskContext ctx, int n) throws Exception {
        List<SourceRecord> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (out.size() < n) {
            assertTrue(System.nanoTime() < deadline, "only " + out.size() + " records");
            List<SourceRecord> batch = t.poll();
            if (batch != null) {
                for (SourceRecord r : batch) {
                    out.add(r);
                    ctx.store(r);
                }
            }
        }
        return out;
    }

    @Test
    void emitsOneRecordPerAuditEventWithKeyValueTimestampAndHeaders() throws Exception {
        var blob = api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(2)), 2);
        FakeTaskContext ctx = new FakeTaskContext(false);
        O365AuditSourceTask t = start(ctx, props(TENANT + "|Audit.Exchange"));

        List<SourceRecord> records = pollUntil(t, ctx, 2);

        SourceRecord r = records.get(0);
        assertEquals("audit.audit.exchange", r.topic());
        assertEquals(blob.blob().contentId() + "#0", r.key());
        assertEquals(blob.json().get(0), r.value(), "the original JSON, unchanged");
        assertEquals(Instant.parse("2026-11-20T09:59:30Z").toEpochMilli(), r.timestamp());
        assertEquals(Map.of("tenant", TENANT, "contentType", "Audit.Exchange"), r.sourcePartition());
        assertEquals(2L, r.sourceOffset().get("v"));
        assertEquals(TENANT, r.headers().lastWithName(RecordMapper.HEADER_TENANT).value());
        assertEquals(blob.blob().contentId(), r.headers().lastWithName(RecordMapper.HEADER_CONTENT_ID).value());
        assertEquals("MailItemsAccessed", r.headers().lastWithName(RecordMapper.HEADER_OPERATION).value());
        assertEquals(2, r.headers().lastWithName(RecordMapper.HEADER_RECORD_TYPE).value());
    }

    @Test
    void resumesFromTheCommittedOffsetAfterARestart() throws Exception {
        List<String> expected = api.addSchedule(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(10)), NOW,
                Duration.ofMinutes(45), 4);
        FakeTaskContext ctx = new FakeTaskContext(false);
        O365AuditSourceTask first = start(ctx, props(TENANT + "|Audit.Exchange"));
        List<SourceRecord> before = pollUntil(first, ctx, 10);
        first.stop();
        tasks.remove(first);
        // what the worker committed: the offsets of the records it saw (ctx.store), the rest is lost in the crash
        O365AuditSourceTask second = start(ctx, props(TENANT + "|Audit.Exchange"));
        List<SourceRecord> after = pollUntil(second, ctx, expected.size() - before.size());

        List<Object> keys = new ArrayList<>();
        before.forEach(r -> keys.add(r.key()));
        after.forEach(r -> keys.add(r.key()));
        assertEquals(expected.size(), keys.size());
        assertEquals(new HashSet<>(expected), new HashSet<>(keys));
    }

    @Test
    void commitsTransactionsAtBlobBoundariesWhenTheConnectorDefinesThem() throws Exception {
        var b1 = api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(3)), NOW.minus(Duration.ofHours(3)), 3);
        var b2 = api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(2)), 3);
        FakeTaskContext ctx = new FakeTaskContext(true);
        O365AuditSourceTask t = start(ctx, props(TENANT + "|Audit.Exchange"));

        pollUntil(t, ctx, 6);

        assertTrue(ctx.transactions.commitsOn.size() >= 1);
        for (SourceRecord r : ctx.transactions.commitsOn) {
            assertTrue(r.key().equals(b1.blob().contentId() + "#2") || r.key().equals(b2.blob().contentId() + "#2"),
                    "commit on the last record of a blob, not " + r.key());
        }
        assertEquals(b2.blob().contentId() + "#2",
                ctx.transactions.commitsOn.get(ctx.transactions.commitsOn.size() - 1).key());
    }

    @Test
    void refusesToStartFromAnUnreadableStoredOffset() {
        FakeTaskContext ctx = new FakeTaskContext(false);
        ctx.offsets.put(Map.of("tenant", TENANT, "contentType", "Audit.Exchange"), Map.of("cursor", "old-format"));
        O365AuditSourceTask t = new O365AuditSourceTask((c, rpm, v) -> api, clock, clock.sleeper());
        t.initialize(ctx);
        ConnectException e = assertThrows(ConnectException.class, () -> t.start(props(TENANT + "|Audit.Exchange")));
        assertTrue(e.getMessage().contains("/offsets"), e.getMessage());
    }

    @Test
    void failsWithTheApisExplanationOnAPermanentError() throws Exception {
        api.failListing(new ApiException(ErrorKind.PERMANENT, 400, "AF20013",
                "The tenant ID passed in the URL (x) is not a valid GUID.", null, null, null));
        FakeTaskContext ctx = new FakeTaskContext(false);
        O365AuditSourceTask t = start(ctx, props(TENANT + "|Audit.Exchange"));
        ConnectException e = assertThrows(ConnectException.class, () -> pollUntil(t, ctx, 1));
        assertTrue(e.getMessage().contains("not a valid GUID"), e.getMessage());
        assertNotNull(t.metrics());
    }
}
