package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.Sleeper;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.metrics.EngineMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the streams of one task: a worker thread per stream plans windows, lists them and emits the records of
 * their blobs in order, while a shared pool fetches blobs ahead within a byte budget. The task drains
 * {@link #poll(Duration, int)}; failures of the workers are rethrown from there.
 *
 * <p>Plain Java: knows nothing of Kafka Connect.
 */
public final class CollectionEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CollectionEngine.class);
    private static final AtomicInteger ENGINE_IDS = new AtomicInteger();

    private final EngineSettings settings;
    private final Clock clock;
    private final Sleeper sleeper;
    private final EngineMetrics metrics;
    private final BlockingQueue<Emission> output;
    private final ByteBudget budget;
    private final ExecutorService fetchPool;
    private final ExecutorService workerPool;
    private final List<StreamWorker> workers = new ArrayList<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private volatile StreamId failedStream;
    private final java.util.Set<StreamId> drained = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param apis      the API client for each tenant (a stream's tenant must be present)
     * @param positions stored positions; streams without one start at now minus the initial lookback
     */
    public CollectionEngine(List<StreamId> streams, Function<String, ManagementApi> apis,
                            Map<StreamId, StreamCursor> positions, EngineSettings settings, Clock clock,
                            Sleeper sleeper, Random random, EngineMetrics metrics) {
        this.settings = settings;
        this.clock = clock;
        this.sleeper = sleeper;
        this.metrics = metrics;
        this.output = new ArrayBlockingQueue<>(settings.outputCapacity());
        this.budget = new ByteBudget(settings.bufferMaxBytes());
        int id = ENGINE_IDS.incrementAndGet();
        this.fetchPool = Executors.newFixedThreadPool(settings.fetchConcurrency(), named("o365-fetch-" + id));
        this.workerPool = Executors.newFixedThreadPool(Math.max(1, streams.size()), named("o365-stream-" + id));
        Map<String, SubscriptionKeeper> keepers = new HashMap<>();
        for (StreamId s : streams) {
            ManagementApi api = apis.apply(s.tenantId());
            SubscriptionKeeper keeper = keepers.computeIfAbsent(s.tenantId(),
                    t -> new SubscriptionKeeper(api, settings.manageSubscriptions(), clock, sleeper, metrics));
            StreamCursor start = positions.get(s);
            if (start != null) {
                log.info("Stream {} resumes at {}", s, start);
            }
            workers.add(new StreamWorker(this, s, api, keeper, start, new Random(random.nextLong())));
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public void start() {
        for (StreamWorker w : workers) {
            workerPool.execute(w);
        }
    }

    /**
     * Waits up to {@code maxWait} for the first emission, then takes whatever else is ready (at most
     * {@code maxItems}). Returns an empty list when nothing arrived. Rethrows a worker's failure.
     */
    public List<Emission> poll(Duration maxWait, int maxItems) throws InterruptedException {
        throwIfFailed();
        Emission first = output.poll(maxWait.toMillis(), TimeUnit.MILLISECONDS);
        if (first == null) {
            throwIfFailed();
            return List.of();
        }
        List<Emission> batch = new ArrayList<>(Math.min(maxItems, output.size() + 1));
        batch.add(first);
        output.drainTo(batch, maxItems - 1);
        return batch;
    }

    private void throwIfFailed() {
        RuntimeException f = failure.get();
        if (f != null) {
            throw f;
        }
    }

    /** The stream whose failure {@link #poll} rethrows, or null while none failed. */
    public StreamId failedStream() {
        return failure.get() == null ? null : failedStream;
    }

    public EngineMetrics metrics() {
        return metrics;
    }

    // --- used by workers ---

    EngineSettings settings() {
        return settings;
    }

    Clock clock() {
        return clock;
    }

    Sleeper sleeper() {
        return sleeper;
    }

    ByteBudget budget() {
        return budget;
    }

    ExecutorService fetchPool() {
        return fetchPool;
    }

    boolean closed() {
        return closed;
    }

    void emit(Emission e) throws InterruptedException {
        output.put(e);
    }

    void drained(StreamId stream) {
        drained.add(stream);
        log.info("Stream {} reached the end bound {} and stopped", stream, settings.endAt());
    }

    /** With an end bound: true once every stream reached it and everything was handed to {@link #poll}. */
    public boolean isDrained() {
        return drained.size() == workers.size() && output.isEmpty();
    }

    void fail(StreamId stream, RuntimeException e) {
        synchronized (failure) {
            if (failure.get() == null) {
                failedStream = stream; // before the failure is visible, so failedStream() names it
                failure.set(e);
                log.error("Stream {} failed: {}", stream, e.getMessage());
            }
        }
    }

    /** A classified failure that stops the task. */
    static RuntimeException fatal(StreamId stream, ApiException e) {
        String what = e.kind() == ErrorKind.AUTHENTICATION ? "Sign-in failed" : "The Management API refused the request";
        return new ApiException(e.kind(), e.httpStatus(), e.errorCode().orElse(null),
                what + " for stream " + stream + ": " + e.getMessage(), null, null, e);
    }

    @Override
    public void close() {
        closed = true;
        workerPool.shutdownNow();
        fetchPool.shutdownNow();
        for (StreamWorker w : workers) {
            w.cancel();
        }
        try {
            if (!workerPool.awaitTermination(5, TimeUnit.SECONDS) || !fetchPool.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("Collection threads did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        output.clear();
    }
}
