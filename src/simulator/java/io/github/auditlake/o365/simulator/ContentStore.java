package io.github.auditlake.o365.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.auditlake.o365.api.ContentType;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The content of one tenant: a lazy, deterministic schedule of blobs per content type (N per hour from the
 * schedule start onwards, forever) plus explicitly added blobs. Nothing is materialised beyond blob metadata of
 * the hours being looked at.
 */
final class ContentStore {

    static final Pattern CONTENT_ID = Pattern.compile("(\\d{23})\\$(\\d{23})\\$([a-z_]+)\\$([A-Za-z_]+)\\$(na\\d{4})");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
    private static final long HOUR_MS = 3_600_000L;

    private final long seed;
    private final TenantSpec spec;
    private final long tenantHash;
    private final Instant scheduleStart;
    private final Map<ContentType, ConcurrentSkipListMap<String, SimBlob>> explicit = new EnumMap<>(ContentType.class);
    private final Map<String, SimBlob> explicitById = new ConcurrentHashMap<>();
    private final Map<Long, List<SimBlob>> hourCache = new ConcurrentHashMap<>();
    private final AtomicInteger explicitCounter = new AtomicInteger();

    ContentStore(long seed, TenantSpec spec, Instant startInstant) {
        this.seed = seed;
        this.spec = spec;
        this.tenantHash = RecordGenerator.hash(spec.tenantId());
        long startMs = startInstant.minus(spec.backfill()).toEpochMilli();
        this.scheduleStart = Instant.ofEpochMilli(Math.floorDiv(startMs, HOUR_MS) * HOUR_MS);
        for (ContentType t : ContentType.values()) {
            explicit.put(t, new ConcurrentSkipListMap<>());
        }
    }

    TenantSpec spec() {
        return spec;
    }

    Instant scheduleStart() {
        return scheduleStart;
    }

    static String token(ContentType t) {
        return t.wireName().replace('.', '_');
    }

