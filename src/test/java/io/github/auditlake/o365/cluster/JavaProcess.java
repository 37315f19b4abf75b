package io.github.auditlake.o365.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A child JVM with its output in a log file. {@link #close()} stops it: SIGTERM, then a forced kill after a deadline.
 */
public class JavaProcess implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final String name;
    private final Process process;
    private final Path log;

    private JavaProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code <javaHome>/bin/java <jvmArgs> -cp <classpath> <mainClass> <args>} with stdout and stderr in
     * {@code log}.
     */
    public static JavaProcess start(String name, Path javaHome, List<String> jvmArgs, List<Path> classpath,
                                    String mainClass, List<String> args, Path log) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaHome.resolve("bin").resolve("java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(Classpaths.join(classpath));
        cmd.add(mainClass);
        cmd.addAll(args);
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().remove("KAFKA_HEAP_OPTS");
            // A child worker gets this JVM's endpoint allow-list (tests and tools allow their loopback simulator).
            String allow = System.getProperty(io.github.auditlake.o365.api.EndpointAllowList.PROPERTY);
            if (allow != null && !allow.isBlank()) {
                pb.environment().put(io.github.auditlake.o365.api.EndpointAllowList.ENV, allow);
            }
            return new JavaProcess(name, pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** Runs a short-lived tool to completion; fails with the log's tail when it exits non-zero or overruns. */
    public static void run(String name, Path javaHome, List<String> jvmArgs, List<Path> classpath, String mainClass,
                           List<String> args, Path log, Duration timeout) {
        try (JavaProcess p = start(name, javaHome, jvmArgs, classpath, mainClass, args, log)) {
            if (!p.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " did not finish within " + timeout + "\n" + p.logTail());
            }
            if (p.process.exitValue() != 0) {
                throw new IllegalStateException(name + " exited with " + p.process.exitValue() + "\n" + p.logTail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + name, e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** Polls {@code ready} (every 200 ms) until true; fails when the process dies or the deadline passes. */
    public void awaitReady(String what, Duration timeout, BooleanSupplier ready) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited (" + process.exitValue() + ") before " + what
                        + "; log " + log + "\n" + logTail());
            }
            if (ready.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + ": no " + what + " within " + timeout + "; log " + log
                        + "\n" + logTail());
            }
            try {
                Thread.sleep(200); // polling interval, not synchronisation: the loop checks the condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }

    /** The last 40 lines of the log. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** SIGTERM, wait up to 20 s, then SIGKILL; waits for the process to be gone. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
