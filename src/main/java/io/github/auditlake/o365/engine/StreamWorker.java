package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.metrics.EngineMetrics;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream's collection, run in turns on the engine's stream threads (a round per turn, see {@link #run()}): collects
 * until the engine closes (or the stream reached its end bound), and hands a failure to the engine, or, when failures
 * are isolated (several tenants), reports a permanent one and retries with backoff.
 * The parts, each given the engine's {@link WorkerContext}: {@link StreamCollector} runs the collection loop,
 * {@link WindowLister} lists windows, {@link BlobDelivery} fetches blobs and emits their records,
 * {@link StreamCalls} calls the service and {@link StreamPosition} carries the stream's position to the engine.
 */
final class StreamWorker implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(StreamWorker.class);
    /** A stream whose tenant fails permanently backs off from this many times the first retry delay. */
    private static final int ISOLATED_BACKOFF_FACTOR = 10;

    private final StreamId stream;
    private final WorkerContext ctx;
    private final EngineSettings settings;
    private final EngineMetrics metrics;
    private final StreamCalls calls;
    private final StreamPosition position;
    private final BlobDelivery delivery;
    private final StreamCollector collector;
    /** Whether the subscription and the start were made sure of (see {@link StreamCollector#begin()}). */
    private boolean begun;
    /** Permanent failures so far (isolated failures): the backoff grows with them. */
    private int failures;
    /** The wait before retrying after the last isolated failure. */
    private Duration isolatedDelay;

    /** @param start the stored position, or null for a new stream (it starts at now minus the initial lookback) */
    StreamWorker(
            StreamId stream,
            WorkerContext ctx,
            MemoryBudget.StreamHold hold,
            ManagementApi api,
            SubscriptionKeeper keeper,
            StreamCursor start,
            Random random) {
        this.stream = stream;
        this.ctx = ctx;
        this.settings = ctx.settings();
        this.metrics = ctx.metrics();
        this.calls = new StreamCalls(stream, api, keeper, ctx, random);
        this.position = new StreamPosition(stream, ctx, start);
        this.position.holdIn(hold);
        this.delivery = new BlobDelivery(stream, ctx, hold, calls, position);
        this.collector = new StreamCollector(
                stream,
                ctx,
                calls,
                position,
                new WindowLister(stream, ctx, calls, position, delivery),
                new HistoryDelivery(stream, ctx, hold, position));
    }

    /**
     * One turn: the first time (and after an isolated failure) make sure of the subscription and the start, then one
     * round; hands the next turn back to the engine (at once, or after the round's wait) instead of holding the
     * thread. The stream ends when the engine closes, it reached its end bound, or it failed.
     */
    @Override
    public void run() {
        boolean over = true;
        try {
            if (ctx.engine().closed()) {
                return;
            }
            try {
                if (!begun) {
                    collector.begin();
                    begun = true;
                }
                StreamCollector.Next next = collector.round();
                if (next.done()) {
                    return;
                }
                over = false;
                if (next.delay() == null) {
                    ctx.engine().again(this);
                } else {
                    ctx.engine().after(this, next.delay(), next.why());
                }
            } catch (ApiException e) {
                if (!settings.isolateFailures() || e.kind() == ErrorKind.TRANSIENT) {
                    throw e;
                }
                failures++;
                begun = false; // the subscription and the start are checked again before the next round
                String why = isolate(e, failures);
                over = false;
                ctx.engine().after(this, isolatedDelay, why);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ApiException e) {
            ctx.health().failed(stream, e);
            ctx.engine().failed(stream, fatal(stream, e));
        } catch (RuntimeException e) {
            ctx.engine().failed(stream, e);
        } catch (Error e) {
            // an Error (e.g. OutOfMemoryError) fails the task instead of silently stalling the stream
            ctx.engine()
                    .failed(
                            stream,
                            new IllegalStateException("Stream " + stream + " stopped on a fatal error: " + e, e));
            throw e;
        } finally {
            if (over) {
                metrics.stalledSince(stream.encode()).set(0);
                cancel();
            }
        }
    }

    /** A classified failure that stops the task (or, isolated, the stream). */
    static RuntimeException fatal(StreamId stream, ApiException e) {
        String what =
                e.kind() == ErrorKind.AUTHENTICATION ? "Sign-in failed" : "The Management API refused the request";
        return new ApiException(
                e.kind(),
                e.httpStatus(),
                e.errorCode().orElse(null),
                what + " for stream " + stream + ": " + e.getMessage(),
                null,
                null,
                e);
    }

    /** Stops the stream's fetches. Any thread. */
    void cancel() {
        delivery.cancel();
    }

    /**
     * With several tenants, one tenant's permanent failure (consent revoked, tenant deleted, permission missing) must
     * not stop the others: report it (WARN naming the tenant, metric, skips topic) and retry with backoff (sets
     * {@link #isolatedDelay}; returns what the wait is for). The stream holds no thread while it waits.
     */
    private String isolate(ApiException e, int failures) throws InterruptedException {
        cancel();
        ctx.health().failed(stream, e);
        ctx.health().pendingForgotten(stream);
        RuntimeException described = fatal(stream, e);
        metrics.failingSince(stream.encode()).compareAndSet(0, ctx.clock().millis());
        metrics.streamFailures.increment();
        Duration d = Backoff.delay(
                failures,
                settings.backoffInitial().multipliedBy(ISOLATED_BACKOFF_FACTOR),
                EngineSettings.ISOLATED_BACKOFF_MAX,
                Optional.empty(),
                calls.random());
        log.warn(
                "Tenant {}: stream {} cannot collect ({}); the other tenants go on. Retrying in {} s",
                stream.tenantId(),
                stream,
                described.getMessage(),
                d.toSeconds());
        if (failures == 1) {
            position.failure(described.getMessage());
        }
        isolatedDelay = d;
        return stream + " cannot collect: " + described.getMessage();
    }
}
