package io.github.auditlake.o365.testkit;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.AuditRecordStream;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ContentPage;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.Notification;
import io.github.auditlake.o365.api.SensitiveType;
import io.github.auditlake.o365.api.Subscription;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** An in-memory Management API for engine and task tests: blobs with visibility times, faults on demand. */
public class FakeManagementApi implements ManagementApi {
    private final String tenant;
    private final Clock clock;
    private final List<FakeBlob> blobs = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
    private final Map<String, Integer> failAfter = new ConcurrentHashMap<>();
    private final Map<String, ErrorKind> openErrors = new ConcurrentHashMap<>();
    private final Set<ContentType> subscribed = ConcurrentHashMap.newKeySet();
    private final AtomicInteger listCalls = new AtomicInteger();
    private final List<Instant[]> windows = new CopyOnWriteArrayList<>();
    private final AtomicInteger opens = new AtomicInteger();
    /** Requests as the service would count them: one per listing page of {@link #PAGE_SIZE}, one per blob fetch. */
    private final List<Instant> requestTimes = new CopyOnWriteArrayList<>();

    public static final int PAGE_SIZE = 600;
    private volatile ApiException listError;
    private volatile io.github.auditlake.o365.api.ServiceClock serviceClock;
    private volatile Instant nextDate;
    private volatile Instant listOutageUntil = Instant.MIN;
    private volatile Instant fetchOutageUntil = Instant.MIN;
    private volatile RuntimeException openThrows;
    private volatile Error openError;
    private final Map<String, List<AuditRecord>> rawRecords = new ConcurrentHashMap<>();
    private volatile Consumer<String> onRecordRead = s -> {};

    public FakeManagementApi(String tenant, Clock clock) {
        this.tenant = tenant;
        this.clock = clock;
    }

    /** A blob; visible from {@code visibleAt}; records get ids {@code <contentId>#<i>}; it expires after 7 days. */
    public FakeBlob addBlob(ContentType type, Instant created, Instant visibleAt, int records) {
        return addBlob(type, created, visibleAt, records, created.plus(Duration.ofDays(7)));
    }

