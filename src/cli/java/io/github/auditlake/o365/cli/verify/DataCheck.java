package io.github.auditlake.o365.cli.verify;

import io.github.auditlake.o365.ledger.BlobDigest;
import io.github.auditlake.o365.ledger.LedgerEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Recomputes each ledger entry's count and hash from the audit topics ({@code verify --data}). A record belongs to
 * the blob its {@code o365.content.id} header names (contentIds are unique across tenants; a foreign record with a
 * ledger blob's id and other bytes shows as a conflicting copy); its place in the blob is its
 * {@code o365.record.index} header. Records of one blob may lie on several
 * partitions and arrive in any order: they are put in index order, copies of one index (at-least-once duplicates)
 * are counted once, and a copy whose bytes differ from the first is a mismatch.
 *
 * <p>Memory: a blob's values are kept only until as many distinct indexes as the ledger's {@code records} have been
 * seen; then its chain is computed and only an 8-byte fingerprint per record stays (to compare later copies).
 */
final class DataCheck {
    /** What the data topics hold for one blob. */
    record Result(long records, String sha256, long duplicates, List<String> problems) {}

    private final Map<String, Blob> byContentId = new HashMap<>();
    private long recordsOfOtherBlobs;

    DataCheck(Iterable<LedgerEntry> entries) {
        for (LedgerEntry e : entries) {
            byContentId.put(e.contentId(), new Blob(e));
        }
    }

    Consumer<ConsumerRecord<byte[], byte[]>> sink() {
        return r -> {
            String contentId = header(r, LedgerEntry.HEADER_CONTENT_ID);
            Blob b = contentId == null ? null : byContentId.get(contentId);
            if (b == null) {
                recordsOfOtherBlobs++;
                return;
            }
            b.add(r);
        };
    }

    /** The result per contentId of every ledger entry given. */
    Map<String, Result> results() {
        Map<String, Result> out = new HashMap<>();
        byContentId.forEach((id, b) -> out.put(id, b.result()));
        return out;
    }

    long recordsOfOtherBlobs() {
        return recordsOfOtherBlobs;
    }

    /** A header's text: SimpleHeaderConverter writes strings and numbers as text, JsonConverter quotes strings. */
    static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        Header h = r.headers().lastHeader(key);
        if (h == null || h.value() == null) {
            return null;
        }
        String s = new String(h.value(), StandardCharsets.UTF_8);
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    /** The record index header: decimal text, or a 4- or 8-byte big-endian integer. */
    static Long index(ConsumerRecord<byte[], byte[]> r) {
        Header h = r.headers().lastHeader(LedgerEntry.HEADER_RECORD_INDEX);
        if (h == null || h.value() == null) {
            return null;
        }
        String s = header(r, LedgerEntry.HEADER_RECORD_INDEX).strip();
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            byte[] v = h.value();
            if (v.length == 8) {
                return ByteBuffer.wrap(v).getLong();
            }
            if (v.length == 4) {
                return (long) ByteBuffer.wrap(v).getInt();
            }
            return -1L;
        }
    }

    private static final class Blob {
        final LedgerEntry entry;
        /** index -> fingerprint of the first copy's value. */
        final Map<Long, Long> fingerprints = new HashMap<>();
        /** index -> value, until the chain is computed. */
        TreeMap<Long, byte[]> values = new TreeMap<>();

        String sha256;
        long duplicates;
        /** Distinct indexes from the entry's chainFrom on: the records its count and chain cover. */
        long chained;

        final List<String> problems = new ArrayList<>();

        Blob(LedgerEntry entry) {
            this.entry = entry;
        }

        void add(ConsumerRecord<byte[], byte[]> r) {
            Long index = index(r);
            String where = r.topic() + "-" + r.partition() + "@" + r.offset();
            if (index == null || index < 0) {
                problem("a record without a readable o365.record.index header (" + where + ")");
                return;
            }
            byte[] value;
            try {
                value = ValueBytes.unwrap(r.value());
            } catch (IllegalArgumentException e) {
                problem("record " + index + " cannot be read (" + where + "): " + e.getMessage());
                return;
            }
            long fp = fingerprint(value);
            Long first = fingerprints.putIfAbsent(index, fp);
            if (first != null) {
                duplicates++;
                if (first != fp) {
                    problem("record " + index + " has copies with different bytes (" + where + ")");
                }
                return;
            }
            if (index < entry.chainFrom()) {
                return; // before the chain (its blob resumed from an offset older than the ledger): not counted
            }
            chained++;
            if (values == null) {
                problem("record " + index + " is beyond the ledger's " + entry.records() + " records (" + where + ")");
                return;
            }
            values.put(index, value);
            if (chained == entry.records()) {
                sha256 = chain(values);
                values = null;
            }
        }

        private void problem(String p) {
            if (problems.size() < 10) {
                problems.add(p);
            }
        }

        private String chain(TreeMap<Long, byte[]> v) {
            BlobDigest d = new BlobDigest();
            v.tailMap(entry.chainFrom(), true).values().forEach(d::add);
            return d.hex();
        }

        Result result() {
            String hash = sha256 != null ? sha256 : chain(values);
            return new Result(chained, hash, duplicates, List.copyOf(problems));
        }

        private static long fingerprint(byte[] value) {
            return ByteBuffer.wrap(LedgerRead.sha256().digest(value)).getLong();
        }
    }
}
