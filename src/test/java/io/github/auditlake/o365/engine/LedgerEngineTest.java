package io.github.auditlake.o365.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.cursor.WindowPlanner;
import io.github.auditlake.o365.ledger.BlobDigest;
import io.github.auditlake.o365.ledger.LedgerEntry;
import io.github.auditlake.o365.metrics.EngineMetrics;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import io.github.auditlake.o365.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The completeness ledger in the engine: each blob's chain, across restarts, and its entry when the blob ends. */
class LedgerEngineTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final StreamId EXCHANGE = new StreamId(TENANT, ContentType.EXCHANGE);

    final ManualClock clock = new ManualClock(NOW);
    final FakeManagementApi api = new FakeManagementApi(TENANT, clock);
    final List<CollectionEngine> engines = new ArrayList<>();

    @AfterEach
    void close() {
        engines.forEach(CollectionEngine::close);
    }

    int recordMaxBytes = Integer.MAX_VALUE;

    EngineSettings settings(boolean ledger) {
        return EngineSettings.builder(
                        new WindowPlanner(
                                Duration.ofHours(1),
                                Duration.ofHours(24),
                                Duration.ofMinutes(15),
                                Duration.ofMinutes(15)),
                        Duration.ofDays(1))
                .fetchConcurrency(2)
                .bufferMaxBytes(1 << 20)
                .outputCapacity(256)
                .heartbeatInterval(Duration.ZERO)
                .ledger(ledger)
                .recordMaxBytes(recordMaxBytes)
                .build();
    }

    CollectionEngine engine(StreamCursor start, boolean ledger) {
        CollectionEngine e = new CollectionEngine(
                List.of(EXCHANGE),
                t -> api,
                start == null ? Map.of() : Map.of(EXCHANGE, start),
                settings(ledger),
                clock,
                clock.sleeper(),
                new Random(7),
                new EngineMetrics());
        engines.add(e);
        e.start();
        return e;
    }

    /** Polls until {@code done} holds over everything emitted so far, with a wall-clock deadline. */
    static List<Emission> drain(CollectionEngine e, Predicate<List<Emission>> done) throws Exception {
        List<Emission> all = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.test(all)) {
            assertTrue(System.nanoTime() < deadline, "timed out; got " + all);
            all.addAll(e.poll(Duration.ofMillis(100), 500));
        }
        return all;
    }

    static Predicate<List<Emission>> entries(int n) {
        return all -> ledger(all).size() >= n;
    }

    static List<LedgerEntry> ledger(List<Emission> all) {
        return all.stream()
                .filter(m -> m instanceof Emission.Ledger)
                .map(m -> ((Emission.Ledger) m).entry())
                .toList();
    }

    static List<Emission.Event> events(List<Emission> all) {
        return CollectionEngineTest.events(all);
    }

    /** The stored form of the position an emission carried, as a restart reads it. */
    static StreamCursor stored(Emission e) {
        return StreamCursor.fromOffset(e.cursorAfter().toOffset());
    }

    static String chain(List<String> values) {
        BlobDigest d = new BlobDigest();
        values.forEach(v -> d.add(v.getBytes(StandardCharsets.UTF_8)));
        return d.hex();
    }

    @Test
    void aBlobDeliveredAcrossTwoRestartsGetsTheSameEntryAsOneDeliveredInOneGo() throws Exception {
        var blob =
                api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(5)), NOW.minus(Duration.ofHours(5)), 10);

        CollectionEngine whole = engine(null, true);
        LedgerEntry inOneGo = ledger(drain(whole, entries(1))).get(0);
        whole.close();

        CollectionEngine first = engine(null, true);
        List<Emission> a = drain(first, all -> events(all).size() >= 4);
        first.close();
        StreamCursor afterFour = stored(events(a).get(3));
        assertEquals(4, afterFour.inProgress().recordsDone(), "stopped inside the blob");
        assertNotNull(afterFour.inProgress().ledger(), "the chain is in the offset");

        CollectionEngine second = engine(afterFour, true);
        List<Emission> b = drain(second, all -> events(all).size() >= 3);
        second.close();
        assertEquals(4, events(b).get(0).index(), "resumed at the 5th record");
        StreamCursor afterSeven = stored(events(b).get(2));
        assertEquals(7, afterSeven.inProgress().recordsDone());

        CollectionEngine third = engine(afterSeven, true);
        List<Emission> c = drain(third, entries(1));
        assertEquals(3, events(c).size(), "the last 3 records, once");
        LedgerEntry resumed = ledger(c).get(0);

        assertEquals(chain(blob.json()), inOneGo.sha256(), "the chain over the records' UTF-8 JSON, in order");
        assertEquals(10, inOneGo.records());
        assertEquals(0, inOneGo.chainFrom());
        assertEquals(inOneGo.sha256(), resumed.sha256(), "a restart goes on with the stored chain");
        assertEquals(inOneGo.records(), resumed.records());
        assertEquals(inOneGo.bytes(), resumed.bytes());
        assertEquals(0, resumed.chainFrom());
        assertEquals(LedgerEntry.Outcome.DELIVERED, resumed.outcome());
        assertEquals(blob.blob().contentId(), resumed.contentId());
        assertEquals(blob.blob().contentUri(), resumed.contentUri());
        assertEquals(blob.blob().contentCreated(), resumed.contentCreated());
        assertEquals(blob.blob().contentExpiration(), resumed.contentExpiration());
        assertNotNull(resumed.firstListed(), "the first listing time survives the restarts");
        assertEquals(
                afterFour.inProgress().ledger().firstListed(),
                resumed.firstListed(),
                "the time of the first listing, not of the re-listing after the restart");
        assertNotNull(resumed.handedOver());
        assertEquals(TENANT + "|Audit.Exchange|" + blob.blob().contentId(), resumed.key());
    }

    @Test
    void anOffsetWrittenWithoutTheLedgerStartsTheChainAtTheResumedIndex() throws Exception {
        var blob =
                api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(5)), NOW.minus(Duration.ofHours(5)), 10);
        CollectionEngine old = engine(null, false);
        List<Emission> a = drain(old, all -> events(all).size() >= 4);
        old.close();
        assertTrue(ledger(a).isEmpty(), "no entries with the ledger off");
        StreamCursor legacy = stored(events(a).get(3));
        assertNull(legacy.inProgress().ledger(), "no chain stored with the ledger off");
        assertFalse(legacy.toOffset().containsKey(StreamCursor.BLOB_CHAIN_SHA));

        List<Emission> b = drain(engine(legacy, true), entries(1));

        LedgerEntry e = ledger(b).get(0);
        assertEquals(4, e.chainFrom(), "the chain covers the records delivered since the upgrade");
        assertEquals(6, e.records());
        assertEquals(chain(blob.json().subList(4, 10)), e.sha256());
        assertNull(e.firstListed(), "unknown for a blob listed before the upgrade");
        assertEquals(0, e.elementsSkipped());
    }

    @Test
    void aSkippedBlobGetsAnEntryWithTheSkipsReasonAfterTheSkip() throws Exception {
        var gone = api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(6)), NOW.minus(Duration.ofHours(6)), 2);
        api.failOpen(gone.blob().contentId(), ErrorKind.SKIP_BLOB);
        api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(5)), NOW.minus(Duration.ofHours(5)), 2);

        List<Emission> all = drain(engine(null, true), entries(2));

        Emission.Skip skip = CollectionEngineTest.skips(all).get(0);
        int at = all.indexOf(skip);
        Emission.Ledger entry = (Emission.Ledger) all.get(at + 1);
        assertEquals(gone.blob().contentId(), entry.entry().contentId(), "the entry right after its skip");
        assertEquals(LedgerEntry.Outcome.SKIPPED, entry.entry().outcome());
        assertEquals(skip.reason(), entry.entry().skipReason(), "the reason of the skips topic");
        assertEquals(0, entry.entry().records());
        assertEquals(BlobDigest.EMPTY, entry.entry().sha256());
        assertNotNull(skip.cursorAfter().inProgress(), "the skip keeps the blob in progress");
        assertFalse(skip.cursorAfter().isDone(gone.blob()));
        assertTrue(entry.cursorAfter().isDone(gone.blob()), "the entry moves past the blob");
        assertNull(entry.cursorAfter().inProgress());
        LedgerEntry delivered = ledger(all).get(1);
        assertEquals(LedgerEntry.Outcome.DELIVERED, delivered.outcome());
        assertNull(delivered.skipReason());
    }

    @Test
    void theLastRecordKeepsTheBlobInProgressAndARestartThereWritesTheEntryOnce() throws Exception {
        var blob = api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(5)), NOW.minus(Duration.ofHours(5)), 3);
        CollectionEngine first = engine(null, true);
        List<Emission> a = drain(first, entries(1));
        first.close();
        Emission.Event last = events(a).get(2);
        assertTrue(last.blobEnd());
        assertEquals(3, last.cursorAfter().inProgress().recordsDone(), "all done, still in progress");
        Emission.Ledger entry = (Emission.Ledger) a.get(a.indexOf(last) + 1);
        assertTrue(entry.cursorAfter().isDone(blob.blob()));

        // a restart after the last record was committed, before its entry was
        List<Emission> b = drain(engine(stored(last), true), entries(1));

        assertTrue(events(b).isEmpty(), "no record again: " + b);
        assertEquals(entry.entry().sha256(), ledger(b).get(0).sha256());
        assertEquals(3, ledger(b).get(0).records());
    }

    @Test
    void recordIndexesCountEveryElementAndTheChainLeavesOutTheSkippedOnes() throws Exception {
        String a = "{\"Id\":\"a\",\"CreationTime\":\"2026-11-20T06:59:00\"}";
        String c = "{\"Id\":\"c\",\"CreationTime\":\"2026-11-20T06:59:00\"}";
        String d = "{\"Id\":\"d\",\"CreationTime\":\"2026-11-20T06:59:00\"}";
        api.addRawBlob(
                ContentType.EXCHANGE,
                NOW.minus(Duration.ofHours(5)),
                NOW.minus(Duration.ofHours(5)),
                List.of(
                        new AuditRecord(a, "a", "2026-11-20T06:59:00", null, null, null),
                        AuditRecord.notARecord("42", "not a JSON object"),
                        new AuditRecord(c, "c", "2026-11-20T06:59:00", null, null, null),
                        new AuditRecord(d, "d", "2026-11-20T06:59:00", null, null, null)));

        List<Emission> all = drain(engine(null, true), entries(1));

        assertEquals(
                List.of(0L, 2L, 3L),
                events(all).stream().map(Emission.Event::index).toList());
        LedgerEntry e = ledger(all).get(0);
        assertEquals(3, e.records());
        assertEquals(1, e.elementsSkipped());
        assertEquals(chain(List.of(a, c, d)), e.sha256());
        assertEquals(a.length() + c.length() + d.length(), e.bytes());
    }

    /** A record over o365.record.max.bytes goes to the skips topic (the task's mapper): the chain leaves it out too. */
    @Test
    void aRecordOverTheSizeLimitIsLeftOutOfTheChainAndCountedAsSkipped() throws Exception {
        recordMaxBytes = 1024;
        String small = "{\"Id\":\"a\",\"CreationTime\":\"2026-11-20T06:59:00\"}";
        String big = "{\"Id\":\"b\",\"Pad\":\"" + "x".repeat(2000) + "\"}";
        api.addRawBlob(
                ContentType.EXCHANGE,
                NOW.minus(Duration.ofHours(5)),
                NOW.minus(Duration.ofHours(5)),
                List.of(
                        new AuditRecord(small, "a", "2026-11-20T06:59:00", null, null, null),
                        new AuditRecord(big, "b", "2026-11-20T06:59:00", null, null, null)));

        LedgerEntry e = ledger(drain(engine(null, true), entries(1))).get(0);

        assertEquals(1, e.records());
        assertEquals(1, e.elementsSkipped());
        assertEquals(chain(List.of(small)), e.sha256());
    }

    /** A blob made visible hours late is found by a sweep, and gets its entry when it is delivered: once. */
    @Test
    void aStragglerFoundByASweepGetsItsEntryOnceWhenItIsDelivered() throws Exception {
        var onTime =
                api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(4)), NOW.minus(Duration.ofHours(4)), 2);
        // created 3 hours ago, visible 90 minutes from now: past the re-listed hour, only the day sweep finds it
        Instant visible = NOW.plus(Duration.ofMinutes(90));
        var late = api.addBlob(ContentType.EXCHANGE, NOW.minus(Duration.ofHours(3)), visible, 2);
        String lateId = late.blob().contentId();

        List<Emission> all = drain(
                engine(null, true),
                a -> ledger(a).stream().anyMatch(e -> e.contentId().equals(lateId))
                        && clock.instant().isAfter(visible.plus(Duration.ofMinutes(45))));

        List<LedgerEntry> forLate =
                ledger(all).stream().filter(e -> e.contentId().equals(lateId)).toList();
        assertEquals(1, forLate.size(), "one entry, however many sweeps listed it since");
        assertEquals(chain(late.json()), forLate.get(0).sha256());
        assertFalse(forLate.get(0).firstListed().isBefore(visible), "first listed once it became visible");
        assertEquals(
                1,
                ledger(all).stream()
                        .filter(e -> e.contentId().equals(onTime.blob().contentId()))
                        .count());
    }
}