    /** Like {@link #addBlob(ContentType, Instant, Instant, int)} with the given {@code contentExpiration}. */
    public FakeBlob addBlob(ContentType type, Instant created, Instant visibleAt, int records, Instant expiration) {
        String id = created.toEpochMilli() + "$" + type.wireName() + "$" + blobs.size();
        List<String> json = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            String rid = id + "#" + i;
            json.add("{\"Id\":\"" + rid + "\",\"CreationTime\":\""
                    + LocalDateTime.ofInstant(created.minusSeconds(30).truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC)
                    + "\",\"Workload\":\"Exchange\",\"RecordType\":2,\"Operation\":\"MailItemsAccessed\","
                    + "\"Nested\":{\"a\":[1,2,{\"b\":\"x\"}]}}");
        }
        FakeBlob b = new FakeBlob(
                new ContentBlob(type.wireName(), id, "https://fake/" + id, created, expiration), visibleAt, json);
        blobs.add(b);
        return b;
    }

    /** Blobs every {@code every} over {@code [from, to)}, visible at creation. Returns all record ids. */
    public List<String> addSchedule(ContentType type, Instant from, Instant to, Duration every, int records) {
        List<String> ids = new ArrayList<>();
        for (Instant t = from; t.isBefore(to); t = t.plus(every)) {
            ids.addAll(addBlob(type, t, t, records).recordIds());
        }
        return ids;
    }

    /** The next {@code times} opens of {@code contentId} fail with a transient error after {@code after} records. */
    public void failMidBlob(String contentId, int after, int times) {
        failAfter.put(contentId, after);
        failuresLeft.put(contentId, new AtomicInteger(times));
    }

    /** Every open of {@code contentId} fails with {@code kind}. */
    public void failOpen(String contentId, ErrorKind kind) {
        openErrors.put(contentId, kind);
    }

    public void failListing(ApiException e) {
        listError = e;
        listErrorUntil = Instant.MAX;
    }

    /** Listings succeed again (after {@link #failListing} or {@link #failListingUntil}). */
    public void stopFailingListings() {
        listError = null;
    }

    /** Every listing fails with {@code e} until the service's time reaches {@code until}. */
    public void failListingUntil(ApiException e, Instant until) {
        listError = e;
        listErrorUntil = until;
    }

    private volatile Instant listErrorUntil = Instant.MAX;
    private final java.util.concurrent.atomic.AtomicReference<ApiException> nextListError =
            new java.util.concurrent.atomic.AtomicReference<>();

    /** The next listing (only that one) fails with {@code e}. */
    public void failNextListing(ApiException e) {
        nextListError.set(e);
    }

    /** Every listing fails (HTTP 503, transient) until the service's time reaches {@code until}. */
    public void listingOutageUntil(Instant until) {
        listOutageUntil = until;
    }

    /** Every blob fetch fails (HTTP 500 AF50000, transient) until the service's time reaches {@code until}. */
    public void fetchOutageUntil(Instant until) {
        fetchOutageUntil = until;
    }

    /** The next blob fetches throw this Error (e.g. an OutOfMemoryError in a fetch thread). */
    public void failOpenWithError(Error e) {
        openError = e;
    }

    /**
     * Reports the service's time ({@link #clock}) to {@code sc} on every successful call, as a real client learns it from
     * {@code Date} headers; the engine then reads it through {@link #serviceClock()}.
     */
    public void reportServiceTime(io.github.auditlake.o365.api.ServiceClock sc) {
        serviceClock = sc;
    }

    @Override
    public io.github.auditlake.o365.api.ServiceClock serviceClock() {
        return serviceClock;
    }

    /**
     * The next successful answer carries {@code date} as its {@code Date} instead of the service's time (a hostile or
     * rewritten answer).
     */
    public void nextDate(Instant date) {
        nextDate = date;
    }

    /** Reports the service's time as a successful answer's {@code Date} does (an error's is never learned). */
    private void observe() {
        io.github.auditlake.o365.api.ServiceClock sc = serviceClock;
        Instant forged = nextDate;
        nextDate = null;
        if (sc != null) {
            sc.observe(forged != null ? forged : clock.instant());
        }
    }

    /** A blob whose elements are given as read (e.g. with elements that are not audit records). */
    public FakeBlob addRawBlob(ContentType type, Instant created, Instant visibleAt, List<AuditRecord> records) {
        FakeBlob b = addBlob(type, created, visibleAt, records.size());
        rawRecords.put(b.blob().contentId(), List.copyOf(records));
        return b;
    }

    public void onRecordRead(Consumer<String> hook) {
        onRecordRead = hook;
    }

    public int listCalls() {
        return listCalls.get();
    }

    /** Every listed window, {start, end, the service's time at the call}, in call order. */
    public List<Instant[]> windows() {
        return windows;
    }

    public int opens() {
        return opens.get();
    }

    /** When each request (listing page or blob fetch) reached this fake, by its clock. */
    public List<Instant> requestTimes() {
        return requestTimes;
    }

    public Set<ContentType> subscribed() {
        return Collections.unmodifiableSet(subscribed);
    }

    @Override
    public String tenantId() {
        return tenant;
    }

    @Override
    public Subscription startSubscription(ContentType type, WebhookRequest webhook) {
        observe();
        subscribed.add(type);
        return new Subscription(type.wireName(), "enabled", null);
    }

    @Override
    public void stopSubscription(ContentType type) {
        subscribed.remove(type);
    }

    @Override
    public List<Subscription> listSubscriptions() {
        observe();
        return subscribed.stream()
                .map(t -> new Subscription(t.wireName(), "enabled", null))
                .toList();
    }

    @Override
    public ContentPage listContent(ContentType type, Instant start, Instant end) {
        listCalls.incrementAndGet();
        windows.add(new Instant[] {start, end, clock.instant()});
        if (clock.instant().isBefore(listOutageUntil)) {
            throw new ApiException(ErrorKind.TRANSIENT, 503, null, "Service Unavailable (outage)", null, null, null);
        }
        if (start.isBefore(clock.instant().minus(Duration.ofDays(7)))) {
            throw new ApiException(
                    ErrorKind.WINDOW,
                    400,
                    "AF20055",
                    "start time more than 7 days in the past: " + start,
                    null,
                    clock.instant(),
                    null);
        }
        ApiException once = nextListError.getAndSet(null);
        if (once != null) {
            throw once;
        }
        ApiException e = listError;
        if (e != null && clock.instant().isBefore(listErrorUntil)) {
            throw e;
        }
        if (!subscribed.contains(type)) {
            throw new ApiException(ErrorKind.RESUBSCRIBE, 400, "AF20022", "No subscription found", null, null, null);
        }
        if (Duration.between(start, end).compareTo(Duration.ofHours(24)) > 0 || !start.isBefore(end)) {
            throw new ApiException(
                    ErrorKind.WINDOW, 400, "AF20055", "bad window " + start + " " + end, null, null, null);
        }
        observe();
        Instant now = clock.instant();
        List<ContentBlob> out = new ArrayList<>();
        for (FakeBlob b : blobs) {
            ContentBlob cb = b.blob;
            if (cb.contentType().equals(type.wireName())
                    && !cb.contentCreated().isBefore(start)
                    && cb.contentCreated().isBefore(end)
                    && !now.isBefore(b.visibleAt)) {
                out.add(cb);
            }
        }
        Collections.reverse(out); // the service does not promise an order
        for (int p = 0; p < Math.max(1, (out.size() + PAGE_SIZE - 1) / PAGE_SIZE); p++) {
            requestTimes.add(now);
        }
        return new ContentPage(out, Optional.empty());
    }

    @Override
    public List<ContentBlob> listAllContent(ContentType type, Instant start, Instant end) {
        return listContent(type, start, end).blobs();
    }

    @Override
    public ContentPage listContentPage(String nextPageUri) {
        throw new UnsupportedOperationException();
    }

    @Override
    public AuditRecordStream openBlob(ContentBlob blob) {
        opens.incrementAndGet();
        requestTimes.add(clock.instant());
        Error err = openError;
        if (err != null) {
            throw err;
        }
        if (clock.instant().isBefore(fetchOutageUntil)) {
            throw new ApiException(
                    ErrorKind.TRANSIENT, 500, "AF50000", "An internal error occurred (outage)", null, null, null);
        }
        if (blob.contentExpiration() != null && !clock.instant().isBefore(blob.contentExpiration())) {
            throw new ApiException(
                    ErrorKind.SKIP_BLOB,
                    400,
                    "AF20051",
                    "Content requested with the key " + blob.contentId() + " has already expired.",
                    null,
                    null,
                    null);
        }
        ErrorKind k = openErrors.get(blob.contentId());
        if (k != null) {
            throw new ApiException(
                    k,
                    404,
                    "AF20050",
                    "The specified content (" + blob.contentId() + ") does not exist.",
                    null,
                    null,
                    null);
        }
        FakeBlob b = blobs.stream()
                .filter(x -> x.blob.contentId().equals(blob.contentId()))
                .findFirst()
                .orElseThrow(() -> new ApiException(ErrorKind.SKIP_BLOB, "no such blob " + blob.contentId()));
        observe();
        AtomicInteger left = failuresLeft.get(blob.contentId());
        int breakAt = left != null && left.getAndDecrement() > 0 ? failAfter.get(blob.contentId()) : -1;
        return new AuditRecordStream() {
            int i;

            @Override
            public boolean hasNext() {
                if (i == breakAt) {
                    throw new ApiException(ErrorKind.TRANSIENT, "connection reset mid-body");
                }
                return i < b.json.size();
            }

            @Override
            public AuditRecord next() {
                List<AuditRecord> raw = rawRecords.get(b.blob.contentId());
                if (raw != null) {
                    onRecordRead.accept(b.blob.contentId() + "#" + i);
                    return raw.get(i++);
                }
                String j = b.json.get(i);
                String id = b.blob.contentId() + "#" + i;
                i++;
                onRecordRead.accept(id);
                String created = LocalDateTime.ofInstant(
                                b.blob.contentCreated().minusSeconds(30).truncatedTo(ChronoUnit.SECONDS),
                                ZoneOffset.UTC)
                        .toString();
                return new AuditRecord(j, id, created, "Exchange", 2, "MailItemsAccessed");
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public List<Notification> listNotifications(ContentType type, Instant start, Instant end) {
        return List.of();
    }

    @Override
    public List<SensitiveType> dlpSensitiveTypes(String language) {
        return List.of();
    }

    @Override
    public void close() {}

    /** A blob and when it becomes visible. */
    public record FakeBlob(ContentBlob blob, Instant visibleAt, List<String> json) {
        public List<String> recordIds() {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < json.size(); i++) {
                ids.add(blob.contentId() + "#" + i);
            }
            return ids;
        }
    }
}
