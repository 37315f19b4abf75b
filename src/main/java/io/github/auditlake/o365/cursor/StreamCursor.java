package io.github.auditlake.o365.cursor;

import io.github.auditlake.o365.api.ContentBlob;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A stream's position, stored as its Connect source offset. Immutable.
 *
 * <p>Model (see {@code docs/design.md}):
 * <ul>
 *   <li>{@code highWatermark} H: every blob with {@code contentCreated < H} that was visible when its window was
 *       listed has been delivered (or skipped with a warning).</li>
 *   <li>{@code done}: the blobs delivered whose {@code contentCreated >= H - lateWindow}, plus those of the window
 *       in progress. Re-listing the trailing late window skips exactly these, so a blob that becomes visible late
 *       is delivered once and an early one is not delivered twice. Bounded by the blobs of one window plus the
 *       late window.</li>
 *   <li>{@code inProgress}: the blob being emitted and how many of its records were delivered, so a restart
 *       resumes inside the blob.</li>
 * </ul>
 *
 * <p>Offset map (version 1; values are only String and Long):
 * {@code v}, {@code hw} (epoch ms), {@code done} (text), and when a blob is in progress {@code blob.id},
 * {@code blob.uri}, {@code blob.created}, {@code blob.expires} (epoch ms, optional), {@code blob.records}.
 * The smallest valid offset, useful to replay from a point in time, is {@code {"v":1,"hw":<epoch ms>}}.
 */
public final class StreamCursor {
    public static final int VERSION = 1;
    public static final String V = "v";
    public static final String HIGH_WATERMARK = "hw";
    public static final String DONE = "done";
    public static final String BLOB_ID = "blob.id";
    public static final String BLOB_URI = "blob.uri";
    public static final String BLOB_CREATED = "blob.created";
    public static final String BLOB_EXPIRES = "blob.expires";
    public static final String BLOB_RECORDS = "blob.records";

    private final Instant highWatermark;
    private final DoneSet done;
    private final BlobPosition inProgress;

    private StreamCursor(Instant highWatermark, DoneSet done, BlobPosition inProgress) {
        this.highWatermark = Objects.requireNonNull(highWatermark, "highWatermark");
        this.done = done;
        this.inProgress = inProgress;
    }

    /** A fresh stream that starts listing at {@code start}. */
    public static StreamCursor startingAt(Instant start) {
        return new StreamCursor(truncateToMillis(start), DoneSet.EMPTY, null);
    }

    public Instant highWatermark() {
        return highWatermark;
    }

    /** The blob being emitted, or {@code null}. */
    public BlobPosition inProgress() {
        return inProgress;
    }

    public int doneCount() {
        return done.entries.size();
    }

    /** True when {@code blob} was already delivered (by content id). */
    public boolean isDone(ContentBlob blob) {
        return done.contains(new DoneBlob(blob.contentCreated().toEpochMilli(), keyOf(blob.contentId())));
    }

    /** Position after {@code recordsDone} records of {@code blob}. */
    public StreamCursor withProgress(ContentBlob blob, long recordsDone) {
        return new StreamCursor(highWatermark, done, BlobPosition.of(blob, recordsDone));
    }

    /** Position after the last record of {@code blob} (or after skipping it). */
    public StreamCursor withBlobDone(ContentBlob blob) {
        return new StreamCursor(highWatermark,
                done.plus(new DoneBlob(blob.contentCreated().toEpochMilli(), keyOf(blob.contentId()))), null);
    }

    /**
     * Position after a whole window ending at {@code end}: H moves to {@code end} (never backwards) and blobs older
     * than {@code H - lateWindow} are forgotten.
     */
    public StreamCursor withWindowDone(Instant end, Duration lateWindow) {
        Instant h = truncateToMillis(end).isAfter(highWatermark) ? truncateToMillis(end) : highWatermark;
        long keepFrom = h.minus(lateWindow).toEpochMilli();
        return new StreamCursor(h, done.prunedBefore(keepFrom), null);
    }

