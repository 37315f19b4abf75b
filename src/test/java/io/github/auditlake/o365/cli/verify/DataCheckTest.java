package io.github.auditlake.o365.cli.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.ledger.BlobDigest;
import io.github.auditlake.o365.ledger.LedgerEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Recomputing a blob from records that arrive out of order, twice, or altered. */
class DataCheckTest {
    static final String TENANT = "t-1";
    static final List<String> VALUES = List.of("{\"Id\":\"a\"}", "{\"Id\":\"b\"}", "{\"Id\":\"c\"}");

    static LedgerEntry entry() {
        BlobDigest d = new BlobDigest();
        VALUES.forEach(v -> d.add(v.getBytes(StandardCharsets.UTF_8)));
        return new LedgerEntry(
                TENANT,
                "Audit.Exchange",
                "blob-1",
                "https://x/blob-1",
                Instant.parse("2026-11-28T10:00:00Z"),
                null,
                null,
                null,
                d.records(),
                d.bytes(),
                d.hex(),
                0,
                LedgerEntry.Outcome.DELIVERED,
                null,
                0);
    }

    static ConsumerRecord<byte[], byte[]> record(int index, String value, long offset) {
        ConsumerRecord<byte[], byte[]> r =
                new ConsumerRecord<>("audit", (int) (offset % 3), offset, null, value.getBytes(StandardCharsets.UTF_8));
        r.headers().add(LedgerEntry.HEADER_CONTENT_ID, "blob-1".getBytes(StandardCharsets.UTF_8));
        r.headers().add(LedgerEntry.HEADER_RECORD_INDEX, Integer.toString(index).getBytes(StandardCharsets.UTF_8));
        return r;
    }

    @Test
    void recordsOutOfOrderAndDuplicatedGiveTheLedgersHash() {
        LedgerEntry e = entry();
        DataCheck c = new DataCheck(List.of(e));
        int[] order = {2, 0, 2, 1, 0};
        long offset = 0;
        for (int i : order) {
            c.sink().accept(record(i, VALUES.get(i), offset++));
        }
        DataCheck.Result r = c.results().get("blob-1");
        assertEquals(3, r.records());
        assertEquals(e.sha256(), r.sha256());
        assertEquals(2, r.duplicates());
        assertEquals(List.of(), r.problems());
    }

    @Test
    void aCopyWithOtherBytesIsAProblemEvenWhenTheFirstCopyWasRight() {
        DataCheck c = new DataCheck(List.of(entry()));
        for (int i = 0; i < 3; i++) {
            c.sink().accept(record(i, VALUES.get(i), i));
        }
        c.sink().accept(record(1, "{\"Id\":\"B\"}", 9));
        DataCheck.Result r = c.results().get("blob-1");
        assertEquals(entry().sha256(), r.sha256());
        assertTrue(
                r.problems().get(0).contains("record 1 has copies with different bytes"),
                r.problems().toString());
    }

    @Test
    void aRecordWithoutAnIndexOrOfAnotherBlobIsNotCounted() {
        DataCheck c = new DataCheck(List.of(entry()));
        ConsumerRecord<byte[], byte[]> other = record(0, VALUES.get(0), 0);
        other.headers()
                .remove(LedgerEntry.HEADER_CONTENT_ID)
                .add(LedgerEntry.HEADER_CONTENT_ID, "blob-2".getBytes(StandardCharsets.UTF_8));
        c.sink().accept(other);
        ConsumerRecord<byte[], byte[]> noIndex = record(0, VALUES.get(0), 1);
        noIndex.headers().remove(LedgerEntry.HEADER_RECORD_INDEX);
        c.sink().accept(noIndex);
        DataCheck.Result r = c.results().get("blob-1");
        assertEquals(0, r.records());
        assertEquals(1, c.recordsOfOtherBlobs());
        assertTrue(
                r.problems().get(0).contains("without a readable o365.record.index"),
                r.problems().toString());
    }
}
