package io.github.auditlake.o365.cursor;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A stream's history through audit search ({@code o365.history.start}), as its offset keeps it (optional fields of
 * offset version 2: an offset without them still reads, and such a stream never starts a history phase):
 *
 * <ul>
 *   <li>{@code h.start} (long, epoch ms): where history begins;
 *   <li>{@code h.done} (long): every record created in {@code [h.start, h.done)} of this stream's content type was
 *       delivered; the history phase goes on while {@code h.done < h.seam};
 *   <li>{@code h.seam} (long): where the Management API's part begins (the stream's origin);
 *   <li>{@code h.ids} (string, optional): the records history delivered that were created in the last
 *       {@link #SEAM_MEMORY_MS} before the seam, 8 base64url characters (the first 48 bits of SHA-256 of the
 *       {@code Id}) each. The first blobs after the seam carry some records created before it; a live record created
 *       before the seam whose Id is here is not delivered again. Dropped once the high watermark is a day past the seam.
 * </ul>
 *
 * Immutable.
 */
public final class HistoryPhase {
    public static final String START = "h.start";
    public static final String DONE = "h.done";
    public static final String SEAM = "h.seam";
    public static final String IDS = "h.ids";
    /** History remembers the Ids of the records it delivered that were created this long before the seam. */
    public static final long SEAM_MEMORY_MS = 2 * 3_600_000L;
    /** The remembered Ids are dropped once the live part's high watermark is this far past the seam. */
    public static final long SEAM_IDS_KEPT_MS = 24 * 3_600_000L;

    private static final int CHARS = 8;

    private final long start;
    private final long done;
    private final long seam;
    /** The encoded Ids (concatenated, {@link #CHARS} each); "" for none. */
    private final String ids;

    private volatile Set<String> decoded;

    private HistoryPhase(long start, long done, long seam, String ids) {
        if (start > done || done > seam) {
            throw new IllegalArgumentException("offset fields must satisfy " + START + " <= " + DONE + " <= " + SEAM
                    + ", were " + start + ", " + done + ", " + seam);
        }
        if (ids.length() % CHARS != 0) {
            throw new IllegalArgumentException("offset field '" + IDS + "' must hold " + CHARS + " characters per Id");
        }
        this.start = start;
        this.done = done;
        this.seam = seam;
        this.ids = ids;
    }

    /** History from {@code start} up to {@code seam}, nothing delivered yet. */
    public static HistoryPhase begin(Instant start, Instant seam) {
        return new HistoryPhase(start.toEpochMilli(), start.toEpochMilli(), seam.toEpochMilli(), "");
    }

    public Instant start() {
        return Instant.ofEpochMilli(start);
    }

    public Instant done() {
        return Instant.ofEpochMilli(done);
    }

    public Instant seam() {
        return Instant.ofEpochMilli(seam);
    }

    /** True while history has ranges left before the seam. */
    public boolean active() {
        return done < seam;
    }

    /** Records created from {@code done} to {@code to} were delivered; {@code newIds} Ids (encoded) to remember. */
    public HistoryPhase withDone(Instant to, String newIds) {
        return new HistoryPhase(start, Math.max(done, to.toEpochMilli()), seam, ids + newIds);
    }

    /** The seam moves later (the history phase took long enough for the API's retention floor to pass it). */
    public HistoryPhase withSeam(Instant later) {
        return new HistoryPhase(start, done, Math.max(seam, later.toEpochMilli()), ids);
    }

    /** The remembered Ids are forgotten. */
    public HistoryPhase withoutIds() {
        return ids.isEmpty() ? this : new HistoryPhase(start, done, seam, "");
    }

    /** How many Ids are remembered. */
    public int idCount() {
        return ids.length() / CHARS;
    }

    /** Whether a record created at {@code created} should be remembered at the seam. */
    public boolean nearSeam(Instant created) {
        long t = created.toEpochMilli();
        return t < seam && t >= seam - SEAM_MEMORY_MS;
    }

    /**
     * Whether a live record ({@code id}, created at {@code created}, null when unreadable) was already delivered by
     * history: created before the seam, with a remembered Id.
     */
    public boolean deliveredByHistory(String id, Instant created) {
        if (id == null || ids.isEmpty() || (created != null && !created.isBefore(seam()))) {
            return false;
        }
        Set<String> d = decoded;
        if (d == null) {
            d = new HashSet<>(ids.length() / CHARS * 2);
            for (int i = 0; i < ids.length(); i += CHARS) {
                d.add(ids.substring(i, i + CHARS));
            }
            decoded = d;
        }
        return d.contains(encode(id));
    }

    /** An Id as remembered: the first 48 bits of its SHA-256, 8 base64url characters. */
    public static String encode(String id) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(h, 6));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void addTo(Map<String, Object> m) {
        m.put(START, start);
        m.put(DONE, done);
        m.put(SEAM, seam);
        if (!ids.isEmpty()) {
            m.put(IDS, ids);
        }
    }

    /** The history state of a stored offset, or null when it has none (an older offset, or history off). */
    static HistoryPhase fromOffset(Map<String, ?> offset) {
        Object s = offset.get(START);
        Object d = offset.get(DONE);
        Object z = offset.get(SEAM);
        Object i = offset.get(IDS);
        if (s == null && d == null && z == null && i == null) {
            return null;
        }
        for (String k : new String[] {START, DONE, SEAM}) {
            if (!(offset.get(k) instanceof Number)) {
                throw new IllegalArgumentException(
                        "offset field '" + k + "' must be a number (epoch ms) when any of h.* is present");
            }
        }
        if (i != null && !(i instanceof String)) {
            throw new IllegalArgumentException("offset field '" + IDS + "' must be a string");
        }
        return new HistoryPhase(
                ((Number) s).longValue(),
                ((Number) d).longValue(),
                ((Number) z).longValue(),
                i == null ? "" : (String) i);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HistoryPhase h && h.start == start && h.done == done && h.seam == seam && h.ids.equals(ids);
    }

    @Override
    public int hashCode() {
        return Objects.hash(start, done, seam, ids.length());
    }

    @Override
    public String toString() {
        return "history[" + start() + ", " + seam() + ") done to " + done()
                + (ids.isEmpty() ? "" : ", ids=" + idCount());
    }
}
