package io.github.auditlake.o365;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.config.O365SourceTaskConfig;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.ledger.BlobDigest;
import io.github.auditlake.o365.ledger.LedgerEntry;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import io.github.auditlake.o365.testkit.FakeTaskContext;
import io.github.auditlake.o365.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The task writes each blob's ledger entry right after the blob's last record, and ends the transaction on it. */
class LedgerTaskTest {
    static final String TENANT = O365AuditSourceTaskTest.TENANT;
    static final Instant NOW = O365AuditSourceTaskTest.NOW;
    static final String LEDGER = "o365-audit-ledger";
    final ManualClock clock = new ManualClock(NOW);
    final FakeManagementApi api = new FakeManagementApi(TENANT, clock);
    final List<O365AuditSourceTask> tasks = new ArrayList<>();

    @AfterEach
    void stop() {
        tasks.forEach(O365AuditSourceTask::stop);
    }

    Map<String, String> props(int transactionMax, int batchMax) {
        Map<String, String> p = new HashMap<>();
        p.put("o365.tenant.id", TENANT);
        p.put("o365.client.id", "app");
        p.put("o365.client.secret", "s3cret");
        p.put("o365.initial.lookback.ms", Long.toString(Duration.ofDays(1).toMillis()));
        p.put("o365.heartbeat.interval.ms", "0");
        p.put("topic", "audit.${contentType}");
        p.put("o365.ledger.topic", LEDGER);
        p.put("o365.transaction.max.records", Integer.toString(transactionMax));
        p.put("o365.batch.max.records", Integer.toString(batchMax));
        p.put(O365SourceTaskConfig.TASK_STREAMS_CONFIG, TENANT + "|Audit.Exchange");
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

    static List<Object> keys(List<SourceRecord> records) {
        return records.stream().map(SourceRecord::key).toList();
    }

    static String ledgerKey(FakeManagementApi.FakeBlob b) {
        return LedgerEntry.key(TENANT, "Audit.Exchange", b.blob().contentId());
    }

    @Test
    void theEntryFollowsTheBlobsLastRecordWithItsCountAndHashAndTheTransactionEndsOnIt() throws Exception {
        var big = api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(3)), NOW.minus(Duration.ofHours(3)), 12);
        var small =
                api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(2)), 3);
        FakeTaskContext ctx = new FakeTaskContext(true);
        O365AuditSourceTask t = start(ctx, props(5, 1)); // one record per poll: every boundary shows

        List<SourceRecord> out = O365AuditSourceTaskTest.pollUntil(t, ctx, 17);

        String b = big.blob().contentId();
        String s = small.blob().contentId();
        List<Object> expected = new ArrayList<>();
        big.recordIds().forEach(expected::add);
        expected.add(ledgerKey(big));
        small.recordIds().forEach(expected::add);
        expected.add(ledgerKey(small));
        assertEquals(expected, keys(out), "each entry right after its blob's last record");
        assertEquals(
                List.of(b + "#4", b + "#9", ledgerKey(big), ledgerKey(small)),
                keys(ctx.transactions.commitsOn),
                "the blob's last record ends no transaction: its entry does");

        SourceRecord lastRecord = out.get(11);
        SourceRecord entryRecord = out.get(12);
        assertEquals(LEDGER, entryRecord.topic());
        assertEquals(lastRecord.sourcePartition(), entryRecord.sourcePartition());
        assertEquals(12L, lastRecord.sourceOffset().get(StreamCursor.BLOB_RECORDS), "the last record: blob all done");
        StreamCursor after = StreamCursor.fromOffset(entryRecord.sourceOffset());
        assertNull(after.inProgress(), "the entry: past the blob");
        assertTrue(after.isDone(big.blob()));

        // the entry's count and hash are those of the blob's records on the audit topic, placed by their headers
        LedgerEntry entry = LedgerEntry.parse((String) entryRecord.value());
        BlobDigest recomputed = new BlobDigest();
        for (int i = 0; i < 12; i++) {
            SourceRecord r = out.get(i);
            assertEquals(
                    b, r.headers().lastWithName(LedgerEntry.HEADER_CONTENT_ID).value());
            assertEquals(
                    (long) i,
                    r.headers().lastWithName(LedgerEntry.HEADER_RECORD_INDEX).value());
            recomputed.add(((String) r.value()).getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(12, entry.records());
        assertEquals(recomputed.hex(), entry.sha256());
        assertEquals(recomputed.bytes(), entry.bytes());
        assertEquals(LedgerEntry.Outcome.DELIVERED, entry.outcome());
        assertEquals(big.blob().contentUri(), entry.contentUri());
        assertNotNull(entry.firstListed());
        assertEquals(ledgerKey(big), entryRecord.key());
        assertEquals(
                b,
                entryRecord
                        .headers()
                        .lastWithName(LedgerEntry.HEADER_CONTENT_ID)
                        .value());
    }

    /**
     * A blob's last record reaching the records limit does not end the transaction (its entry would fall into the
     * next one): the entry does, one record over the limit; the next blob's limit boundaries are still kept.
     */
    @Test
    void aBlobEndAtTheRecordsLimitCommitsOnTheEntryAndEveryLaterBoundaryStillCommits() throws Exception {
        var first =
                api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(3)), NOW.minus(Duration.ofHours(3)), 5);
        var second =
                api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(2)), 7);
        FakeTaskContext ctx = new FakeTaskContext(true);
        O365AuditSourceTask t = start(ctx, props(5, 100)); // whatever the batching

        O365AuditSourceTaskTest.pollUntil(t, ctx, 14);

        assertEquals(
                List.of(ledgerKey(first), second.blob().contentId() + "#4", ledgerKey(second)),
                keys(ctx.transactions.commitsOn));
    }

    /**
     * With two streams in the task, whatever the interleaving of their emissions, no transaction ends between a blob's
     * last record and its entry: the other stream's records limit, blob ends and entries wait for it.
     */
    @Test
    void withTwoStreamsNoTransactionEndsBetweenAnyBlobsLastRecordAndItsEntry() throws Exception {
        List<FakeManagementApi.FakeBlob> blobs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Instant at = NOW.minus(Duration.ofHours(20)).plus(Duration.ofMinutes(30L * i));
            blobs.add(api.addBlob(ContentType.EXCHANGE, at, at, 2 + i % 4));
            blobs.add(api.addBlob(ContentType.SHAREPOINT, at, at, 3 + i % 3));
        }
        int total = blobs.stream().mapToInt(b -> b.recordIds().size() + 1).sum();
        Map<String, String> props = props(2, 7);
        props.put(O365SourceTaskConfig.TASK_STREAMS_CONFIG, TENANT + "|Audit.Exchange," + TENANT + "|Audit.SharePoint");
        FakeTaskContext ctx = new FakeTaskContext(true);
        O365AuditSourceTask t = start(ctx, props);

        List<SourceRecord> out = O365AuditSourceTaskTest.pollUntil(t, ctx, total);

        Map<Object, Integer> at = new HashMap<>();
        for (int i = 0; i < out.size(); i++) {
            at.put(out.get(i).key(), i);
        }
        for (SourceRecord commit : ctx.transactions.commitsOn) {
            int p = out.indexOf(commit);
            for (FakeManagementApi.FakeBlob b : blobs) {
                String ct = b.blob().contentType();
                int last = at.get(b.recordIds().get(b.recordIds().size() - 1));
                int entry = at.get(LedgerEntry.key(TENANT, ct, b.blob().contentId()));
                assertTrue(
                        p < last || p >= entry,
                        "a transaction ended at " + p + " (" + commit.key() + "), between the last record of "
                                + b.blob().contentId() + " at " + last + " and its entry at " + entry);
            }
        }
        assertTrue(ctx.transactions.commitsOn.size() >= blobs.size(), "every entry's boundary kept");
    }

    @Test
    void withTheLedgerOffNoEntryIsWrittenAndTheBlobsLastRecordEndsTheTransaction() throws Exception {
        var blob = api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(3)), NOW.minus(Duration.ofHours(3)), 3);
        FakeTaskContext ctx = new FakeTaskContext(true);
        Map<String, String> p = props(5, 1);
        p.remove("o365.ledger.topic");
        O365AuditSourceTask t = start(ctx, p);

        List<SourceRecord> out = O365AuditSourceTaskTest.pollUntil(t, ctx, 3);
        // a little longer (each empty poll waits its second): no entry comes
        for (int i = 0; i < 2; i++) {
            List<SourceRecord> more = t.poll();
            if (more != null) {
                out.addAll(more);
            }
        }

        assertEquals(List.copyOf(blob.recordIds()), keys(out));
        assertEquals(List.of(blob.blob().contentId() + "#2"), keys(ctx.transactions.commitsOn));
        assertNull(out.get(2).sourceOffset().get(StreamCursor.BLOB_RECORDS), "the last record moves past the blob");
    }
}
