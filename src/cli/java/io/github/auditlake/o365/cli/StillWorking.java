package io.github.auditlake.o365.cli;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Says on stderr that a command is still at work once it has taken {@link #FIRST} (real time), then every
 * {@link #EVERY}: {@code o365-audit: still fetching the blob (12 s, 3,000 records so far)}. For the commands whose one
 * step can take long without waiting in between (a large blob, a slow endpoint); waits say themselves
 * ({@link Waits}). Nothing with {@code --quiet}. Closing it stops the notices.
 */
final class StillWorking implements AutoCloseable {
    static final Duration FIRST = Duration.ofSeconds(2);
    static final Duration EVERY = Duration.ofSeconds(10);

    private final ScheduledExecutorService timer;
    private final ScheduledFuture<?> task;

    private StillWorking(CliContext ctx, Supplier<String> what) {
        long started = System.nanoTime();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "o365-audit-still-working");
            t.setDaemon(true);
            return t;
        });
        task = timer.scheduleAtFixedRate(
                () -> {
                    if (!ctx.quiet()) {
                        long secs = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
                        ctx.error("still " + what.get() + " (" + secs + " s)");
                    }
                },
                FIRST.toMillis(),
                EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Starts the notices for {@code what} (e.g. "fetching the blob"), read again at each notice. */
    static StillWorking start(CliContext ctx, Supplier<String> what) {
        return new StillWorking(ctx, what);
    }

    @Override
    public void close() {
        task.cancel(false);
        timer.shutdownNow();
    }
}
