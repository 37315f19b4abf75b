package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.Sleeper;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.engine.health.HealthMonitor;
import io.github.auditlake.o365.metrics.EngineMetrics;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;

/**
 * What a stream's worker, and the fetches it starts, need from their engine: nothing more.
 *
 * @param budget              the engine's account in the memory budget
 * @param fetchPool           the engine's fetch threads (shared by its streams)
 * @param readAheadSlots      blobs fetched ahead of their stream's current one, engine-wide
 *                            ({@code o365.fetch.concurrency}); a {@link BlobBuffer} holds one while it waits behind
 *                            its stream's head
 * @param decodeWhileFetching decode each record's text on the fetch threads (see
 *                            {@link CollectionEngine#decodeTextWhileFetching()})
 * @param engine              where the worker hands its results to
 * @param health              where the worker reports what it observes (states, blobs listed and delivered)
 * @param history             how new streams read their history through audit search, or null (history off)
 */
record WorkerContext(
        EngineSettings settings,
        Clock clock,
        Sleeper sleeper,
        EngineMetrics metrics,
        MemoryBudget.Account budget,
        Executor fetchPool,
        Semaphore readAheadSlots,
        boolean decodeWhileFetching,
        Outlet engine,
        HealthMonitor health,
        HistorySource history) {

    /** What a worker hands back to its engine. */
    interface Outlet {
        /** Queues {@code e} for {@code poll()}; waits while the queue is full. */
        void emit(Emission e) throws InterruptedException;

        /** The stream reached the end bound and stopped. */
        void drained(StreamId stream);

        /** The stream stopped on {@code e}: {@code poll()} rethrows it. */
        void failed(StreamId stream, RuntimeException e);

        /** Runs the stream's next turn on a stream thread, after the turns already waiting for one. */
        void again(Runnable turn);

        /** Runs the stream's next turn on a stream thread once {@code wait} has passed; no thread is held meanwhile. */
        void after(Runnable turn, java.time.Duration wait, String why);

        /** True once the engine is closing: its workers and fetches stop, and nothing they meet then is a failure. */
        boolean closed();
    }
}
