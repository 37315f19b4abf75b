package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.cursor.WindowPlanner;
import io.github.auditlake.o365.cursor.WindowPlanner.Window;
import io.github.auditlake.o365.metrics.EngineMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Collects one stream: plan a window, list it, emit its blobs' records in order, repeat. */
final class StreamWorker implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(StreamWorker.class);
    private static final Duration SKEW_TOLERANCE = Duration.ofSeconds(30);
    private static final int MAX_CONSECUTIVE_WINDOW_ERRORS = 5;

    private final CollectionEngine engine;
    private final StreamId stream;
    private final ManagementApi api;
    private final SubscriptionKeeper keeper;
    private final EngineSettings settings;
    private final WindowPlanner planner;
    private final EngineMetrics metrics;
    private final Random random;
    private final ArrayDeque<BlobBuffer> inflight = new ArrayDeque<>();
    private final Comparator<ContentBlob> order = Comparator.comparing(ContentBlob::contentCreated)
            .thenComparing(ContentBlob::contentId);

    private StreamCursor cursor;
    private StreamCursor lastEmitted;
    private Instant lastHeartbeat = Instant.EPOCH;
    private Duration skew = Duration.ZERO;
    private int windowErrors;

    StreamWorker(CollectionEngine engine, StreamId stream, ManagementApi api, SubscriptionKeeper keeper,
                 StreamCursor start, Random random) {
        this.engine = engine;
        this.stream = stream;
        this.api = api;
        this.keeper = keeper;
        this.settings = engine.settings();
        this.planner = settings.planner();
        this.metrics = engine.metrics();
        this.random = random;
        this.cursor = start;
        this.lastEmitted = start;
    }

    @Override
    public void run() {
        try {
            retrying("start the subscription", () -> {
                keeper.ensure(stream.contentType());
                return null;
            });
            while (!engine.closed()) {
                Instant now = now();
                checkRetention(now);
                Optional<Window> w = planner.next(cursor.highWatermark(), now);
                boolean caughtUp = w.isEmpty() || processWindow(w.get());
                maybeHeartbeat();
                if (caughtUp) {
                    engine.sleeper().sleep(settings.pollInterval());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ApiException e) {
            engine.fail(stream, CollectionEngine.fatal(stream, e));
        } catch (RuntimeException e) {
            engine.fail(stream, e);
        } finally {
            cancel();
        }
    }

    void cancel() {
        synchronized (inflight) {
            for (BlobBuffer b : inflight) {
                b.cancel();
            }
            inflight.clear();
        }
    }

    private Instant now() {
        return engine.clock().instant().plus(skew);
    }

    private void checkRetention(Instant now) {
        Instant floor = planner.retentionFloor(now);
        Instant hw = cursor.highWatermark();
        if (Duration.between(hw, floor).compareTo(Duration.ofMinutes(1)) > 0) {
            metrics.retentionGaps.increment();
            log.warn("Stream {}: its position {} is older than the oldest time the API still lists ({}; the API keeps "
                    + "7 days). Content that became available between them was not collected: audit data may have "
                    + "been lost during an outage. Continuing from {}.", stream, hw, floor, floor);
            cursor = cursor.withWindowDone(floor, planner.lateWindow());
        }
    }

    /** Lists and emits one window. Returns true when the stream is caught up (the window reached now). */
    private boolean processWindow(Window w) throws InterruptedException {
        List<ContentBlob> listed;
        try {
            listed = retrying("list " + stream.contentType() + " [" + w.start() + ", " + w.end() + ")",
                    () -> api.listAllContent(stream.contentType(), w.start(), w.end()));
            windowErrors = 0;
        } catch (ApiException e) {
            if (e.kind() != ErrorKind.WINDOW || ++windowErrors > MAX_CONSECUTIVE_WINDOW_ERRORS) {
                throw e;
            }
            correctSkew(e);
            return false;
        }
        metrics.windowsListed.increment();
        List<Work> work = plan(listed);
        log.debug("Stream {}: window [{}, {}) lists {} blobs, {} to deliver", stream, w.start(), w.end(),
                listed.size(), work.size());
        for (int i = 0; i < work.size(); i++) {
            startFetchesUpTo(work, i);
            BlobBuffer head;
            synchronized (inflight) {
                head = inflight.pollFirst();
            }
            head.makeHead();
            drain(head, i == work.size() - 1 ? w : null);
        }
        cursor = cursor.withWindowDone(w.end(), planner.lateWindow());
        metrics.highWatermark(stream.encode()).set(cursor.highWatermark().toEpochMilli());
        return w.reachesNow();
    }

    private List<Work> plan(List<ContentBlob> listed) {
        Map<String, ContentBlob> unique = new LinkedHashMap<>();
        for (ContentBlob b : listed) {
            if (unique.putIfAbsent(b.contentId(), b) != null) {
                metrics.blobsDuplicateListed.increment();
            }
        }
        StreamCursor.BlobPosition ip = cursor.inProgress();
        List<Work> work = new ArrayList<>();
        if (ip != null) {
            ContentBlob again = unique.remove(ip.contentId());
            work.add(new Work(again != null ? again : ip.toBlob(stream.contentType().wireName()), ip.recordsDone()));
        }
        unique.values().stream().filter(b -> !cursor.isDone(b)).sorted(order).forEach(b -> work.add(new Work(b, 0)));
        return work;
    }

    private void startFetchesUpTo(List<Work> work, int headIndex) {
        synchronized (inflight) {
            int next = headIndex + inflight.size();
            while (inflight.size() < settings.fetchConcurrency() && next < work.size()) {
                Work item = work.get(next++);
                BlobBuffer buffer = new BlobBuffer(item.blob(), item.skip(), engine.budget());
                inflight.addLast(buffer);
                engine.fetchPool().execute(new BlobFetch(engine, api, buffer, new Random(random.nextLong())));
            }
        }
    }

    /** Emits a blob's records; the last one carries the blob (and, for the window's last blob, the window) done. */
    private void drain(BlobBuffer b, Window endsWindow) throws InterruptedException {
        ContentBlob blob = b.blob;
        AuditRecord prev = null;
        long next = b.skip;
        AuditRecord r;
        while ((r = b.take()) != null) {
            if (prev != null) {
                emit(blob, prev, cursor.withProgress(blob, next), false);
            }
            prev = r;
            next++;
        }
        switch (b.end()) {
            case COMPLETE -> metrics.blobsCompleted.increment();
            case VANISHED -> log.warn("Stream {}: skipping blob {} (contentCreated {}) after {} records: {}. Its "
                    + "remaining records cannot be collected.", stream, blob.contentId(), blob.contentCreated(), next,
                    b.reason());
            case ABANDONED -> {
                metrics.blobsAbandoned.increment();
                log.error("Stream {}: abandoning blob {} (contentCreated {}) after {} records and {} failed "
                        + "attempts: {}. Its remaining records were not collected.", stream, blob.contentId(),
                        blob.contentCreated(), next, settings.maxBlobAttempts(), b.reason());
            }
            case FAILED -> throw b.failure();
            default -> throw new InterruptedException("cancelled");
        }
        StreamCursor after = cursor.withBlobDone(blob);
        if (endsWindow != null) {
            after = after.withWindowDone(endsWindow.end(), planner.lateWindow());
        }
        if (prev != null) {
            emit(blob, prev, after, true);
        } else {
            cursor = after;
        }
    }

    private void emit(ContentBlob blob, AuditRecord record, StreamCursor after, boolean blobEnd)
            throws InterruptedException {
        engine.emit(new Emission.Event(stream, blob, record, after, blobEnd));
        cursor = after;
        lastEmitted = after;
        metrics.recordsEmitted.increment();
        metrics.bytesEmitted.add(record.json().length());
    }

    private void maybeHeartbeat() throws InterruptedException {
        Duration interval = settings.heartbeatInterval();
        if (interval.isZero() || cursor.equals(lastEmitted)) {
            return;
        }
        Instant now = engine.clock().instant();
        if (Duration.between(lastHeartbeat, now).compareTo(interval) >= 0) {
            engine.emit(new Emission.Heartbeat(stream, cursor));
            lastEmitted = cursor;
            lastHeartbeat = now;
            metrics.heartbeats.increment();
        }
    }

    private void correctSkew(ApiException e) {
        Optional<Instant> server = e.serverDate();
        if (server.isPresent()) {
            Duration measured = Duration.between(engine.clock().instant(), server.get());
            if (measured.abs().compareTo(SKEW_TOLERANCE) > 0) {
                skew = measured;
                log.warn("Stream {}: the API rejected a window ({}); its clock differs from ours by {} s, "
                        + "correcting", stream, e.getMessage(), measured.toSeconds());
                return;
            }
        }
        log.warn("Stream {}: the API rejected a window ({}); planning again", stream, e.getMessage());
    }

    private <T> T retrying(String what, Call<T> call) throws InterruptedException {
        int attempt = 0;
        while (true) {
            try {
                return call.run();
            } catch (ApiException e) {
                if (engine.closed() || Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException("stopping");
                }
                if (e.kind() == ErrorKind.RESUBSCRIBE) {
                    keeper.lost(stream.contentType(), e);
                    continue;
                }
                if (e.kind() != ErrorKind.TRANSIENT) {
                    throw e;
                }
                attempt++;
                metrics.listRetries.increment();
                Duration d = Backoff.delay(attempt, settings.backoffInitial(), settings.backoffMax(), e.retryAfter(),
                        random);
                log.warn("Stream {}: could not {} (attempt {}): {}; retrying in {} ms", stream, what, attempt,
                        e.getMessage(), d.toMillis());
                engine.sleeper().sleep(d);
            }
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws InterruptedException;
    }

    private record Work(ContentBlob blob, long skip) {
    }
}
