package io.github.auditlake.o365.ledger;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The chained SHA-256 of a blob's delivered record values, in order: {@code h0} is 32 zero bytes and
 * {@code h(i) = SHA-256(h(i-1) || value(i))}, where {@code value(i)} is the i-th delivered record's original JSON as
 * UTF-8 (the bytes as the service sent them). Each step hashes a fixed 32-byte prefix plus one value, so the chain
 * cannot be rearranged, cut or extended without changing the final hash. Not thread-safe; cheap to copy.
 */
public final class BlobDigest {
    /** The hash of a blob with no record delivered: 64 zeros. */
    public static final String EMPTY = "0".repeat(64);

    private byte[] chain;
    private long records;
    private long bytes;

    /** A chain with no record yet. */
    public BlobDigest() {
        this(new byte[32], 0, 0);
    }

    private BlobDigest(byte[] chain, long records, long bytes) {
        this.chain = chain;
        this.records = records;
        this.bytes = bytes;
    }

    /** A chain resumed from a stored state ({@link #hex()}, {@link #records()}, {@link #bytes()}). */
    public static BlobDigest resume(String hex, long records, long bytes) {
        byte[] h = HexFormat.of().parseHex(hex);
        if (h.length != 32) {
            throw new IllegalArgumentException("a chained SHA-256 has 64 hex digits, not " + hex.length());
        }
        if (records < 0 || bytes < 0) {
            throw new IllegalArgumentException("negative record or byte count");
        }
        return new BlobDigest(h, records, bytes);
    }

    /** Adds the next delivered value (the record's original UTF-8 JSON). */
    public BlobDigest add(byte[] value) {
        MessageDigest md = sha256();
        md.update(chain);
        md.update(value);
        chain = md.digest();
        records++;
        bytes += value.length;
        return this;
    }

    /** A copy that goes on independently. */
    public BlobDigest copy() {
        return new BlobDigest(chain.clone(), records, bytes);
    }

    /** The chain so far, 64 lowercase hex digits. */
    public String hex() {
        return HexFormat.of().formatHex(chain);
    }

    /** Values added (counting those of a resumed state). */
    public long records() {
        return records;
    }

    /** Their total size in bytes. */
    public long bytes() {
        return bytes;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
