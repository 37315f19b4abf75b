package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.Sleeper;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.engine.health.HealthMonitor;
import io.github.auditlake.o365.metrics.EngineMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the streams of one task: each stream plans windows, lists them and emits the records of their blobs in
 * order, in turns on a bounded pool of stream threads ({@code o365.stream.threads}; a caught-up stream waits on a
 * timer, holding no thread), while a shared pool fetches blobs ahead within a byte budget. The task drains
 * {@link #poll(Duration, int)}; failures of the workers are rethrown from there. A worker gets what it needs in a
 * {@link WorkerContext}; docs/design.md draws the threads and what they hand to each other.
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
    private final MemoryBudget.Account budget;
    private final PolledBytes polled;

    private final ExecutorService fetchPool;
    /** Blobs fetched ahead of their stream's current one, engine-wide: {@code o365.fetch.concurrency}. */
    private final Semaphore readAheadSlots;

    private final ExecutorService workerPool;
    /** Hands waiting streams back to {@link #workerPool} when their wait is over. */
    private final StreamTimer timer;

    private final Thread timerThread;
    /** The streams to collect; their workers are made at {@link #start()}. */
    private final List<Stream> streams = new ArrayList<>();

    private final List<StreamWorker> workers = new ArrayList<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private volatile StreamId failedStream;
    private final Set<StreamId> drained = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private volatile boolean releaseOnPoll = true;
    private volatile boolean decodeWhileFetching;
    private final List<SubscriptionKeeper> keepers = new ArrayList<>();
    private HealthMonitor health;
    private HistorySource history;

    /**
     * @param apis      the API client for each tenant (a stream's tenant must be present)
     * @param positions stored positions; streams without one start at now minus the initial lookback
     */
    public CollectionEngine(
            List<StreamId> streams,
            Function<String, ManagementApi> apis,
            Map<StreamId, StreamCursor> positions,
            EngineSettings settings,
            Clock clock,
            Sleeper sleeper,
            Random random,
            EngineMetrics metrics) {
        this(
                streams,
                apis,
                positions,
                settings,
                clock,
                sleeper,
                random,
                metrics,
                new MemoryBudget(settings.bufferMaxBytes()));
    }

    /**
     * @param budget the memory budget this engine shares with others (e.g. {@link MemoryBudget#workerWide}); its
     *               size is the budget's, not {@code settings.bufferMaxBytes()}
     */
    public CollectionEngine(
            List<StreamId> streams,
            Function<String, ManagementApi> apis,
            Map<StreamId, StreamCursor> positions,
            EngineSettings settings,
            Clock clock,
            Sleeper sleeper,
            Random random,
            EngineMetrics metrics,
            MemoryBudget budget) {
        this.settings = settings;
        this.clock = clock;
        this.sleeper = sleeper;
        this.metrics = metrics;
        this.output = new ArrayBlockingQueue<>(settings.outputCapacity());
        this.budget = budget.open();
        this.polled = new PolledBytes(this.budget, streams);
        int id = ENGINE_IDS.incrementAndGet();
        // the streams run in turns on at most o365.stream.threads threads, whatever their number
        int streamThreads = Math.max(1, Math.min(streams.size(), settings.streamThreads()));
        // a thread for each running stream's current blob besides the read-ahead ones: a read-ahead fetch waiting for
        // the budget must never keep a stream's current blob from being fetched (it did: streams waited on empty heads
        // while every fetch thread held a read-ahead blob waiting for the budget). A stream has a current blob only
        // during its turn (a round delivers every blob it listed), so one per stream thread is enough
        this.fetchPool =
                Executors.newFixedThreadPool(settings.fetchConcurrency() + streamThreads, named("o365-fetch-" + id));
        this.readAheadSlots = new Semaphore(settings.fetchConcurrency());
        this.workerPool = Executors.newFixedThreadPool(streamThreads, named("o365-stream-" + id));
        this.timer = new StreamTimer(clock, sleeper, this::runTurn);
        this.timerThread = named("o365-timer-" + id).newThread(timer);
        Map<String, SubscriptionKeeper> keepers = new HashMap<>();
        this.health = HealthMonitor.unread(streams, clock);
        for (StreamId s : streams) {
            ManagementApi api = apis.apply(s.tenantId());
            SubscriptionKeeper keeper = keepers.computeIfAbsent(
                    s.tenantId(),
                    t -> new SubscriptionKeeper(
                            api,
                            settings.manageSubscriptions(),
                            clock,
                            sleeper,
                            metrics,
                            new Random(random.nextLong())));
            StreamCursor start = positions.get(s);
            if (start != null) {
                log.info("Stream {} resumes at {}", s, start);
            }
            this.streams.add(new Stream(s, api, keeper, start, new Random(random.nextLong())));
        }
        this.keepers.addAll(keepers.values());
        this.keepers.forEach(k -> k.reportTo(health));
    }

    /** A stream to collect, with what its worker will need besides the engine's {@link WorkerContext}. */
    private record Stream(
            StreamId id, ManagementApi api, SubscriptionKeeper keeper, StreamCursor start, Random random) {}

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Reports the streams' health to {@code monitor} (made for the same streams) instead of a monitor nobody reads.
     * Call before {@link #start()}.
     */
    public void reportHealthTo(HealthMonitor monitor) {
        this.health = monitor;
        keepers.forEach(k -> k.reportTo(monitor));
    }

    /**
     * New streams (no stored position) first read their history through audit search ({@code o365.history.start}).
     * Call before {@link #start()}.
     */
    public void readHistoryWith(HistorySource source) {
        this.history = source;
    }

    /** Where the streams' health is reported. */
    public HealthMonitor health() {
        return health;
    }

    public void start() {
        WorkerContext ctx = new WorkerContext(
                settings,
                clock,
                sleeper,
                metrics,
                budget,
                fetchPool,
                readAheadSlots,
                decodeWhileFetching,
                new Outlet(),
                health,
                history);
        for (Stream s : streams) {
            workers.add(
                    new StreamWorker(s.id(), ctx, polled.holdOf(s.id()), s.api(), s.keeper(), s.start(), s.random()));
        }
        timerThread.start();
        for (StreamWorker w : workers) {
            runTurn(w);
        }
    }

    /** Runs a stream's turn on a stream thread (queued behind the turns waiting for one). */
    private void runTurn(Runnable turn) {
        try {
            workerPool.execute(turn);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (!closed) {
                throw e;
            }
            // closing: the stream stops here
        }
    }

    /** Streams waiting for their next turn (caught up, or backing off after an isolated failure). */
    public int waitingStreams() {
        return timer.waiting();
    }

    /** When the earliest waiting stream's next turn is due (the engine's clock, in ms); {@link Long#MAX_VALUE}: none. */
    long nextTurnDueMillis() {
        return timer.nextDueMillis();
    }

    /**
     * Waits up to {@code maxWait} for the first emission, then takes whatever else is ready (at most
     * {@code maxItems}). Returns an empty list when nothing arrived. Rethrows a worker's failure.
     */
    public List<Emission> poll(Duration maxWait, int maxItems) throws InterruptedException {
        throwIfFailed();
        if (!releaseOnPoll) {
            polled.flush();
        }
        Emission first = output.poll(maxWait.toMillis(), TimeUnit.MILLISECONDS);
        if (first == null) {
            throwIfFailed();
            return List.of();
        }
        List<Emission> batch = new ArrayList<>(Math.min(maxItems, output.size() + 1));
        batch.add(first);
        output.drainTo(batch, maxItems - 1);
        if (releaseOnPoll) {
            polled.handedOver(batch);
        }
        return batch;
    }

    /**
     * From now on, records polled stay in the budget until {@link #release} is called for them (for example when
     * the broker acknowledged them), so records still in the caller's pipeline count too. Call before
     * {@link #start()}.
     */
    public void releaseOnlyWhenReleased() {
        releaseOnPoll = false;
    }

    /**
     * Decodes each record's text on the fetch threads (for consumers that want text, not bytes), so the thread
     * that polls does not. Call before {@link #start()}.
     */
    public void decodeTextWhileFetching() {
        decodeWhileFetching = true;
    }

    /** The bytes {@code e} holds in the budget (0 for emissions without a record). */
    public static long charged(Emission e) {
        return PolledBytes.charged(e);
    }

    /**
     * Returns {@code bytes} of {@code stream}'s polled records to the budget (see {@link #releaseOnlyWhenReleased}).
     * Any thread. Released bytes are gathered and handed to the budget in batches (at
     * {@link PolledBytes#RELEASE_BATCH_BYTES} per stream, and at every {@link #poll}), so the budget's lock is not
     * taken for every record; a stream blocked on the budget therefore waits at most until the next {@code poll()}
     * for bytes released since.
     */
    public void release(StreamId stream, long bytes) {
        polled.release(stream, bytes);
    }

    /** Bytes this engine holds in its budget: read-ahead, heads and records not yet polled. */
    public long bufferedBytes() {
        return budget.held();
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

    /** With an end bound: true once every stream reached it and everything was handed to {@link #poll}. */
    public boolean isDrained() {
        return drained.size() == streams.size() && output.isEmpty();
    }

    /** What the workers hand back: emissions, a stream drained, a stream failed. */
    private final class Outlet implements WorkerContext.Outlet {
        @Override
        public void emit(Emission e) throws InterruptedException {
            output.put(e);
        }

        @Override
        public void drained(StreamId stream) {
            drained.add(stream);
            log.info("Stream {} reached the end bound {} and stopped", stream, settings.endAt());
        }

        @Override
        public void failed(StreamId stream, RuntimeException e) {
            if (closed) {
                // the engine stopped it: whatever it met on the way out is no failure of the stream
                log.debug("Stream {} stopped while the engine closed: {}", stream, e.toString());
                return;
            }
            synchronized (failure) {
                if (failure.get() == null) {
                    failedStream = stream; // before the failure is visible, so failedStream() names it
                    failure.set(e);
                    log.error("Stream {} failed: {}", stream, e.getMessage());
                }
            }
        }

        @Override
        public void again(Runnable turn) {
            runTurn(turn);
        }

        @Override
        public void after(Runnable turn, Duration wait, String why) {
            timer.after(wait, turn, why);
        }

        @Override
        public boolean closed() {
            return closed;
        }
    }

    @Override
    public void close() {
        closed = true;
        timer.close();
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
        budget.close();
    }
}
