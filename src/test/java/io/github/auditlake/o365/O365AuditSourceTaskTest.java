package io.github.auditlake.o365;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.config.ApiFactory;
import io.github.auditlake.o365.config.O365SourceTaskConfig;
import io.github.auditlake.o365.engine.MemoryBudget;
import io.github.auditlake.o365.records.RecordMapper;
import io.github.auditlake.o365.testkit.Await;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import io.github.auditlake.o365.testkit.FakeTaskContext;
import io.github.auditlake.o365.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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

    /** Polls until at least {@code n} records came, committing (storing the offset of) each one. */
    static List<SourceRecord> pollUntil(O365AuditSourceTask t, FakeTaskContext ctx, int n) {
        List<SourceRecord> out = new ArrayList<>();
        Await.untilBlocking(
                Duration.ofSeconds(20),
                Await.checked(() -> {
                    List<SourceRecord> batch = t.poll();
                    if (batch != null) {
                        for (SourceRecord r : batch) {
                            out.add(r);
                            ctx.store(r);
                            t.commitRecord(r, null); // as the worker does once the broker acknowledged it
                        }
                    }
                    return out.size() >= n;
                }),
                () -> "only " + out.size() + " of " + n + " records");
        return out;
    }

    /** Every batch {@code poll()} returned (null batches left out) until {@code n} records came. */
    static List<List<SourceRecord>> pollBatchesUntil(O365AuditSourceTask t, int n) {
        List<List<SourceRecord>> batches = new ArrayList<>();
        Await.untilBlocking(
                Duration.ofSeconds(20),
                Await.checked(() -> {
                    List<SourceRecord> batch = t.poll();
                    if (batch != null) {
                        batches.add(batch);
                    }
                    return batches.stream().mapToInt(List::size).sum() >= n;
                }),
                () -> "only " + batches.stream().mapToInt(List::size).sum() + " of " + n + " records");
        return batches;
    }

    static List<Object> keys(List<SourceRecord> records) {
        return records.stream().map(SourceRecord::key).toList();
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
        assertEquals(
                TENANT, r.headers().lastWithName(RecordMapper.HEADER_TENANT).value());
        assertEquals(
                blob.blob().contentId(),
                r.headers().lastWithName(RecordMapper.HEADER_CONTENT_ID).value());
        assertEquals(
                "MailItemsAccessed",
                r.headers().lastWithName(RecordMapper.HEADER_OPERATION).value());
        assertEquals(
                2, r.headers().lastWithName(RecordMapper.HEADER_RECORD_TYPE).value());
    }

    /**
     * The worker committed the offsets of the first 10 records only (2 whole blobs and 2 records of the third), and
     * the task crashed with the rest of its batches undelivered. The next task must start inside the third blob, at
     * its third record: nothing lost, nothing delivered twice.
     */
    @Test
    void resumesFromTheCommittedOffsetInsideABlobAfterARestart() throws Exception {
        List<String> expected =
                api.addSchedule(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(10)), NOW, Duration.ofMinutes(45), 4);
        FakeTaskContext ctx = new FakeTaskContext(false);
        O365AuditSourceTask first = start(ctx, props(TENANT + "|Audit.Exchange"));
        List<SourceRecord> polled =
                pollBatchesUntil(first, 10).stream().flatMap(List::stream).toList();
        first.stop();
        tasks.remove(first);
        List<SourceRecord> committed = polled.subList(0, 10);
        committed.forEach(ctx::store);
        Map<String, Object> stored = ctx.offsets.get(Map.of("tenant", TENANT, "contentType", "Audit.Exchange"));
        assertEquals(2L, ((Number) stored.get("blob.records")).longValue(), "cut inside a blob: " + stored);
        assertEquals(expected.get(9), stored.get("blob.last"));

        O365AuditSourceTask second = start(ctx, props(TENANT + "|Audit.Exchange"));
        List<SourceRecord> after = pollUntil(second, ctx, expected.size() - 10);

        assertEquals(expected.get(10), after.get(0).key(), "the second task starts at the stored in-blob position");
        List<Object> delivered = new ArrayList<>(keys(committed));
        delivered.addAll(keys(after));
        assertEquals(expected, delivered, "every record once, in order");
        assertEquals(0, second.metrics().blobsResynced.sum(), "the resume point was checked and held");
    }

    /**
     * With exactly two tenants, one tenant's permanent error (a revoked permission) is isolated: the task keeps
     * polling and delivers the other tenant's records instead of failing. Two is the smallest multi-tenant case, so a
     * task that only isolated failures from three tenants on fails here.
     */
    @Test
    void withExactlyTwoTenantsOneTenantsPermanentErrorDoesNotStopTheOther() throws Exception {
        String other = "bbbbbbbb-2222-4333-8444-555555555502";
        FakeManagementApi failing = new FakeManagementApi(other, clock);
        failing.failListing(new ApiException(
                ErrorKind.PERMANENT,
                403,
                "AF10001",
                "The permission set () sent in the request does not include the expected permission.",
                null,
                null,
                null));
        List<String> expected =
                api.addSchedule(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(6)), NOW, Duration.ofMinutes(45), 3);
        ApiFactory perTenant = new ApiFactory() {
            @Override
            public io.github.auditlake.o365.api.ManagementApi create(
                    io.github.auditlake.o365.config.O365SourceConfig c, int rpm, boolean v) {
                throw new AssertionError("a multi-tenant task asks for each tenant's client");
            }

            @Override
            public io.github.auditlake.o365.api.ManagementApi create(
                    io.github.auditlake.o365.config.O365SourceConfig c, String tenant, int rpm, boolean v) {
                return tenant.equals(TENANT) ? api : failing;
            }
        };
        Map<String, String> p = props(TENANT + "|Audit.Exchange," + other + "|Audit.Exchange");
        p.remove("o365.tenant.id");
        p.put("o365.tenant.ids", TENANT + "," + other);
        FakeTaskContext ctx = new FakeTaskContext(false);
        O365AuditSourceTask t = new O365AuditSourceTask(perTenant, clock, clock.sleeper());
        tasks.add(t);
        t.initialize(ctx);
        t.start(p);

        List<SourceRecord> got = pollUntil(t, ctx, expected.size() + 1).stream()
                .filter(r -> !String.valueOf(r.key()).contains("|")) // not the failing stream's report
                .toList();

        assertEquals(expected, keys(got), "the healthy tenant's records, every one, in order");
        Await.until(
                Duration.ofSeconds(20),
                () -> t.metrics().streamFailures.sum() >= 1,
                () -> "the failing tenant is reported in the metrics");
        for (int i = 0; i < 3; i++) {
            t.poll(); // the task goes on polling: the failing tenant never fails it
        }
    }

    /**
     * Adding a tenant is a configuration update: the first tenant's stream resumes at its stored offset (nothing
     * delivered again), and the new tenant's stream starts at the initial lookback.
     */
    @Test
    void addingATenantKeepsTheOtherTenantsOffsets() throws Exception {
        String added = "bbbbbbbb-2222-4333-8444-555555555502";
        FakeManagementApi second = new FakeManagementApi(added, clock);
        List<String> before =
                api.addSchedule(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(6)), NOW, Duration.ofMinutes(45), 2);
        List<String> addedRecords = second.addSchedule(
                ContentType.EXCHANGE, NOW.minus(Duration.ofHours(6)).plusSeconds(7), NOW, Duration.ofMinutes(45), 2);
        FakeTaskContext ctx = new FakeTaskContext(false);
        O365AuditSourceTask one = start(ctx, props(TENANT + "|Audit.Exchange"));
        pollUntil(one, ctx, before.size());
        one.stop();
        tasks.remove(one);

        clock.advance(Duration.ofHours(1));
        List<String> later = api.addSchedule(
                ContentType.EXCHANGE,
                NOW.plus(Duration.ofMinutes(10)),
                NOW.plus(Duration.ofMinutes(30)),
                Duration.ofMinutes(15),
                2);
        ApiFactory perTenant = new ApiFactory() {
            @Override
            public io.github.auditlake.o365.api.ManagementApi create(
                    io.github.auditlake.o365.config.O365SourceConfig c, int rpm, boolean v) {
                throw new AssertionError("a multi-tenant task asks for each tenant's client");
            }

            @Override
            public io.github.auditlake.o365.api.ManagementApi create(
                    io.github.auditlake.o365.config.O365SourceConfig c, String tenant, int rpm, boolean v) {
                return tenant.equals(TENANT) ? api : second;
            }
        };
        Map<String, String> p = props(TENANT + "|Audit.Exchange," + added + "|Audit.Exchange");
        p.remove("o365.tenant.id");
        p.put("o365.tenant.ids", TENANT + "," + added);
        O365AuditSourceTask two = new O365AuditSourceTask(perTenant, clock, clock.sleeper());
        tasks.add(two);
        two.initialize(ctx);
        two.start(p);

        List<Object> got = keys(pollUntil(two, ctx, later.size() + addedRecords.size()));

        List<Object> firstTenant =
                got.stream().filter(k -> !addedRecords.contains(k)).toList();
        assertEquals(later, firstTenant, "the first tenant resumed where it was: only its new records, once");
        assertEquals(
                addedRecords,
                got.stream().filter(addedRecords::contains).toList(),
                "the added tenant starts at the initial lookback (one day): all of its six hours");
    }

    /**
     * A restart inside a blob checks that the record before the resume point still has the {@code Id} delivered
     * before the restart. When the service rewrote the blob (another record there), the blob is delivered again
     * from its first record: duplicates, never loss.
     */
    @Test
    void aResumePointWhoseLastIdNoLongerMatchesDeliversTheBlobAgainFromItsFirstRecord() throws Exception {
        List<String> expected =
                api.addSchedule(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(10)), NOW, Duration.ofMinutes(45), 4);
        FakeTaskContext ctx = new FakeTaskContext(false);
        O365AuditSourceTask first = start(ctx, props(TENANT + "|Audit.Exchange"));
        List<SourceRecord> polled =
                pollBatchesUntil(first, 10).stream().flatMap(List::stream).toList();
        first.stop();
        tasks.remove(first);
        polled.subList(0, 10).forEach(ctx::store); // cut after the second record of the third blob
        Map<String, Object> partition = Map.of("tenant", TENANT, "contentType", "Audit.Exchange");
        Map<String, Object> stored = new HashMap<>(ctx.offsets.get(partition));
        assertEquals(2L, ((Number) stored.get("blob.records")).longValue(), "cut inside a blob: " + stored);
        stored.put("blob.last", "an-id-the-blob-no-longer-holds-there");
        ctx.offsets.put(partition, stored);

        O365AuditSourceTask second = start(ctx, props(TENANT + "|Audit.Exchange"));
        List<SourceRecord> after = pollUntil(second, ctx, expected.size() - 8);

        assertEquals(expected.get(8), after.get(0).key(), "the third blob again, from its first record");
        assertEquals(expected.subList(8, expected.size()), keys(after), "then everything after it, once");
        assertEquals(1, second.metrics().blobsResynced.sum(), "the mismatch is counted");
    }

    /** A polled record leaves the budget only when Connect is done with it (commitRecord), not when polled. */
    @Test
    void polledRecordsStayInTheBudgetUntilConnectCommitsThem() throws Exception {
        List<String> expected =
                api.addSchedule(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(10)), NOW, Duration.ofMinutes(45), 4);
        MemoryBudget shared = MemoryBudget.workerWide(32L << 20);
        long before = shared.usedBytes();
        O365AuditSourceTask t = start(new FakeTaskContext(false), props(TENANT + "|Audit.Exchange"));
        List<SourceRecord> polled = pollBatchesUntil(t, expected.size()).stream()
                .flatMap(List::stream)
                .toList();
        long charged = polled.stream()
                .mapToLong(r -> r instanceof O365AuditSourceTask.ChargedRecord c ? c.charged : 0)
                .sum();

        assertTrue(charged > 0);
        assertEquals(before + charged, shared.usedBytes(), "every polled record still counts");
        for (SourceRecord r : polled) {
            t.commitRecord(r, null);
        }
        t.poll(); // released bytes are handed to the budget in batches, and at every poll
        assertEquals(before, shared.usedBytes(), "committed records left the budget");
    }

    /**
     * Tasks share the worker-wide memory budget: a stopped task returns what it held (records fetched ahead and
     * records not yet polled), so stopping and restarting tasks never leaks budget.
     */
    @Test
    void stoppedTasksReturnTheirBytesToTheWorkerWideBudget() throws Exception {
        api.addSchedule(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(10)), NOW, Duration.ofMinutes(45), 200);
        MemoryBudget shared = MemoryBudget.workerWide(32L << 20);
        long before = shared.usedBytes();
        for (int round = 0; round < 3; round++) {
            FakeTaskContext ctx = new FakeTaskContext(false);
            O365AuditSourceTask t = start(ctx, props(TENANT + "|Audit.Exchange"));
            pollUntil(t, ctx, 10);
            // records fetched ahead and not polled yet are in the budget
            Await.until(Duration.ofSeconds(20), () -> shared.usedBytes() > before, () -> "nothing charged");
            t.stop();
            tasks.remove(t);
            assertEquals(before, shared.usedBytes(), "round " + round + ": the stopped task returned every byte");
        }
    }

    /**
     * With transaction.boundary=connector, transactions end after o365.transaction.max.records records inside a
     * large blob, and at every blob end. One record per poll, so every boundary shows.
     */
    @Test
    void transactionsEndAfterTheMaximumRecordsInsideABlobAndAtEachBlobEnd() throws Exception {
        var big = api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(3)), NOW.minus(Duration.ofHours(3)), 12);
        var small =
                api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(2)), 3);
        FakeTaskContext ctx = new FakeTaskContext(true);
        Map<String, String> p = props(TENANT + "|Audit.Exchange");
        p.put("o365.transaction.max.records", "5");
        p.put("o365.batch.max.records", "1");
        O365AuditSourceTask t = start(ctx, p);

        pollUntil(t, ctx, 15);

        String b = big.blob().contentId();
        assertEquals(
                List.of(b + "#4", b + "#9", b + "#11", small.blob().contentId() + "#2"),
                keys(ctx.transactions.commitsOn));
    }

    /** Whatever the batching, no transaction holds more than o365.transaction.max.records records. */
    @Test
    void noTransactionExceedsTheMaximumWhateverTheBatching() throws Exception {
        List<String> expected = new ArrayList<>(
                api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(3)), NOW.minus(Duration.ofHours(3)), 23)
                        .recordIds());
        FakeTaskContext ctx = new FakeTaskContext(true);
        Map<String, String> p = props(TENANT + "|Audit.Exchange");
        p.put("o365.transaction.max.records", "5");
        p.put("o365.batch.max.records", "4");
        O365AuditSourceTask t = start(ctx, p);

        List<Object> delivered = keys(pollUntil(t, ctx, 23));

        assertEquals(expected, delivered);
        int previous = -1;
        for (SourceRecord c : ctx.transactions.commitsOn) {
            int at = delivered.indexOf(c.key());
            assertTrue(at - previous <= 5, "a transaction of " + (at - previous) + " records ending at " + c.key());
            previous = at;
        }
        assertEquals(22, previous, "the last record ends a transaction");
    }

    /** poll() never returns more than o365.batch.max.records records, however many are ready. */
    @Test
    void aPollReturnsAtMostTheBatchSize() throws Exception {
        var blob =
                api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(3)), NOW.minus(Duration.ofHours(3)), 40);
        FakeTaskContext ctx = new FakeTaskContext(false);
        Map<String, String> p = props(TENANT + "|Audit.Exchange");
        p.put("o365.batch.max.records", "3");
        O365AuditSourceTask t = start(ctx, p);

        List<List<SourceRecord>> batches = pollBatchesUntil(t, 40);

        assertEquals(
                blob.recordIds(), keys(batches.stream().flatMap(List::stream).toList()));
        for (List<SourceRecord> batch : batches) {
            assertTrue(batch.size() <= 3, "a poll returned " + batch.size() + " records");
        }
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
            assertTrue(
                    r.key().equals(b1.blob().contentId() + "#2")
                            || r.key().equals(b2.blob().contentId() + "#2"),
                    "commit on the last record of a blob, not " + r.key());
        }
        assertEquals(
                b2.blob().contentId() + "#2",
                ctx.transactions
                        .commitsOn
                        .get(ctx.transactions.commitsOn.size() - 1)
                        .key());
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
        api.failListing(new ApiException(
                ErrorKind.PERMANENT,
                400,
                "AF20013",
                "The tenant ID passed in the URL (x) is not a valid GUID.",
                null,
                null,
                null));
        FakeTaskContext ctx = new FakeTaskContext(false);
        O365AuditSourceTask t = start(ctx, props(TENANT + "|Audit.Exchange"));
        ConnectException e = assertThrows(ConnectException.class, () -> pollUntil(t, ctx, 1));
        assertTrue(e.getMessage().contains("not a valid GUID"), e.getMessage());
        assertNotNull(t.metrics());
    }
}
