package io.github.auditlake.o365.cli.verify;

import io.github.auditlake.o365.ledger.LedgerEntry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The ledger entries of one tenant and range of {@code contentCreated}, read from the ledger topic: the last value
 * of each key wins (as after compaction); a tombstone removes its key. Values that cannot be read are counted.
 *
 * <p>The <b>ledger range hash</b> ({@link #rangeSha256()}): the entries kept, each written as its canonical JSON
 * ({@link LedgerEntry#toJson()}: the version-1 fields in their fixed order, no spaces, instants in ISO-8601 UTC)
 * followed by one line feed, sorted by key ({@code tenant|contentType|contentId}) compared byte by byte in UTF-8;
 * the SHA-256 of the concatenation, as 64 lowercase hex digits. {@link #canonicalLines()} is that text:
 * {@code verify --ledger-dump FILE} writes it, and {@code sha256sum FILE} gives the same hash.
 */
public final class LedgerRead {
    private final String tenant;
    private final Instant start;
    private final Instant end;
    private final Map<String, LedgerEntry> byKey = new HashMap<>();
    private long read;
    private long unreadable;
    private final List<String> unreadableSamples = new ArrayList<>();

    LedgerRead(String tenant, Instant start, Instant end) {
        this.tenant = tenant;
        this.start = start;
        this.end = end;
    }

    /** Builds the ledger view from entries directly (tests, and callers that read the topic themselves). */
    public static LedgerRead of(String tenant, Instant start, Instant end, Iterable<LedgerEntry> entries) {
        LedgerRead l = new LedgerRead(tenant, start, end);
        entries.forEach(l::keep);
        return l;
    }

    /** Consumes records of the ledger topic. */
    Consumer<ConsumerRecord<byte[], byte[]>> sink() {
        return r -> {
            read++;
            if (r.value() == null) {
                if (r.key() != null) {
                    byKey.remove(unquote(new String(r.key(), StandardCharsets.UTF_8)));
                }
                return;
            }
            try {
                keep(LedgerEntry.parse(r.value()));
            } catch (IllegalArgumentException e) {
                unreadable++;
                if (unreadableSamples.size() < 20) {
                    unreadableSamples.add(r.topic() + "-" + r.partition() + "@" + r.offset() + ": " + e.getMessage());
                }
            }
        };
    }

    private void keep(LedgerEntry e) {
        if (e.tenant().equalsIgnoreCase(tenant)
                && !e.contentCreated().isBefore(start)
                && e.contentCreated().isBefore(end)) {
            byKey.put(e.key(), e);
        } else {
            byKey.remove(e.key()); // a later value for the key moved it out of the range
        }
    }

    private static String unquote(String key) {
        String k = key.strip();
        return k.length() >= 2 && k.startsWith("\"") && k.endsWith("\"") ? k.substring(1, k.length() - 1) : k;
    }

    /** The entries of the tenant and range, by key. */
    public Map<String, LedgerEntry> entries() {
        return Collections.unmodifiableMap(byKey);
    }

    /** The entry of one blob, or null. */
    public LedgerEntry entry(String contentType, String contentId) {
        LedgerEntry e = byKey.get(LedgerEntry.key(tenant, contentType, contentId));
        if (e != null) {
            return e;
        }
        // the tenant id as the ledger spells it (GUIDs may differ in case)
        for (LedgerEntry x : byKey.values()) {
            if (x.contentId().equals(contentId) && x.contentType().equalsIgnoreCase(contentType)) {
                return x;
            }
        }
        return null;
    }

    /** Ledger records read (all tenants, tombstones included). */
    public long recordsRead() {
        return read;
    }

    public long unreadable() {
        return unreadable;
    }

    public List<String> unreadableSamples() {
        return List.copyOf(unreadableSamples);
    }

    /** The kept entries' canonical JSON lines, sorted by key (UTF-8 bytes), each ending in a line feed. */
    public byte[] canonicalLines() {
        List<byte[][]> rows = new ArrayList<>();
        for (LedgerEntry e : byKey.values()) {
            rows.add(new byte[][] {
                e.key().getBytes(StandardCharsets.UTF_8), (e.toJson() + "\n").getBytes(StandardCharsets.UTF_8)
            });
        }
        rows.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        rows.forEach(r -> out.writeBytes(r[1]));
        return out.toByteArray();
    }

    /** SHA-256 of {@link #canonicalLines()}, 64 lowercase hex digits. */
    public String rangeSha256() {
        return sha256Hex(canonicalLines());
    }

    static String sha256Hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(sha256().digest(bytes));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
