package io.github.auditlake.o365.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child JVM with its output in a log file. {@link #close()} stops it: SIGTERM, then a forced kill after a deadline.
 *
 * <p>Nothing outlives this JVM: every child runs under {@link ParentWatchdog}, which halts it within about a second
 * once this JVM is gone (even after {@code kill -9}), and a shutdown hook of this JVM stops the children still
 * running at exit (a failed test, Ctrl-C, a surefire JVM told to stop).
 */
public class JavaProcess implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    /** The children still running, in the order they were started. */
    private static final Set<JavaProcess> LIVE = java.util.Collections.synchronizedSet(new java.util.LinkedHashSet<>());

    private static final Thread REAPER = new Thread(JavaProcess::stopAll, "java-process-reaper");

    static {
        Runtime.getRuntime().addShutdownHook(REAPER);
    }

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
    public static JavaProcess start(
            String name,
            Path javaHome,
            List<String> jvmArgs,
            List<Path> classpath,
            String mainClass,
            List<String> args,
            Path log) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaHome.resolve("bin").resolve("java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-D" + ParentWatchdog.PARENT_PID + "=" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(log.getParent());
            List<Path> cp = new ArrayList<>(classpath);
            cp.add(watchdogClasses(log.resolveSibling("watchdog-classes")));
            cmd.add("-cp");
            cmd.add(Classpaths.join(cp));
            cmd.add(ParentWatchdog.class.getName());
            cmd.add(mainClass);
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().remove("KAFKA_HEAP_OPTS");
            // A child worker gets this JVM's endpoint allow-list (tests and tools allow their loopback simulator).
            String allow = System.getProperty(io.github.auditlake.o365.api.EndpointAllowList.PROPERTY);
            if (allow != null && !allow.isBlank()) {
                pb.environment().put(io.github.auditlake.o365.api.EndpointAllowList.ENV, allow);
            }
            // and its allowed directories (tests and tools allow the directories of the files they configure)
            String paths = System.getProperty(io.github.auditlake.o365.api.AllowedPaths.PROPERTY);
            if (paths != null && !paths.isBlank()) {
                pb.environment().put(io.github.auditlake.o365.api.AllowedPaths.ENV, paths);
            }
            JavaProcess p = new JavaProcess(name, pb.start(), log);
            LIVE.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /**
     * A directory holding only {@link ParentWatchdog}'s class file (JDK classes only), for the child's classpath: the
     * child never sees the test classes.
     */
    static Path watchdogClasses(Path dir) throws IOException {
        String resource = ParentWatchdog.class.getName().replace('.', '/') + ".class";
        Path target = dir.resolve(resource);
        Files.createDirectories(target.getParent());
        try (InputStream in = ParentWatchdog.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("class file not found: " + resource);
            }
            Path tmp = Files.createTempFile(target.getParent(), "watchdog", ".tmp");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return dir;
    }

    /**
     * Stops every child still running (the shutdown hook, e.g. on Ctrl-C), the last started first, each gone before
     * the next is asked: a child started later may need an earlier one to stop cleanly (a Connect worker commits its
     * offsets and leaves its group through the broker started before it), so stopping them all at once made the worker
     * wait for a broker that was already gone until it was killed.
     */
    static void stopAll() {
        List<JavaProcess> running;
        synchronized (LIVE) {
            running = new ArrayList<>(LIVE);
        }
        java.util.Collections.reverse(running);
        for (JavaProcess p : running) {
            p.close();
        }
    }

    /** Runs a short-lived tool to completion; fails with the log's tail when it exits non-zero or overruns. */
    public static void run(
            String name,
            Path javaHome,
            List<String> jvmArgs,
            List<Path> classpath,
            String mainClass,
            List<String> args,
            Path log,
            Duration timeout) {
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
                throw new IllegalStateException(name + " exited (" + process.exitValue() + ") before " + what + "; log "
                        + log + "\n" + logTail());
            }
            if (ready.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        name + ": no " + what + " within " + timeout + "; log " + log + "\n" + logTail());
            }
            try {
                Thread.sleep(200); // polling interval, not synchronisation: the loop checks the condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }

    /**
     * Waits until the log has a line matching {@code pattern} and returns its first group (e.g. a port the child bound
     * and reported); fails when the process dies or the deadline passes.
     */
    public String awaitLogLine(String what, Pattern pattern, Duration timeout) {
        String[] found = new String[1];
        awaitReady(what, timeout, () -> {
            try {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    Matcher m = pattern.matcher(line);
                    if (m.find()) {
                        found[0] = m.group(1);
                        return true;
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                return false; // not written yet, or a partial multi-byte character at the end
            }
            return false;
        });
        return found[0];
    }

    /** All first groups of {@code pattern} in the log so far, in order. */
    public List<String> logMatches(Pattern pattern) {
        List<String> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    out.add(m.group(1));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // none yet
        }
        return out;
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
        LIVE.remove(this);
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
