package io.github.auditlake.o365;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.config.ApiFactory;
import io.github.auditlake.o365.config.O365SourceConfig;
import io.github.auditlake.o365.config.O365SourceTaskConfig;
import io.github.auditlake.o365.cursor.HistoryPhase;
import io.github.auditlake.o365.history.AuditQuery;
import io.github.auditlake.o365.history.AuditSearchApi;
import io.github.auditlake.o365.history.HistoryRecord;
import io.github.auditlake.o365.history.QueryStatus;
import io.github.auditlake.o365.history.RecordPage;
import io.github.auditlake.o365.history.TimeRange;
import io.github.auditlake.o365.records.RecordMapper;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import io.github.auditlake.o365.testkit.FakeTaskContext;
import io.github.auditlake.o365.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The task with history on and two streams: a connector-defined transaction never ends inside a history query range
 * of any stream (not at the records limit, not at another stream's boundary), so a restart from any committed
 * position delivers no record twice.
 */
class HistoryTaskTest {
    static final String TENANT = O365AuditSourceTaskTest.TENANT;
    static final Instant NOW = O365AuditSourceTaskTest.NOW;
    final ManualClock clock = new ManualClock(NOW);
    final FakeManagementApi api = new FakeManagementApi(TENANT, clock);
    final List<HistoryRecord> history = new ArrayList<>();
    final List<O365AuditSourceTask> tasks = new ArrayList<>();

    @AfterEach
    void stop() {
        tasks.forEach(O365AuditSourceTask::stop);
    }

    /** Audit search over {@link #history}, each query succeeding at once. */
    final AuditSearchApi search = new AuditSearchApi() {
        final Map<String, TimeRange> queries = new HashMap<>();

        @Override
        public synchronized AuditQuery submit(TimeRange range, String displayName) {
            String id = "q" + queries.size();
            queries.put(id, range);
            return new AuditQuery(
                    id, range, QueryStatus.NOT_STARTED, OptionalLong.empty(), OptionalLong.empty(), false);
        }

        @Override
        public AuditQuery query(String id, TimeRange range) {
            return new AuditQuery(id, range, QueryStatus.SUCCEEDED, OptionalLong.empty(), OptionalLong.empty(), false);
        }

        @Override
        public synchronized RecordPage records(String id) {
            TimeRange r = queries.get(id);
            return new RecordPage(
                    history.stream().filter(h -> r.contains(h.created())).toList(), Optional.empty());
        }

        @Override
        public RecordPage page(String nextLink) {
            throw new AssertionError();
        }
    };

    @Test
    void noTransactionEndsInsideAHistoryRangeSoEveryCommittedPositionRestartsWithoutDuplicates() throws Exception {
        fourDaysOfHistory();
        // two streams in the task: another stream's boundary never ends a transaction inside an open history range
        Map<String, String> p = twoStreamsWithHistory();
        ApiFactory factory = factory();
        FakeTaskContext ctx = new FakeTaskContext(true);
        O365AuditSourceTask t = new O365AuditSourceTask(factory, clock, clock.sleeper());
        tasks.add(t);
        t.initialize(ctx);
        t.start(p);
        // each stream's history: 4 days before the seam, 3 records each half hour
        List<SourceRecord> out = O365AuditSourceTaskTest.pollUntil(t, ctx, 2 * 3 * 2 * 24 * 3);

        List<SourceRecord> fromHistory = out.stream()
                .filter(r -> r.headers().lastWithName(RecordMapper.HEADER_SOURCE) != null)
                .toList();
        assertTrue(fromHistory.size() > 400, "history records: " + fromHistory.size());
        Header source = fromHistory.get(0).headers().lastWithName(RecordMapper.HEADER_SOURCE);
        assertEquals("audit-search", source.value());
        assertTrue(ctx.transactions.commitsOn.size() >= 2, "transactions ended: " + ctx.transactions.commitsOn.size());
        // a restart from the offsets committed with a transaction resumes each stream at its h.done: every history
        // record delivered before the commit must have been created before it
        int checked = 0;
        for (SourceRecord commit : ctx.transactions.commitsOn) {
            int end = indexOf(out, commit);
            Map<Map<String, ?>, Long> resumeAt = new HashMap<>();
            for (int i = 0; i <= end; i++) {
                Object done = out.get(i).sourceOffset().get(HistoryPhase.DONE);
                if (done != null) {
                    resumeAt.put(out.get(i).sourcePartition(), ((Number) done).longValue());
                }
            }
            for (int i = 0; i <= end; i++) {
                SourceRecord r = out.get(i);
                if (r.headers().lastWithName(RecordMapper.HEADER_SOURCE) != null) {
                    Long at = resumeAt.get(r.sourcePartition());
                    assertTrue(
                            r.timestamp() < at,
                            "record " + r.key() + " committed at " + commit.key() + " would be delivered again");
                    checked++;
                }
            }
        }
        assertTrue(checked > 800);
    }

    /**
     * Two streams with history in one task, exactly-once with connector-defined transactions and a health topic (whose
     * records end transactions too): the task is stopped mid-history and a new one starts from the offsets of the
     * last transaction it committed (what a crash leaves), as Connect would. Every record of the two streams is
     * delivered exactly once across the restart. On main, another stream's boundary or a health record could end a
     * transaction inside an open history range, storing the range's start with part of its records: the restart
     * delivered that part again.
     */
    @Test
    void twoStreamsWithHistoryRestartedMidRangeDeliverEveryRecordOnce() throws Exception {
        List<String> expected = fourDaysOfHistory();
        deliveredAcrossARestart(expected);
    }

    /**
     * Elements of audit search's answer that are not audit records (no auditData), some the last of their query
     * range: each stream publishes each on the skips topic, neither stops reading nor ends a transaction inside a
     * range, and across a restart every record is still delivered exactly once.
     */
    @Test
    void unreadableElementsArePublishedAsSkipsAndEveryRecordIsStillDeliveredOnceAcrossARestart() throws Exception {
        List<String> expected = fourDaysOfHistory();
        List<String> bad = new ArrayList<>();
        // every 6 hours from the history start, a second before, up to a day before the seam (about 7 days back):
        // the ones at whole days end their one-day range
        for (Instant t =
                        NOW.minus(Duration.ofDays(10)).plus(Duration.ofHours(6)).minusSeconds(1);
                t.isBefore(NOW.minus(Duration.ofDays(8)));
                t = t.plus(Duration.ofHours(6))) {
            String id = "bad-" + t.getEpochSecond();
            bad.add(id);
            history.add(HistoryRecord.unreadable(
                    id, t, "{\"id\":\"" + id + "\",\"auditData\":null}", "a record without auditData"));
        }
        List<SourceRecord> delivered = deliveredAcrossARestart(expected);
        Map<String, Integer> skipped = new HashMap<>();
        for (SourceRecord r : delivered) {
            if (r.topic().equals("o365-audit-skips")) {
                String v = String.valueOf(r.value());
                for (String id : bad) {
                    if (v.contains(id)) {
                        assertTrue(v.contains("without auditData"), v);
                        skipped.merge(id, 1, Integer::sum);
                    }
                }
            }
        }
        Map<String, Integer> twice = new HashMap<>();
        bad.forEach(id -> twice.put(id, 2));
        assertEquals(twice, skipped, "each unreadable element on the skips topic once per stream");
    }

    /**
     * Runs {@link #twoStreamsWithHistory} with a health topic on a first task, stops it mid-history and starts a second
     * one from the offsets of the first's worst committed transaction (what a crash leaves); asserts every record of
     * {@code expected} delivered exactly once across the restart and returns what was delivered (committed by the
     * first, then the second's).
     */
    private List<SourceRecord> deliveredAcrossARestart(List<String> expected) throws Exception {
        Map<String, String> p = twoStreamsWithHistory();
        p.put("o365.health.topic", "o365-health");
        ApiFactory factory = factory();
        FakeTaskContext first = new FakeTaskContext(true);
        O365AuditSourceTask t1 = new O365AuditSourceTask(factory, clock, clock.sleeper());
        tasks.add(t1);
        t1.initialize(first);
        t1.start(p);
        List<SourceRecord> out = O365AuditSourceTaskTest.pollUntil(t1, first, expected.size() / 3);
        t1.stop();
        tasks.remove(t1);
        assertFalse(first.transactions.commitsOn.isEmpty(), "no transaction ended");
        // what a crash leaves: the records and offsets of the transactions committed, the rest aborted. The crash
        // comes right after the commit whose stored positions are the worst for a restart (the most history records
        // committed but created after where their stream would resume), else after a commit in the middle of history
        int end = worstCommit(out, first.transactions.commitsOn);
        FakeTaskContext second = new FakeTaskContext(true);
        List<SourceRecord> committed = out.subList(0, end + 1);
        committed.forEach(second::store);
        Map<String, Integer> counts = new HashMap<>();
        committed.forEach(r -> count(counts, r));
        long historyCommitted = committed.stream()
                .filter(r -> r.headers().lastWithName(RecordMapper.HEADER_SOURCE) != null)
                .count();
        assertTrue(historyCommitted > 0, "the first task committed history records");
        assertTrue(
                committed.stream().anyMatch(r -> {
                    Object seam = r.sourceOffset().get(HistoryPhase.SEAM);
                    Object done = r.sourceOffset().get(HistoryPhase.DONE);
                    return seam != null && done != null && ((Number) done).longValue() < ((Number) seam).longValue();
                }),
                "the restart happens during history");

        O365AuditSourceTask t2 = new O365AuditSourceTask(factory, clock, clock.sleeper());
        tasks.add(t2);
        t2.initialize(second);
        t2.start(p);
        List<SourceRecord> again = new ArrayList<>();
        io.github.auditlake.o365.testkit.Await.untilBlocking(
                Duration.ofSeconds(20),
                io.github.auditlake.o365.testkit.Await.checked(() -> {
                    List<SourceRecord> batch = t2.poll();
                    if (batch != null) {
                        for (SourceRecord r : batch) {
                            again.add(r);
                            t2.commitRecord(r, null);
                            count(counts, r);
                        }
                    }
                    return counts.keySet().containsAll(expected);
                }),
                () -> "delivered " + counts.size() + " of " + expected.size());
        Map<String, Integer> twice = new HashMap<>();
        counts.forEach((id, n) -> {
            if (n != 1) {
                twice.put(id, n);
            }
        });
        assertEquals(Map.of(), twice, "records delivered more than once across the restart");
        assertEquals(expected.size(), counts.size());
        List<SourceRecord> all = new ArrayList<>(committed);
        all.addAll(again);
        return all;
    }

    /**
     * The index in {@code out} of the commit after which a restart would deliver the most history records again (those
     * committed but created at or after their stream's stored {@code h.done}); with none, the middle commit of those
     * stored inside history.
     */
    static int worstCommit(List<SourceRecord> out, List<SourceRecord> commits) {
        int worst = -1;
        long most = 0;
        List<Integer> insideHistory = new ArrayList<>();
        for (SourceRecord commit : commits) {
            int end = indexOf(out, commit);
            Map<Map<String, ?>, Map<String, ?>> stored = new HashMap<>();
            for (int i = 0; i <= end; i++) {
                if (out.get(i).sourcePartition() != null) {
                    stored.put(out.get(i).sourcePartition(), out.get(i).sourceOffset());
                }
            }
            long again = 0;
            boolean inHistory = false;
            for (int i = 0; i <= end; i++) {
                SourceRecord r = out.get(i);
                Map<String, ?> at = stored.get(r.sourcePartition());
                Object done = at == null ? null : at.get(HistoryPhase.DONE);
                if (done == null) {
                    continue;
                }
                inHistory |= ((Number) done).longValue() < ((Number) at.get(HistoryPhase.SEAM)).longValue();
                if (r.headers().lastWithName(RecordMapper.HEADER_SOURCE) != null
                        && r.timestamp() >= ((Number) done).longValue()) {
                    again++;
                }
            }
            if (again > most) {
                most = again;
                worst = end;
            }
            if (inHistory) {
                insideHistory.add(end);
            }
        }
        if (worst >= 0) {
            return worst;
        }
        assertFalse(insideHistory.isEmpty(), "no transaction ended during history");
        return insideHistory.get(insideHistory.size() / 2);
    }

    /** Counts an audit record by its key (the Id); other records (health) are left out. */
    private static void count(Map<String, Integer> counts, SourceRecord r) {
        if (r.topic().startsWith("audit.")) {
            counts.merge(String.valueOf(r.key()), 1, Integer::sum);
        }
    }

    static int indexOf(List<SourceRecord> out, SourceRecord r) {
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i) == r) {
                return i;
            }
        }
        throw new AssertionError("not polled: " + r.key());
    }

    /**
     * Audit.Exchange and Audit.General blobs every half hour from 10 to 6 days ago, 3 records each, which audit search
     * also holds (created 30 s before their blob); returns the records' Ids.
     */
    List<String> fourDaysOfHistory() {
        List<String> ids = new ArrayList<>();
        for (ContentType type : new ContentType[] {ContentType.EXCHANGE, ContentType.GENERAL}) {
            for (Instant t = NOW.minus(Duration.ofDays(10)).plus(Duration.ofMinutes(20));
                    t.isBefore(NOW.minus(Duration.ofDays(6)));
                    t = t.plus(Duration.ofMinutes(30))) {
                FakeManagementApi.FakeBlob b = api.addBlob(type, t, t, 3);
                ids.addAll(b.recordIds());
                for (int i = 0; i < 3; i++) {
                    history.add(new HistoryRecord(
                            b.recordIds().get(i), t.minusSeconds(30), b.json().get(i), 2, "Exchange", type));
                }
            }
        }
        return ids;
    }

    /** A task's settings: Audit.Exchange and Audit.General in one task, history from 10 days back, small transactions. */
    static Map<String, String> twoStreamsWithHistory() {
        Map<String, String> p = new HashMap<>();
        p.put("o365.tenant.id", TENANT);
        p.put("o365.client.id", "app");
        p.put("o365.client.secret", "s3cret");
        p.put("o365.heartbeat.interval.ms", "0");
        p.put("topic", "audit.${contentType}");
        p.put("o365.history.start", "P10D");
        p.put("o365.transaction.max.records", "7");
        p.put("o365.batch.max.records", "13");
        p.put(O365SourceTaskConfig.TASK_STREAMS_CONFIG, TENANT + "|Audit.Exchange," + TENANT + "|Audit.General");
        p.put(O365SourceTaskConfig.TASK_REQUESTS_PER_MINUTE_CONFIG, "100");
        return p;
    }

    /** The task's APIs: the fake Management API and the fake audit search. */
    ApiFactory factory() {
        return new ApiFactory() {
            @Override
            public ManagementApi create(O365SourceConfig c, int rpm, boolean v) {
                return api;
            }

            @Override
            public AuditSearchApi auditSearch(O365SourceConfig c, String tenant) {
                return search;
            }
        };
    }
}
