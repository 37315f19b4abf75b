package io.github.auditlake.o365.cli.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.auditlake.o365.ledger.BlobDigest;
import io.github.auditlake.o365.ledger.LedgerEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The ledger's view of a tenant and range, and the range hash an auditor recomputes. */
class LedgerReadTest {
    static final String TENANT = "t-1";
    static final Instant START = Instant.parse("2026-11-28T00:00:00Z");
    static final Instant END = Instant.parse("2026-11-29T00:00:00Z");

    static LedgerEntry entry(String tenant, String id, Instant created, long records) {
        return new LedgerEntry(
                tenant,
                "Audit.Exchange",
                id,
                "https://x/" + id,
                created,
                created.plusSeconds(7 * 86400),
                created,
                created.plusSeconds(60),
                records,
                records * 100,
                BlobDigest.EMPTY,
                0,
                LedgerEntry.Outcome.DELIVERED,
                null,
                0);
    }

    @Test
    void keepsTheTenantAndRangeOnly() {
        LedgerRead l = LedgerRead.of(
                TENANT,
                START,
                END,
                List.of(
                        entry(TENANT, "in", START, 1),
                        entry(TENANT, "before", START.minusMillis(1), 1),
                        entry(TENANT, "at-end", END, 1),
                        entry("t-2", "other-tenant", START.plusSeconds(5), 1)));
        assertEquals(
                List.of("in"),
                l.entries().values().stream().map(LedgerEntry::contentId).toList());
    }

    @Test
    void theRangeHashIsTheSha256OfTheSortedCanonicalLinesWhateverTheReadingOrder() throws Exception {
        List<LedgerEntry> entries = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            entries.add(entry(TENANT, "blob-" + i, START.plusSeconds(i * 60L), i));
        }
        LedgerRead a = LedgerRead.of(TENANT, START, END, entries);
        Collections.reverse(entries);
        LedgerRead b = LedgerRead.of(TENANT, START, END, entries);
        assertEquals(a.rangeSha256(), b.rangeSha256());
        String text = new String(a.canonicalLines(), StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        assertEquals(
                entries.stream().map(LedgerEntry::key).sorted().toList(),
                lines.stream().map(LedgerEntry::parse).map(LedgerEntry::key).toList());
        for (String line : lines) {
            assertEquals(LedgerEntry.parse(line).toJson(), line, "each line is the entry's canonical JSON");
        }
        assertEquals(
                java.util.HexFormat.of()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(text.getBytes(StandardCharsets.UTF_8))),
                a.rangeSha256());
        entries.set(3, entry(TENANT, entries.get(3).contentId(), entries.get(3).contentCreated(), 999));
        assertNotEquals(
                a.rangeSha256(), LedgerRead.of(TENANT, START, END, entries).rangeSha256(), "any change shows");
    }

    @Test
    void theLastValueOfAKeyWinsAndATombstoneRemovesIt() {
        LedgerRead l = new LedgerRead(TENANT, START, END);
        LedgerEntry first = entry(TENANT, "b", START, 1);
        LedgerEntry second = entry(TENANT, "b", START, 2);
        l.sink().accept(record(first.key(), first.toJson()));
        l.sink().accept(record(second.key(), second.toJson()));
        assertEquals(2, l.entry("Audit.Exchange", "b").records());
        l.sink().accept(record(first.key(), null));
        assertNull(l.entry("Audit.Exchange", "b"));
        l.sink().accept(record("junk", "not json"));
        assertEquals(1, l.unreadable());
    }

    private static ConsumerRecord<byte[], byte[]> record(String key, String value) {
        return new ConsumerRecord<>(
                "ledger",
                0,
                0,
                key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }
}
