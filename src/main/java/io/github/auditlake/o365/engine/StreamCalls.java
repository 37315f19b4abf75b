package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.ServiceClock;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.cursor.WindowPlanner.Window;
import io.github.auditlake.o365.metrics.EngineMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream's calls to the service. A transient failure is retried with backoff for as long as it lasts (a stream
 * never gives up its position; retrying longer than {@link #STALLED_AFTER} shows in the metrics), a lost
 * subscription is started again, and the service's time is learned from the answers.
 */
final class StreamCalls {
    private static final Logger log = LoggerFactory.getLogger(StreamCalls.class);
    /** A stream retrying this long counts as stalled in the metrics. */
    static final Duration STALLED_AFTER = Duration.ofMinutes(5);

    private final StreamId stream;
    private final ManagementApi api;
    private final SubscriptionKeeper keeper;
    private final WorkerContext ctx;
    private final EngineMetrics metrics;
    private final Random random;
    private final ServiceClock serviceClock;
    private Instant retryingSince;

    StreamCalls(StreamId stream, ManagementApi api, SubscriptionKeeper keeper, WorkerContext ctx, Random random) {
        this.stream = stream;
        this.api = api;
        this.keeper = keeper;
        this.ctx = ctx;
        this.metrics = ctx.metrics();
        this.random = random;
        ServiceClock sc = api.serviceClock();
        this.serviceClock = sc != null ? sc : ServiceClock.following(ctx.clock());
        this.serviceClock.countRejectedDatesIn(metrics.serviceDatesRejected);
    }

    ManagementApi api() {
        return api;
    }

    Random random() {
        return random;
    }

    /** The service's time (see {@link ServiceClock}). */
    Instant serviceNow() {
        return serviceClock.now();
    }

    /** True while the service's time is not confirmed by enough agreeing answers. */
    boolean serviceTimeProvisional() {
        return serviceClock.provisional();
    }

    void ensureSubscription() throws InterruptedException {
        retrying("start the subscription", () -> {
            keeper.ensure(stream.contentType());
            return null;
        });
    }

    List<ContentBlob> list(Window w) throws InterruptedException {
        return retrying(
                "list " + stream.contentType() + " [" + w.start() + ", " + w.end() + ")",
                () -> api.listAllContent(stream.contentType(), w.start(), w.end()));
    }

    /** One successful answer, whose {@code Date} teaches the service's time (the subscription list). */
    void learnServiceTime() throws InterruptedException {
        retrying("learn the service's time", api::listSubscriptions);
    }

    /**
     * When the service's answers say it is ahead of the worker's clock but have not confirmed it yet, a new stream
     * asks a few more times (about a minute) before it places its start, so that it starts at the service's time.
     * Returns how long it waited (the start is placed as if it had not).
     */
    Duration confirmServiceTime() throws InterruptedException {
        Duration spacing = ServiceClock.CONFIRM_SPAN.dividedBy(ServiceClock.CONFIRMATIONS - 1);
        Duration waited = Duration.ZERO;
        for (int i = 0; i < 2 * ServiceClock.CONFIRMATIONS && serviceClock.provisional(); i++) {
            ctx.sleeper().sleep(spacing);
            waited = waited.plus(spacing);
            learnServiceTime();
        }
        return waited;
    }

    /** Runs {@code call}, retrying transient failures with backoff; a lost subscription is started again. */
    <T> T retrying(String what, Call<T> call) throws InterruptedException {
        int attempt = 0;
        try {
            while (true) {
                try {
                    T result = call.run();
                    if (attempt > 0) {
                        ctx.health().answered(stream);
                    }
                    return result;
                } catch (ApiException failure) {
                    ApiException e = failure;
                    if (ctx.engine().closed() || Thread.currentThread().isInterrupted()) {
                        throw new InterruptedException("stopping");
                    }
                    if (e.kind() == ErrorKind.RESUBSCRIBE) {
                        try {
                            keeper.lost(stream.contentType(), e);
                            continue;
                        } catch (ApiException startFailed) {
                            // the start was refused for now (the 15-minute rule, throttling, an outage): retried below
                            e = startFailed;
                        }
                    }
                    // a start refused by the 15-minute rule is waited out like a transient failure
                    if (e.kind() != ErrorKind.TRANSIENT && e.kind() != ErrorKind.START_LIMIT) {
                        throw e;
                    }
                    attempt++;
                    stalledIfLong();
                    ctx.health().retrying(stream, e, retryingSince);
                    metrics.listRetries.increment();
                    Duration d = Backoff.delay(
                            attempt,
                            ctx.settings().backoffInitial(),
                            ctx.settings().backoffMax(),
                            e.retryAfter(),
                            random);
                    log.warn(
                            "Stream {}: could not {} (attempt {}): {}; retrying in {} ms",
                            stream,
                            what,
                            attempt,
                            e.getMessage(),
                            d.toMillis());
                    ctx.sleeper()
                            .sleep(d, stream + ": could not " + what + " (attempt " + attempt + "): " + e.getMessage());
                }
            }
        } finally {
            if (attempt > 0) {
                retryingSince = null;
                metrics.stalledSince(stream.encode()).set(0);
            }
        }
    }

    private void stalledIfLong() {
        Instant now = ctx.clock().instant();
        if (retryingSince == null) {
            retryingSince = now;
        }
        if (Duration.between(retryingSince, now).compareTo(STALLED_AFTER) >= 0) {
            metrics.stalledSince(stream.encode()).compareAndSet(0, retryingSince.toEpochMilli());
        }
    }

    @FunctionalInterface
    interface Call<T> {
        T run() throws InterruptedException;
    }
}