    static String stamp(Instant i, int extraNanoDigits) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(i.getEpochSecond(), 0, ZoneOffset.UTC);
        long ms = i.getNano() / 1_000_000;
        return STAMP.format(t) + String.format("%03d%06d", ms, extraNanoDigits % 1_000_000);
    }

    static Instant parseStamp(String s) {
        LocalDateTime t = LocalDateTime.parse(s.substring(0, 14), STAMP);
        int ms = Integer.parseInt(s.substring(14, 17));
        return t.toInstant(ZoneOffset.UTC).plusMillis(ms);
    }

    static String contentId(ContentType t, Instant first, Instant created, int extra, String region) {
        return stamp(first, extra / 7 + 13) + "$" + stamp(created, extra) + "$"
                + token(t).toLowerCase(java.util.Locale.ROOT) + "$" + token(t) + "$" + region;
    }

    /** Scheduled blobs of one hour (epoch-hour index), sorted by contentCreated. */
    List<SimBlob> hour(ContentType type, long hour) {
        Volume v = spec.volume(type);
        if (v.blobsPerHour() == 0 || hour * HOUR_MS < scheduleStart.toEpochMilli()) {
            return List.of();
        }
        long key = hour * 8 + type.ordinal();
        List<SimBlob> cached = hourCache.get(key);
        if (cached != null) {
            return cached;
        }
        if (hourCache.size() > 50_000) {
            hourCache.clear();
        }
        long hourSeed = RecordGenerator.mix(RecordGenerator.mix(seed, tenantHash), key);
        SplittableRandom r = new SplittableRandom(hourSeed);
        int n = v.blobsPerHour();
        long[] offsets = new long[n];
        for (int k = 0; k < n; k++) {
            offsets[k] = r.nextLong(HOUR_MS);
        }
        Arrays.sort(offsets);
        List<SimBlob> out = new ArrayList<>(n);
        SimBlob prev = null;
        for (int k = 0; k < n; k++) {
            Instant created = Instant.ofEpochMilli(hour * HOUR_MS + offsets[k]);
            Instant visible = created;
            if (spec.lateFraction() > 0 && r.nextDouble() < spec.lateFraction()) {
                long lagMs = (long) (spec.lateLag().toMillis() * (0.5 + 0.5 * r.nextDouble()));
                visible = created.plusMillis(Math.max(1, lagMs));
            }
            int dup = 0;
            if (prev != null && spec.duplicateFraction() > 0 && r.nextDouble() < spec.duplicateFraction()) {
                dup = Math.min(3, Math.min(v.recordsPerBlob(), prev.recordCount()));
            }
            Instant first = created.minusMillis(30_000 + r.nextLong(1_200_000));
            int extra = r.nextInt(1_000_000);
            String region = String.format("na%04d", 10 + r.nextInt(30));
            SimBlob b = new SimBlob(
                    spec.tenantId(),
                    type,
                    contentId(type, first, created, extra, region),
                    created,
                    visible,
                    created.plus(spec.expiration()),
                    v.recordsPerBlob(),
                    RecordGenerator.mix(hourSeed, k + 1),
                    v.recordBytes(),
                    dup > 0 ? prev : null,
                    dup,
                    null,
                    null);
            out.add(b);
            prev = b;
        }
        List<SimBlob> result = Collections.unmodifiableList(out);
        hourCache.put(key, result);
        return result;
    }

    SimBlob addExplicit(ContentType type, Instant created, Instant visibleAt, List<String> records) {
        return addExplicit(type, created, visibleAt, created.plus(spec.expiration()), records);
    }

    SimBlob addExplicit(
            ContentType type, Instant created, Instant visibleAt, Instant expiration, List<String> records) {
        List<String> ids = new ArrayList<>(records.size());
        for (String rec : records) {
            try {
                JsonNode n = Jwts.JSON.readTree(rec);
                if (!n.isObject()) {
                    throw new IllegalArgumentException("record is not a JSON object: " + rec);
                }
                ids.add(n.path("Id").asText(null));
            } catch (IOException e) {
                throw new IllegalArgumentException("record is not JSON: " + rec, e);
            }
        }
        int n = explicitCounter.incrementAndGet();
        String id = contentId(type, created, created, 900_000 + n, "na9999");
        SimBlob b = new SimBlob(
                spec.tenantId(),
                type,
                id,
                created,
                visibleAt,
                expiration,
                records.size(),
                n,
                0,
                null,
                0,
                List.copyOf(records),
                Collections.unmodifiableList(ids));
        explicit.get(type).put(b.sortKey, b);
        explicitById.put(id, b);
        return b;
    }

    /** Blobs (scheduled and explicit) with {@code from <= contentCreated < to}, sorted; visibility not checked. */
    List<SimBlob> range(ContentType type, Instant from, Instant to) {
        List<SimBlob> out = new ArrayList<>();
        if (!from.isBefore(to)) {
            return out;
        }
        long h0 = Math.floorDiv(Math.max(from.toEpochMilli(), scheduleStart.toEpochMilli()), HOUR_MS);
        long h1 = Math.floorDiv(to.toEpochMilli() - 1, HOUR_MS);
        for (long h = h0; h <= h1; h++) {
            for (SimBlob b : hour(type, h)) {
                if (!b.contentCreated().isBefore(from) && b.contentCreated().isBefore(to)) {
                    out.add(b);
                }
            }
        }
        for (SimBlob b : explicit.get(type).values()) {
            if (!b.contentCreated().isBefore(from) && b.contentCreated().isBefore(to)) {
                out.add(b);
            }
        }
        out.sort((a, b) -> a.sortKey.compareTo(b.sortKey));
        return out;
    }

    /** Finds a blob by content id (which must match {@link #CONTENT_ID}). */
    Optional<SimBlob> find(String contentId) {
        SimBlob e = explicitById.get(contentId);
        if (e != null) {
            return Optional.of(e);
        }
        Matcher m = CONTENT_ID.matcher(contentId);
        if (!m.matches()) {
            return Optional.empty();
        }
        ContentType type = null;
        for (ContentType t : ContentType.values()) {
            if (token(t).equals(m.group(4))) {
                type = t;
            }
        }
        if (type == null) {
            return Optional.empty();
        }
        Instant created;
        try {
            created = parseStamp(m.group(2));
        } catch (RuntimeException ex) {
            return Optional.empty();
        }
        for (SimBlob b : hour(type, Math.floorDiv(created.toEpochMilli(), HOUR_MS))) {
            if (b.contentId().equals(contentId)) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /** All blobs whose visibleAt lies in (after, upTo], scanning contentCreated back by the late lag. */
    List<SimBlob> becameVisible(ContentType type, Instant after, Instant upTo) {
        Instant floor = upTo.minus(Duration.ofDays(8));
        Instant from =
                after.isBefore(floor) ? floor : after.minus(spec.lateLag()).minus(Duration.ofHours(1));
        if (from.isBefore(floor)) {
            from = floor;
        }
        List<SimBlob> out = new ArrayList<>();
        for (SimBlob b : range(type, from, upTo.plusMillis(1))) {
            if (b.visibleAt().isAfter(after) && !b.visibleAt().isAfter(upTo)) {
                out.add(b);
            }
        }
        return out;
    }
}
