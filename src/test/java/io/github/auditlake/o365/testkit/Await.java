package io.github.auditlake.o365.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one way tests wait for something: poll a condition until it holds or a deadline passes, then fail with a
 * message that says what was awaited and what was seen. Tests never sleep to let something happen; they wait for
 * the thing itself (the only other sleep in src/test is the simulator's injected latency).
 *
 * <p>A condition may do work itself (poll a task, read a consumer), in which case it is called back to back with no
 * pause. Conditions that only look (a counter, a REST status) pause {@link #PAUSE} between checks.
 */
public final class Await {
    /** Pause between checks of a condition that only looks. */
    public static final Duration PAUSE = Duration.ofMillis(20);

    private Await() {}

    /**
     * Returns as soon as {@code condition} holds; fails with {@code message} (evaluated then) after {@code timeout}.
     * Pauses {@link #PAUSE} between checks. Restores the interrupt flag and fails if interrupted.
     */
    public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> message) {
        poll(timeout, PAUSE, condition, message);
    }

    /**
     * Like {@link #until} without a pause between checks: for a condition that blocks by itself (for example a
     * {@code poll()} with a timeout, or a consumer's {@code poll(Duration)}).
     */
    public static void untilBlocking(Duration timeout, BooleanSupplier condition, Supplier<String> message) {
        poll(timeout, Duration.ZERO, condition, message);
    }

    private static void poll(Duration timeout, Duration pause, BooleanSupplier condition, Supplier<String> message) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + ": " + message.get());
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new AssertionError("interrupted while waiting: " + message.get());
            }
            if (!pause.isZero()) {
                LockSupport.parkNanos(pause.toNanos());
            }
        }
    }

    /** A condition that may throw: wraps checked exceptions so conditions can call blocking APIs. */
    @FunctionalInterface
    public interface Check {
        boolean test() throws Exception;
    }

    /** Adapts a throwing check to a {@link BooleanSupplier}; a thrown exception fails the wait at once. */
    public static BooleanSupplier checked(Check check) {
        return () -> {
            try {
                return check.test();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting", e);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
    }
}
