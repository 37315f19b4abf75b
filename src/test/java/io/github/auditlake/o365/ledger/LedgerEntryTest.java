package io.github.auditlake.o365.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class LedgerEntryTest {
    static final LedgerEntry ENTRY = new LedgerEntry(
            "t1",
            "Audit.Exchange",
            "c-1",
            "https://example/c-1",
            Instant.parse("2026-12-01T10:00:00Z"),
            Instant.parse("2026-12-08T10:00:00Z"),
            Instant.parse("2026-12-01T10:05:00Z"),
            Instant.parse("2026-12-01T10:05:02Z"),
            2,
            20,
            BlobDigest.EMPTY,
            0,
            LedgerEntry.Outcome.DELIVERED,
            null,
            0);

    @Test
    void keyNamesTenantContentTypeAndContentId() {
        assertEquals("t1|Audit.Exchange|c-1", ENTRY.key());
    }

    @Test
    void readsBackWhateverStringConverterWroteIt() throws Exception {
        String json = ENTRY.toJson();
        ObjectMapper m = new ObjectMapper();
        String quoted = m.writeValueAsString(json); // JsonConverter, schemas off
        String envelope = "{\"schema\":{\"type\":\"string\",\"optional\":false},\"payload\":" + quoted + "}";
        assertEquals(ENTRY, LedgerEntry.parse(json));
        assertEquals(ENTRY, LedgerEntry.parse(quoted));
        assertEquals(ENTRY, LedgerEntry.parse(envelope));
    }

    @Test
    void refusesValuesThatAreNotEntries() {
        assertThrows(IllegalArgumentException.class, () -> LedgerEntry.parse("[1]"));
        assertThrows(IllegalArgumentException.class, () -> LedgerEntry.parse("{\"tenant\":\"t\"}"));
        assertThrows(IllegalArgumentException.class, () -> LedgerEntry.parse((byte[]) null));
        assertThrows(IllegalArgumentException.class, () -> LedgerEntry.parse("not json"));
    }

    @Test
    void chainIsShaOfPreviousHashAndValue() throws Exception {
        byte[] a = "{\"Id\":\"a\"}".getBytes(StandardCharsets.UTF_8);
        byte[] b = "{\"Id\":\"b\"}".getBytes(StandardCharsets.UTF_8);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(new byte[32]);
        md.update(a);
        byte[] h1 = md.digest();
        md.update(h1);
        md.update(b);
        String expected = HexFormat.of().formatHex(md.digest());

        BlobDigest d = new BlobDigest().add(a).add(b);
        assertEquals(expected, d.hex());
        assertEquals(2, d.records());
        assertEquals(a.length + b.length, d.bytes());
        assertNotEquals(expected, new BlobDigest().add(b).add(a).hex(), "order matters");
        BlobDigest resumed =
                BlobDigest.resume(new BlobDigest().add(a).hex(), 1, a.length).add(b);
        assertEquals(expected, resumed.hex(), "a chain resumed from a stored state goes on identically");
        assertEquals(BlobDigest.EMPTY, new BlobDigest().hex());
    }
}
