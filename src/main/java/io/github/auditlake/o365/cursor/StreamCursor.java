package io.github.auditlake.o365.cursor;

import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.ledger.BlobDigest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A stream's position, stored as its Connect source offset. Immutable.
 *
 * <p>Model (see {@code docs/design.md}):
 * <ul>
 *   <li>{@code highWatermark} H (the frontier): every blob with {@code contentCreated < H} that was visible when its
 *       window was listed has been delivered (or published to the skips topic).</li>
 *   <li>{@code done}: every blob delivered whose {@code contentCreated} lies within the straggler coverage, kept in
 *       one compact bucket per hour of {@code contentCreated}. Re-listing an older span (a sweep) delivers exactly
 *       the blobs that are not in it, so a blob that becomes visible late is delivered once. A change costs one
 *       bucket's encoding, never the whole set.</li>
 *   <li>sweep times: when the last sweep of the last 24 hours ({@code sd}) and of the older coverage ({@code so})
 *       completed, so a restart keeps the schedule.</li>
 *   <li>{@code inProgress}: the blob being emitted, how many of its records were delivered and the last one's
 *       {@code Id}, so a restart resumes inside the blob and can check that it is the same blob.</li>
 *   <li>{@code pending}: near the 7-day retention edge only, the blobs listed but not yet delivered, so a restart
 *       fetches them even after they have fallen out of what the API still lists.</li>
 * </ul>
 *
 * <p>Offset map (version 2; values are only String and Long): {@code v}, {@code hw} (epoch ms), {@code sd},
 * {@code so} (epoch ms, optional), {@code d.<hour>} (one per hour bucket: base36 hour index; value: 8 base64url
 * characters per blob, 22 bits of milliseconds within the hour and 26 bits of the content id's SHA-256), the
 * in-progress blob {@code blob.id}, {@code blob.uri}, {@code blob.created}, {@code blob.expires},
 * {@code blob.records}, {@code blob.last}, with the completeness ledger on also {@code blob.listed},
 * {@code blob.chain.from}, {@code blob.chain.sha}, {@code blob.chain.records}, {@code blob.chain.bytes} (optional:
 * older offsets lack them), and {@code pend} (pending blobs, one per line). The smallest valid offset,
 * to replay from a point in time, is {@code {"v":2,"hw":<epoch ms>}}; version 1 offsets are read and upgraded.
 */
public final class StreamCursor {
    public static final int VERSION = 2;
    public static final String V = "v";
    public static final String HIGH_WATERMARK = "hw";
    public static final String SWEPT_DAY = "sd";
    public static final String SWEPT_OLD = "so";
    public static final String ORIGIN = "o";
    public static final String DONE_PREFIX = "d.";
    public static final String PENDING = "pend";
    public static final String BLOB_ID = "blob.id";
    public static final String BLOB_URI = "blob.uri";
    public static final String BLOB_CREATED = "blob.created";
    public static final String BLOB_EXPIRES = "blob.expires";
    public static final String BLOB_RECORDS = "blob.records";
    public static final String BLOB_LAST = "blob.last";
    /** When the in-progress blob was first listed (epoch ms; optional: offsets before the ledger lack it). */
    public static final String BLOB_LISTED = "blob.listed";
    /** The completeness ledger's chain of the in-progress blob: the index of the first record it covers. */
    public static final String BLOB_CHAIN_FROM = "blob.chain.from";
    /** The chain after the delivered records (64 hex digits; {@link BlobDigest}). */
    public static final String BLOB_CHAIN_SHA = "blob.chain.sha";
    /** Records in the chain (delivered to the audit topic, from {@link #BLOB_CHAIN_FROM} on). */
    public static final String BLOB_CHAIN_RECORDS = "blob.chain.records";
    /** Their total UTF-8 bytes. */
    public static final String BLOB_CHAIN_BYTES = "blob.chain.bytes";
    /** Version 1's delivered-blob list ({@code created36:key11,...}); read for the upgrade only. */
    static final String V1_DONE = "done";

    /** No audit content exists before the API did: 2015-01-01. Earlier positions are typing mistakes. */
    public static final Instant EARLIEST = Instant.parse("2015-01-01T00:00:00Z");

    static final long HOUR_MS = 3_600_000L;

    private final Instant highWatermark;
    /** Where the stream began (epoch ms): sweeps never reach before it (the initial lookback is respected). */
    private final long origin;

    private final long sweptDay;
    private final long sweptOld;
    private final DoneIndex done;
    private final BlobPosition inProgress;
    private final List<ContentBlob> pending;
    /** History through audit search ({@code o365.history.start}), or null for a stream without. */
    private final HistoryPhase history;
    /**
     * Everything but the per-record fields, built once and shared by every record of a blob: the holder passes from
     * a cursor to the next one of the same blob whether or not it was built yet (the stream thread makes cursors
     * faster than the task thread asks them for offsets, so passing the built map only, as before, rarely shared
     * it and the whole map, delivered set included, was built again for most records).
     */
    private final BaseRef base;

    /** The shared base offset map of a blob's records, built by the first {@link #toOffset()} that needs it. */
    private static final class BaseRef {
        volatile Map<String, Object> map;
    }

    private StreamCursor(
            Instant highWatermark,
            long origin,
            long sweptDay,
            long sweptOld,
            DoneIndex done,
            BlobPosition inProgress,
            List<ContentBlob> pending,
            HistoryPhase history) {
        this(highWatermark, origin, sweptDay, sweptOld, done, inProgress, pending, history, new BaseRef());
    }

    private StreamCursor(
            Instant highWatermark,
            long origin,
            long sweptDay,
            long sweptOld,
            DoneIndex done,
            BlobPosition inProgress,
            List<ContentBlob> pending,
            HistoryPhase history,
            BaseRef base) {
        this.base = base;
        this.history = history;
        this.highWatermark = Objects.requireNonNull(highWatermark, "highWatermark");
        this.origin = origin;
        this.sweptDay = sweptDay;
        this.sweptOld = sweptOld;
        this.done = done;
        this.inProgress = inProgress;
        this.pending = pending;
    }

    /** A fresh stream whose high watermark is {@code start}; it began one re-listed hour before. */
    public static StreamCursor startingAt(Instant start) {
        return startingAt(start, start.minus(WindowPlanner.RECENT));
    }

    /** A fresh stream at high watermark {@code start} that began at {@code origin} (now minus the lookback). */
    public static StreamCursor startingAt(Instant start, Instant origin) {
        return new StreamCursor(
                truncateToMillis(start), origin.toEpochMilli(), 0, 0, DoneIndex.EMPTY, null, List.of(), null);
    }

    /** History through audit search, or null: a stream that never had a history phase. */
    public HistoryPhase history() {
        return history;
    }

    /**
     * The same position with history state {@code h} (null: none). A new stream with history on gets it before it
     * starts; the history phase moves it range by range.
     */
    public StreamCursor withHistory(HistoryPhase h) {
        return new StreamCursor(highWatermark, origin, sweptDay, sweptOld, done, inProgress, pending, h);
    }

    /**
     * A new stream whose live part starts at {@code seam} (high watermark {@code hw}, origin the seam), with history
     * state {@code h}: used while the history phase moves its seam with the API's retention floor.
     */
    public static StreamCursor startingAtSeam(Instant hw, Instant seam, HistoryPhase h) {
        return new StreamCursor(truncateToMillis(hw), seam.toEpochMilli(), 0, 0, DoneIndex.EMPTY, null, List.of(), h);
    }

    /** Where the stream began: nothing before it is listed again (sweeps respect the initial lookback). */
    public Instant origin() {
        return Instant.ofEpochMilli(origin);
    }

    public Instant highWatermark() {
        return highWatermark;
    }

    /** When the last sweep of the last 24 hours completed, or {@link Instant#EPOCH} if never. */
    public Instant sweptDay() {
        return Instant.ofEpochMilli(sweptDay);
    }

    /** When the last sweep of the coverage older than 24 hours completed, or {@link Instant#EPOCH} if never. */
    public Instant sweptOld() {
        return Instant.ofEpochMilli(sweptOld);
    }

    /** The blob being emitted, or {@code null}. */
    public BlobPosition inProgress() {
        return inProgress;
    }

    /** Blobs listed near the retention edge and not delivered yet. */
    public List<ContentBlob> pending() {
        return pending;
    }

    public int doneCount() {
        return done.size();
    }

    /** True when {@code blob} was already delivered (by content id and creation time). */
    public boolean isDone(ContentBlob blob) {
        return done.contains(blob.contentCreated().toEpochMilli(), blob.contentId());
    }

    /** Position after {@code recordsDone} records of {@code blob}, the last of which had {@code lastId}. */
    public StreamCursor withProgress(ContentBlob blob, long recordsDone, String lastId) {
        return withProgress(blob, recordsDone, lastId, null);
    }

    /**
     * Position after {@code recordsDone} records of {@code blob}, the last of which had {@code lastId}, with the
     * completeness ledger's state of the blob after them ({@code ledger}; null when the ledger is off).
     */
    public StreamCursor withProgress(ContentBlob blob, long recordsDone, String lastId, LedgerState ledger) {
        BlobPosition p = BlobPosition.of(blob, recordsDone, lastId, ledger);
        // same blob: only the per-record fields differ, so the base map is shared
        boolean sameBlob = inProgress != null
                && inProgress.contentId().equals(p.contentId())
                && Objects.equals(inProgress.firstListedMs(), p.firstListedMs())
                && inProgress.chainFrom() == p.chainFrom();
        return new StreamCursor(
                highWatermark, origin, sweptDay, sweptOld, done, p, pending, history, sameBlob ? base : new BaseRef());
    }

    /** Position after {@code recordsDone} records of {@code blob} (no record id known). */
    public StreamCursor withProgress(ContentBlob blob, long recordsDone) {
        return withProgress(blob, recordsDone, null);
    }

    /** Position after the last record of {@code blob} (or after publishing it as skipped). */
    public StreamCursor withBlobDone(ContentBlob blob) {
        List<ContentBlob> p = pending;
        if (!p.isEmpty()) {
            List<ContentBlob> rest = new ArrayList<>(p.size());
            for (ContentBlob b : p) {
                if (!b.contentId().equals(blob.contentId())) {
                    rest.add(b);
                }
            }
            p = List.copyOf(rest);
        }
        return new StreamCursor(
                highWatermark,
                origin,
                sweptDay,
                sweptOld,
                done.plus(blob.contentCreated().toEpochMilli(), blob.contentId()),
                null,
                p,
                history);
    }

    /** Remembers the blobs listed near the retention edge that are still to be delivered. */
    public StreamCursor withPending(List<ContentBlob> blobs) {
        return new StreamCursor(
                highWatermark, origin, sweptDay, sweptOld, done, inProgress, List.copyOf(blobs), history);
    }

    /** Position after a whole frontier window ending at {@code end}: H moves to {@code end}, never backwards. */
    public StreamCursor withWindowDone(Instant end) {
        Instant h = truncateToMillis(end).isAfter(highWatermark) ? truncateToMillis(end) : highWatermark;
        return new StreamCursor(h, origin, sweptDay, sweptOld, done, null, List.of(), history);
    }

    /** Moves H forward to {@code at} (past the retention floor), keeping the blobs in progress and pending. */
    public StreamCursor withHighWatermarkAtLeast(Instant at) {
        Instant h = truncateToMillis(at).isAfter(highWatermark) ? truncateToMillis(at) : highWatermark;
        return new StreamCursor(h, origin, sweptDay, sweptOld, done, inProgress, pending, history);
    }

    /** Records that a sweep completed at {@code at}: of the last 24 hours, or of the older coverage. */
    public StreamCursor withSwept(boolean day, Instant at) {
        return new StreamCursor(
                highWatermark,
                origin,
                day ? at.toEpochMilli() : sweptDay,
                day ? sweptOld : at.toEpochMilli(),
                done,
                inProgress,
                pending,
                history);
    }

    /** Forgets delivered blobs created before {@code keepFrom} (whole hour buckets, so slightly more is kept). */
    public StreamCursor forgettingBefore(Instant keepFrom) {
        DoneIndex d = done.prunedBefore(keepFrom.toEpochMilli());
        return d == done
                ? this
                : new StreamCursor(highWatermark, origin, sweptDay, sweptOld, d, inProgress, pending, history);
    }

    /** The offset map. Records of one blob share everything but their position inside it. */
    public Map<String, Object> toOffset() {
        Map<String, Object> b = base.map;
        if (b == null) {
            Map<String, Object> m = new LinkedHashMap<>(16 + done.buckets.size() * 2);
            m.put(V, (long) VERSION);
            m.put(HIGH_WATERMARK, highWatermark.toEpochMilli());
            m.put(ORIGIN, origin);
            if (sweptDay > 0) {
                m.put(SWEPT_DAY, sweptDay);
            }
            if (sweptOld > 0) {
                m.put(SWEPT_OLD, sweptOld);
            }
            for (Map.Entry<Long, Bucket> e : done.buckets.entrySet()) {
                m.put(DONE_PREFIX + Long.toString(e.getKey(), 36), e.getValue().encoded());
            }
            if (!pending.isEmpty()) {
                m.put(PENDING, encodePending(pending));
            }
            if (history != null) {
                history.addTo(m);
            }
            if (inProgress != null) {
                m.put(BLOB_ID, inProgress.contentId());
                m.put(BLOB_URI, inProgress.contentUri());
                m.put(BLOB_CREATED, inProgress.created().toEpochMilli());
                if (inProgress.expiration() != null) {
                    m.put(BLOB_EXPIRES, inProgress.expiration().toEpochMilli());
                }
                LedgerState l = inProgress.ledger();
                if (l != null) {
                    if (l.firstListed() != null) {
                        m.put(BLOB_LISTED, l.firstListed().toEpochMilli());
                    }
                    m.put(BLOB_CHAIN_FROM, l.chainFrom());
                }
            }
            b = Collections.unmodifiableMap(m);
            base.map = b; // a benign race: threads that both build it build the same map
        }
        if (inProgress == null) {
            return b;
        }
        return new PositionView(b, inProgress);
    }

    /**
     * Parses a stored offset (version 2, or version 1 which is upgraded). Rejects malformed ones with a message naming
     * the field, so {@code alterOffsets} and task start-up refuse bad edits instead of guessing.
     */
    public static StreamCursor fromOffset(Map<String, ?> offset) {
        if (offset == null) {
            throw new IllegalArgumentException("offset is missing");
        }
        Object v = offset.get(V);
        if (!(v instanceof Number)) {
            throw new IllegalArgumentException("offset " + offset.keySet() + " has no numeric version '" + V
                    + "'; it was not written by this connector (expected {\"v\":2,\"hw\":<epoch ms>,...})");
        }
        int version = ((Number) v).intValue();
        if (version != 1 && version != VERSION) {
            throw new IllegalArgumentException("offset version " + v + " is not supported by this connector "
                    + "version (supported: 1 and " + VERSION + ")");
        }
        long hw = requireLong(offset, HIGH_WATERMARK);
        if (hw < 0) {
            throw new IllegalArgumentException("offset field '" + HIGH_WATERMARK + "' must be >= 0, was " + hw);
        }
        DoneIndex done;
        long sd = 0;
        long so = 0;
        List<ContentBlob> pending = List.of();
        if (version == 1) {
            Object doneText = offset.get(V1_DONE);
            if (doneText != null && !(doneText instanceof String)) {
                throw new IllegalArgumentException("offset field '" + V1_DONE + "' must be a string");
            }
            done = DoneIndex.fromV1((String) doneText);
        } else {
            sd = optionalLong(offset, SWEPT_DAY);
            so = optionalLong(offset, SWEPT_OLD);
            TreeMap<Long, Bucket> buckets = new TreeMap<>();
            for (Map.Entry<String, ?> e : offset.entrySet()) {
                if (e.getKey().startsWith(DONE_PREFIX)) {
                    long hour;
                    try {
                        hour = Long.parseLong(e.getKey().substring(DONE_PREFIX.length()), 36);
                    } catch (NumberFormatException ex) {
                        throw new IllegalArgumentException("offset field '" + e.getKey() + "' has no valid hour");
                    }
                    if (!(e.getValue() instanceof String s)) {
                        throw new IllegalArgumentException("offset field '" + e.getKey() + "' must be a string");
                    }
                    buckets.put(hour, Bucket.decode(e.getKey(), s));
                }
            }
            done = new DoneIndex(Collections.unmodifiableNavigableMap(buckets));
            Object pend = offset.get(PENDING);
            if (pend != null) {
                if (!(pend instanceof String s)) {
                    throw new IllegalArgumentException("offset field '" + PENDING + "' must be a string");
                }
                pending = decodePending(s);
            }
        }
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
            Object last = offset.get(BLOB_LAST);
            if (last != null && !(last instanceof String)) {
                throw new IllegalArgumentException("offset field '" + BLOB_LAST + "' must be a string");
            }
            pos = new BlobPosition(
                    (String) blobId,
                    (String) uri,
                    Instant.ofEpochMilli(created),
                    expiration,
                    records,
                    (String) last,
                    LedgerState.fromOffset(offset, records));
        } else {
            for (String k : new String[] {
                BLOB_URI,
                BLOB_CREATED,
                BLOB_RECORDS,
                BLOB_EXPIRES,
                BLOB_LAST,
                BLOB_LISTED,
                BLOB_CHAIN_FROM,
                BLOB_CHAIN_SHA,
                BLOB_CHAIN_RECORDS,
                BLOB_CHAIN_BYTES
            }) {
                if (offset.get(k) != null) {
                    throw new IllegalArgumentException("offset field '" + k + "' requires '" + BLOB_ID + "'");
                }
            }
        }
        // without an origin (version 1, or a hand-written offset): the stream began one re-listed hour before H
        long origin = offset.get(ORIGIN) == null ? hw - WindowPlanner.RECENT.toMillis() : requireLong(offset, ORIGIN);
        HistoryPhase history = HistoryPhase.fromOffset(offset);
        return new StreamCursor(Instant.ofEpochMilli(hw), origin, sd, so, done, pos, pending, history);
    }

    /**
     * Checks a position an operator or a stored offset gives against {@code now}: a high watermark before 2015 (when
     * the API started) or later than {@code now + tolerance} is refused, with a hint about seconds versus
     * milliseconds.
     */
    public void checkPlausible(Instant now, Duration tolerance) {
        String hint = " (" + HIGH_WATERMARK + " is epoch milliseconds: did you give seconds or microseconds? "
                + now.toEpochMilli() + " is now)";
        if (highWatermark.isBefore(EARLIEST)) {
            throw new IllegalArgumentException("offset field '" + HIGH_WATERMARK + "' is " + highWatermark
                    + ", before the Management API existed (2015)" + hint);
        }
        if (highWatermark.isAfter(now.plus(tolerance))) {
            throw new IllegalArgumentException("offset field '" + HIGH_WATERMARK + "' is " + highWatermark
                    + ", in the future: the stream would collect nothing until then" + hint);
        }
    }

    private static long requireLong(Map<String, ?> offset, String key) {
        Object o = offset.get(key);
        if (!(o instanceof Number) || o instanceof Double || o instanceof Float) {
            throw new IllegalArgumentException("offset field '" + key + "' must be an integer, was " + o);
        }
        return ((Number) o).longValue();
    }

    private static long optionalLong(Map<String, ?> offset, String key) {
        return offset.get(key) == null ? 0 : requireLong(offset, key);
    }

    private static Instant truncateToMillis(Instant i) {
        return Instant.ofEpochMilli(i.toEpochMilli());
    }

    /** The first 64 bits of the SHA-256 of a content id. */
    static long digest(String contentId) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(contentId.getBytes(StandardCharsets.UTF_8));
            long h = 0;
            for (int i = 0; i < 8; i++) {
                h = (h << 8) | (d[i] & 0xff);
            }
            return h;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A delivered blob as stored: 22 bits of milliseconds within its hour, then 26 bits of its content id hash. */
    static long entry(long createdMs, long digest64) {
        long msInHour = Math.floorMod(createdMs, HOUR_MS);
        return (msInHour << 26) | (digest64 >>> 38);
    }

    private static String encodePending(List<ContentBlob> blobs) {
        StringBuilder sb = new StringBuilder();
        for (ContentBlob b : blobs) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(Long.toString(b.contentCreated().toEpochMilli(), 36))
                    .append(' ')
                    .append(
                            b.contentExpiration() == null
                                    ? "-"
                                    : Long.toString(b.contentExpiration().toEpochMilli(), 36))
                    .append(' ')
                    .append(b.contentType() == null ? "-" : b.contentType())
                    .append(' ')
                    .append(b.contentId())
                    .append(' ')
                    .append(b.contentUri());
        }
        return sb.toString();
    }

    private static List<ContentBlob> decodePending(String s) {
        if (s.isEmpty()) {
            return List.of();
        }
        List<ContentBlob> out = new ArrayList<>();
        for (String line : s.split("\n")) {
            String[] f = line.split(" ", 5);
            if (f.length != 5) {
                throw new IllegalArgumentException("offset field '" + PENDING + "' is malformed near '" + line + "'");
            }
            try {
                out.add(new ContentBlob(
                        f[2].equals("-") ? null : f[2],
                        f[3],
                        f[4],
                        Instant.ofEpochMilli(Long.parseLong(f[0], 36)),
                        f[1].equals("-") ? null : Instant.ofEpochMilli(Long.parseLong(f[1], 36))));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "offset field '" + PENDING + "' is malformed near '" + line + "'", e);
            }
        }
        return List.copyOf(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamCursor c
                && c.highWatermark.equals(highWatermark)
                && c.origin == origin
                && c.sweptDay == sweptDay
                && c.sweptOld == sweptOld
                && c.done.equals(done)
                && Objects.equals(c.inProgress, inProgress)
                && c.pending.equals(pending)
                && Objects.equals(c.history, history);
    }

    @Override
    public int hashCode() {
        return Objects.hash(highWatermark, done.size(), inProgress);
    }

    @Override
    public String toString() {
        return "StreamCursor[hw=" + highWatermark + ", done=" + done.size()
                + (inProgress == null ? "" : ", blob=" + inProgress.contentId() + "@" + inProgress.recordsDone())
                + (pending.isEmpty() ? "" : ", pending=" + pending.size())
                + (history == null ? "" : ", " + history) + "]";
    }

    /**
     * The blob being emitted.
     *
     * @param recordsDone how many of its records were delivered (the index of the next record)
     * @param lastId      the {@code Id} of the last delivered record, or null
     * @param ledger      the completeness ledger's state of the blob after them, or null (ledger off, or an offset
     *                    written without it)
     */
    public record BlobPosition(
            String contentId,
            String contentUri,
            Instant created,
            Instant expiration,
            long recordsDone,
            String lastId,
            LedgerState ledger) {
        /** A position without ledger state. */
        public BlobPosition(
                String contentId,
                String contentUri,
                Instant created,
                Instant expiration,
                long recordsDone,
                String lastId) {
            this(contentId, contentUri, created, expiration, recordsDone, lastId, null);
        }

        static BlobPosition of(ContentBlob blob, long recordsDone, String lastId, LedgerState ledger) {
            return new BlobPosition(
                    blob.contentId(),
                    blob.contentUri(),
                    blob.contentCreated(),
                    blob.contentExpiration(),
                    recordsDone,
                    lastId,
                    ledger);
        }

        /** The blob as it can be fetched again after a restart. */
        public ContentBlob toBlob(String contentType) {
            return new ContentBlob(contentType, contentId, contentUri, created, expiration);
        }

        /** The first-listed time in epoch ms (part of the blob's shared offset map), or null. */
        Long firstListedMs() {
            return ledger == null || ledger.firstListed() == null
                    ? null
                    : ledger.firstListed().toEpochMilli();
        }

        /** The chain's first record (part of the blob's shared offset map), or -1 without ledger state. */
        long chainFrom() {
            return ledger == null ? -1 : ledger.chainFrom();
        }
    }

    /**
     * The completeness ledger's state of the blob in progress, stored with each of its records' positions so that a
     * restart goes on with the same chain.
     *
     * @param firstListed when the blob was first listed (service time), or null when unknown
     * @param chainFrom   index of the first record the chain covers (0 unless resumed from an offset without it)
     * @param chain       the chain over the records delivered from {@code chainFrom} on; never modified (callers go on
     *                    with a {@link BlobDigest#copy()})
     */
    public record LedgerState(Instant firstListed, long chainFrom, BlobDigest chain) {
        public LedgerState {
            Objects.requireNonNull(chain, "chain");
            if (chainFrom < 0) {
                throw new IllegalArgumentException("chainFrom must be >= 0");
            }
            firstListed = firstListed == null ? null : truncateToMillis(firstListed);
        }

        /** Reads the ledger fields of an offset whose blob has {@code records} done; null when it has none. */
        static LedgerState fromOffset(Map<String, ?> offset, long records) {
            Object listedField = offset.get(BLOB_LISTED);
            Instant listed = listedField == null ? null : Instant.ofEpochMilli(requireLong(offset, BLOB_LISTED));
            Object sha = offset.get(BLOB_CHAIN_SHA);
            if (sha == null) {
                for (String k : new String[] {BLOB_CHAIN_FROM, BLOB_CHAIN_RECORDS, BLOB_CHAIN_BYTES}) {
                    if (offset.get(k) != null) {
                        throw new IllegalArgumentException(
                                "offset field '" + k + "' requires '" + BLOB_CHAIN_SHA + "'");
                    }
                }
                // an older offset: no chain stored (the ledger was off, or the connector older)
                return listed == null ? null : new LedgerState(listed, records, new BlobDigest());
            }
            if (!(sha instanceof String hex)) {
                throw new IllegalArgumentException("offset field '" + BLOB_CHAIN_SHA + "' must be a string");
            }
            long from = optionalLong(offset, BLOB_CHAIN_FROM);
            long chained = requireLong(offset, BLOB_CHAIN_RECORDS);
            long bytes = requireLong(offset, BLOB_CHAIN_BYTES);
            if (from < 0 || from > records) {
                throw new IllegalArgumentException("offset field '" + BLOB_CHAIN_FROM + "' must be between 0 and '"
                        + BLOB_RECORDS + "' (" + records + "), was " + from);
            }
            if (chained < 0 || chained > records - from) {
                throw new IllegalArgumentException("offset field '" + BLOB_CHAIN_RECORDS + "' must be between 0 and "
                        + (records - from) + " ('" + BLOB_RECORDS + "' minus '" + BLOB_CHAIN_FROM + "'), was "
                        + chained);
            }
            BlobDigest chain;
            try {
                chain = BlobDigest.resume(hex, chained, bytes);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "offset field '" + BLOB_CHAIN_SHA + "' or '" + BLOB_CHAIN_BYTES + "' is invalid: "
                                + e.getMessage(),
                        e);
            }
            return new LedgerState(listed, from, chain);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LedgerState l
                    && Objects.equals(l.firstListed, firstListed)
                    && l.chainFrom == chainFrom
                    && l.chain.records() == chain.records()
                    && l.chain.bytes() == chain.bytes()
                    && l.chain.hex().equals(chain.hex());
        }

        @Override
        public int hashCode() {
            return Objects.hash(firstListed, chainFrom, chain.records());
        }
    }

    /** One hour's delivered blobs: sorted 48-bit entries, with their encoding cached. */
    static final class Bucket {
        final long[] entries;
        private String encoded;

        Bucket(long[] sortedEntries) {
            this.entries = sortedEntries;
        }

        boolean contains(long e) {
            return Arrays.binarySearch(entries, e) >= 0;
        }

        Bucket plus(long e) {
            int i = Arrays.binarySearch(entries, e);
            if (i >= 0) {
                return this;
            }
            int at = -i - 1;
            long[] n = new long[entries.length + 1];
            System.arraycopy(entries, 0, n, 0, at);
            n[at] = e;
            System.arraycopy(entries, at, n, at + 1, entries.length - at);
            return new Bucket(n);
        }

        String encoded() {
            String s = encoded;
            if (s == null) {
                byte[] raw = new byte[entries.length * 6];
                for (int i = 0; i < entries.length; i++) {
                    long e = entries[i];
                    for (int b = 0; b < 6; b++) {
                        raw[i * 6 + b] = (byte) (e >>> (40 - 8 * b));
                    }
                }
                s = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
                encoded = s;
            }
            return s;
        }

        static Bucket decode(String field, String s) {
            byte[] raw;
            try {
                raw = Base64.getUrlDecoder().decode(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("offset field '" + field + "' is not valid base64url", e);
            }
            if (raw.length % 6 != 0) {
                throw new IllegalArgumentException("offset field '" + field + "' has a truncated entry");
            }
            long[] entries = new long[raw.length / 6];
            for (int i = 0; i < entries.length; i++) {
                long e = 0;
                for (int b = 0; b < 6; b++) {
                    e = (e << 8) | (raw[i * 6 + b] & 0xff);
                }
                entries[i] = e;
            }
            Arrays.sort(entries);
            Bucket bucket = new Bucket(entries);
            bucket.encoded = s;
            return bucket;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bucket b && Arrays.equals(b.entries, entries);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(entries);
        }
    }

    /** The delivered blobs, by hour of {@code contentCreated}. Immutable; a change copies one bucket. */
    static final class DoneIndex {
        static final DoneIndex EMPTY = new DoneIndex(Collections.unmodifiableNavigableMap(new TreeMap<>()));
        final NavigableMap<Long, Bucket> buckets;

        DoneIndex(NavigableMap<Long, Bucket> buckets) {
            this.buckets = buckets;
        }

        int size() {
            int n = 0;
            for (Bucket b : buckets.values()) {
                n += b.entries.length;
            }
            return n;
        }

        boolean contains(long createdMs, String contentId) {
            Bucket b = buckets.get(Math.floorDiv(createdMs, HOUR_MS));
            return b != null && b.contains(entry(createdMs, digest(contentId)));
        }

        DoneIndex plus(long createdMs, String contentId) {
            return plusEntry(Math.floorDiv(createdMs, HOUR_MS), entry(createdMs, digest(contentId)));
        }

        private DoneIndex plusEntry(long hour, long e) {
            Bucket old = buckets.get(hour);
            Bucket b = old == null ? new Bucket(new long[] {e}) : old.plus(e);
            if (b == old) {
                return this;
            }
            TreeMap<Long, Bucket> copy = new TreeMap<>(buckets);
            copy.put(hour, b);
            return new DoneIndex(Collections.unmodifiableNavigableMap(copy));
        }

        DoneIndex prunedBefore(long keepFromMs) {
            long firstHour = Math.floorDiv(keepFromMs, HOUR_MS);
            if (buckets.isEmpty() || buckets.firstKey() >= firstHour) {
                return this;
            }
            return new DoneIndex(Collections.unmodifiableNavigableMap(new TreeMap<>(buckets.tailMap(firstHour, true))));
        }

        /** Version 1: {@code created36:key11,...} where key11 is the base64url of the SHA-256's first 64 bits. */
        static DoneIndex fromV1(String text) {
            if (text == null || text.isEmpty()) {
                return EMPTY;
            }
            TreeMap<Long, List<Long>> byHour = new TreeMap<>();
            for (String part : text.split(",")) {
                int colon = part.indexOf(':');
                if (colon <= 0 || colon == part.length() - 1) {
                    throw new IllegalArgumentException(
                            "offset field '" + V1_DONE + "' is malformed near '" + part + "'");
                }
                long created;
                byte[] key;
                try {
                    created = Long.parseLong(part.substring(0, colon), 36);
                    key = Base64.getUrlDecoder().decode(part.substring(colon + 1));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            "offset field '" + V1_DONE + "' is malformed near '" + part + "'", e);
                }
                if (key.length != 8) {
                    throw new IllegalArgumentException(
                            "offset field '" + V1_DONE + "' is malformed near '" + part + "'");
                }
                long d = 0;
                for (byte b : key) {
                    d = (d << 8) | (b & 0xff);
                }
                byHour.computeIfAbsent(Math.floorDiv(created, HOUR_MS), h -> new ArrayList<>())
                        .add(entry(created, d));
            }
            TreeMap<Long, Bucket> buckets = new TreeMap<>();
            byHour.forEach((h, list) -> buckets.put(
                    h,
                    new Bucket(list.stream()
                            .mapToLong(Long::longValue)
                            .sorted()
                            .distinct()
                            .toArray())));
            return new DoneIndex(Collections.unmodifiableNavigableMap(buckets));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DoneIndex d && d.buckets.equals(buckets);
        }

        @Override
        public int hashCode() {
            return buckets.hashCode();
        }
    }

    /**
     * A record's offset: the blob's shared map plus the record's position inside the blob (and its ledger chain, whose
     * hex is only formatted when the offset is read: Connect serializes one offset per flush, not one per record).
     */
    static final class PositionView extends AbstractMap<String, Object> {
        private final Map<String, Object> base;
        private final BlobPosition position;
        private List<Entry<String, Object>> own;

        PositionView(Map<String, Object> base, BlobPosition position) {
            this.base = base;
            this.position = position;
        }

        /** The shared part (for tests). */
        Map<String, Object> base() {
            return base;
        }

        private boolean chained() {
            return position.ledger() != null;
        }

        /** The record's own entries, in their order. */
        private List<Entry<String, Object>> own() {
            List<Entry<String, Object>> o = own;
            if (o == null) {
                o = new ArrayList<>(5);
                o.add(new SimpleImmutableEntry<>(BLOB_RECORDS, position.recordsDone()));
                if (position.lastId() != null) {
                    o.add(new SimpleImmutableEntry<>(BLOB_LAST, position.lastId()));
                }
                if (chained()) {
                    BlobDigest d = position.ledger().chain();
                    o.add(new SimpleImmutableEntry<>(BLOB_CHAIN_SHA, d.hex()));
                    o.add(new SimpleImmutableEntry<>(BLOB_CHAIN_RECORDS, d.records()));
                    o.add(new SimpleImmutableEntry<>(BLOB_CHAIN_BYTES, d.bytes()));
                }
                own = o; // a benign race: every thread builds the same entries
            }
            return o;
        }

        @Override
        public Object get(Object key) {
            if (BLOB_RECORDS.equals(key)) {
                return position.recordsDone();
            }
            if (BLOB_LAST.equals(key)) {
                return position.lastId();
            }
            if (BLOB_CHAIN_SHA.equals(key) || BLOB_CHAIN_RECORDS.equals(key) || BLOB_CHAIN_BYTES.equals(key)) {
                for (Entry<String, Object> e : own()) {
                    if (e.getKey().equals(key)) {
                        return e.getValue();
                    }
                }
                return null;
            }
            return base.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return BLOB_RECORDS.equals(key)
                    || (BLOB_LAST.equals(key) && position.lastId() != null)
                    || ((BLOB_CHAIN_SHA.equals(key) || BLOB_CHAIN_RECORDS.equals(key) || BLOB_CHAIN_BYTES.equals(key))
                            && chained())
                    || base.containsKey(key);
        }

        @Override
        public int size() {
            return base.size() + 1 + (position.lastId() == null ? 0 : 1) + (chained() ? 3 : 0);
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, Object>> iterator() {
                    Iterator<Entry<String, Object>> it = base.entrySet().iterator();
                    return new Iterator<>() {
                        Iterator<Entry<String, Object>> rest;

                        @Override
                        public boolean hasNext() {
                            if (it.hasNext()) {
                                return true;
                            }
                            if (rest == null) {
                                rest = own().iterator();
                            }
                            return rest.hasNext();
                        }

                        @Override
                        public Entry<String, Object> next() {
                            if (!hasNext()) {
                                throw new java.util.NoSuchElementException();
                            }
                            return rest == null ? it.next() : rest.next();
                        }
                    };
                }

                @Override
                public int size() {
                    return PositionView.this.size();
                }
            };
        }
    }
}