    public Map<String, Object> toOffset() {
        Map<String, Object> m = new LinkedHashMap<>(12);
        m.put(V, (long) VERSION);
        m.put(HIGH_WATERMARK, highWatermark.toEpochMilli());
        m.put(DONE, done.encoded());
        if (inProgress != null) {
            m.put(BLOB_ID, inProgress.contentId());
            m.put(BLOB_URI, inProgress.contentUri());
            m.put(BLOB_CREATED, inProgress.created().toEpochMilli());
            if (inProgress.expiration() != null) {
                m.put(BLOB_EXPIRES, inProgress.expiration().toEpochMilli());
            }
            m.put(BLOB_RECORDS, inProgress.recordsDone());
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * Parses a stored offset. Rejects offsets of another version and malformed ones with a message naming the
     * field, so {@code alterOffsets} and task start-up refuse bad edits instead of guessing.
     */
    public static StreamCursor fromOffset(Map<String, ?> offset) {
        if (offset == null) {
            throw new IllegalArgumentException("offset is missing");
        }
        Object v = offset.get(V);
        if (!(v instanceof Number)) {
            throw new IllegalArgumentException("offset " + offset + " has no numeric version '" + V
                    + "'; it was not written by this connector (expected {\"v\":1,\"hw\":<epoch ms>,...})");
        }
        if (((Number) v).intValue() != VERSION) {
            throw new IllegalArgumentException("offset version " + v + " is not supported by this connector "
                    + "version (supported: " + VERSION + ")");
        }
        long hw = requireLong(offset, HIGH_WATERMARK);
        if (hw < 0) {
            throw new IllegalArgumentException("offset field '" + HIGH_WATERMARK + "' must be >= 0, was " + hw);
        }
        Object doneText = offset.get(DONE);
        if (doneText != null && !(doneText instanceof String)) {
            throw new IllegalArgumentException("offset field '" + DONE + "' must be a string");
        }
        DoneSet done = DoneSet.decode((String) doneText);
        BlobPosition pos = null;
        Object blobId = offset.get(BLOB_ID);
        if (blobId != null) {
            if (!(blobId instanceof String) || ((String) blobId).isEmpty()) {
                throw new IllegalArgumentException("offset field '" + BLOB_ID + "' must be a non-empty string");
            }
            Object uri = offset.get(BLOB_URI);
            if (!(uri instanceof String) || ((String) uri).isEmpty()) {
                throw new IllegalArgumentException("offset field '" + BLOB_URI + "' must be a non-empty string");
            }
            long created = requireLong(offset, BLOB_CREATED);
            long records = requireLong(offset, BLOB_RECORDS);
            if (records < 0) {
                throw new IllegalArgumentException("offset field '" + BLOB_RECORDS + "' must be >= 0");
            }
            Object exp = offset.get(BLOB_EXPIRES);
            Instant expiration = exp == null ? null : Instant.ofEpochMilli(requireLong(offset, BLOB_EXPIRES));
            pos = new BlobPosition((String) blobId, (String) uri, Instant.ofEpochMilli(created), expiration, records);
        } else {
            for (String k : new String[] {BLOB_URI, BLOB_CREATED, BLOB_RECORDS, BLOB_EXPIRES}) {
                if (offset.get(k) != null) {
                    throw new IllegalArgumentException("offset field '" + k + "' requires '" + BLOB_ID + "'");
                }
            }
        }
        return new StreamCursor(Instant.ofEpochMilli(hw), done, pos);
    }

    private static long requireLong(Map<String, ?> offset, String key) {
        Object o = offset.get(key);
        if (!(o instanceof Number) || o instanceof Double || o instanceof Float) {
            throw new IllegalArgumentException("offset field '" + key + "' must be an integer, was " + o);
        }
        return ((Number) o).longValue();
    }

    private static Instant truncateToMillis(Instant i) {
        return Instant.ofEpochMilli(i.toEpochMilli());
    }

    /** A short, stable key for a content id: the first 64 bits of its SHA-256, base64url (11 characters). */
    static String keyOf(String contentId) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(contentId.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(d, 8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamCursor c && c.highWatermark.equals(highWatermark)
                && c.done.entries.equals(done.entries) && Objects.equals(c.inProgress, inProgress);
    }

    @Override
    public int hashCode() {
        return Objects.hash(highWatermark, done.entries, inProgress);
    }

    @Override
    public String toString() {
        return "StreamCursor[hw=" + highWatermark + ", done=" + done.entries.size()
                + (inProgress == null ? "" : ", blob=" + inProgress.contentId() + "@" + inProgress.recordsDone())
                + "]";
    }

    /**
     * The blob being emitted.
     *
     * @param recordsDone how many of its records were delivered (the index of the next record)
     */
    public record BlobPosition(String contentId, String contentUri, Instant created, Instant expiration,
                               long recordsDone) {
        static BlobPosition of(ContentBlob blob, long recordsDone) {
            return new BlobPosition(blob.contentId(), blob.contentUri(), blob.contentCreated(),
                    blob.contentExpiration(), recordsDone);
        }

        /** The blob as it can be fetched again after a restart. */
        public ContentBlob toBlob(String contentType) {
            return new ContentBlob(contentType, contentId, contentUri, created, expiration);
        }
    }

    /** A delivered blob: its creation time (for pruning) and content-id key. */
    record DoneBlob(long createdMs, String key) implements Comparable<DoneBlob> {
        @Override
        public int compareTo(DoneBlob o) {
            int c = Long.compare(createdMs, o.createdMs);
            return c != 0 ? c : key.compareTo(o.key);
        }
    }

    /** Immutable set of delivered blobs with a cached text encoding (shared by every record of a blob). */
    static final class DoneSet {
        static final DoneSet EMPTY = new DoneSet(new TreeSet<>());
        final NavigableSet<DoneBlob> entries;
        private String encoded;

        private DoneSet(NavigableSet<DoneBlob> entries) {
            this.entries = Collections.unmodifiableNavigableSet(entries);
        }

        boolean contains(DoneBlob b) {
            return entries.contains(b);
        }

        DoneSet plus(DoneBlob b) {
            if (entries.contains(b)) {
                return this;
            }
            TreeSet<DoneBlob> copy = new TreeSet<>(entries);
            copy.add(b);
            return new DoneSet(copy);
        }

        DoneSet prunedBefore(long keepFromMs) {
            if (entries.isEmpty() || entries.first().createdMs() >= keepFromMs) {
                return this;
            }
            return new DoneSet(new TreeSet<>(entries.tailSet(new DoneBlob(keepFromMs, ""), true)));
        }

        String encoded() {
            String e = encoded;
            if (e == null) {
                StringBuilder sb = new StringBuilder(entries.size() * 22);
                for (DoneBlob b : entries) {
                    if (sb.length() > 0) {
                        sb.append(',');
                    }
                    sb.append(Long.toString(b.createdMs(), 36)).append(':').append(b.key());
                }
                e = sb.toString();
                encoded = e;
            }
            return e;
        }

        static DoneSet decode(String text) {
            if (text == null || text.isEmpty()) {
                return EMPTY;
            }
            TreeSet<DoneBlob> set = new TreeSet<>();
            for (String part : text.split(",")) {
                int colon = part.indexOf(':');
                if (colon <= 0 || colon == part.length() - 1) {
                    throw new IllegalArgumentException("offset field '" + DONE + "' is malformed near '" + part
                            + "'");
                }
                try {
                    set.add(new DoneBlob(Long.parseLong(part.substring(0, colon), 36), part.substring(colon + 1)));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("offset field '" + DONE + "' is malformed near '" + part
                            + "'", e);
                }
            }
            return new DoneSet(set);
        }
    }
}
