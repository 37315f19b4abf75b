package io.github.auditlake.o365.quickstart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The data directory of one quickstart run, {@code target/quickstart/<ports>/}: keyed by the ports, so two quickstarts
 * on different ports never share files, and locked while the run lasts, so a second run with the same ports is refused
 * instead of deleting the first one's data. It records which ports the run uses and the pids of its processes
 * ({@code launcher.pid}, {@code broker.pid}, {@code worker.pid}), so a later run can say who holds a port.
 */
final class RunDir implements AutoCloseable {
    static final String PORTS_FILE = "ports";
    static final String LOCK_FILE = ".lock";

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private RunDir(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /** {@code root/<port>-<port>-...}, the ports in the order given. */
    static Path pathFor(Path root, Map<String, Integer> ports) {
        StringBuilder sb = new StringBuilder("ports");
        ports.values().forEach(p -> sb.append('-').append(p));
        return root.resolve(sb.toString());
    }

    /**
     * Creates and locks the directory for {@code ports} (description to port), recording them; empty when another
     * run holds the lock.
     */
    static Optional<RunDir> acquire(Path root, Map<String, Integer> ports) {
        Path dir = pathFor(root, ports);
        try {
            Files.createDirectories(dir);
            FileChannel ch =
                    FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                ch.close();
                return Optional.empty();
            }
            try (Stream<Path> old = Files.list(dir)) {
                for (Path p : old.filter(f -> f.getFileName().toString().endsWith(".pid"))
                        .toList()) {
                    Files.deleteIfExists(p);
                }
            }
            StringBuilder sb = new StringBuilder();
            ports.forEach(
                    (what, port) -> sb.append(port).append('\t').append(what).append('\n'));
            Files.writeString(dir.resolve(PORTS_FILE), sb.toString(), StandardCharsets.UTF_8);
            return Optional.of(new RunDir(dir, ch, lock));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir, e);
        }
    }

    Path dir() {
        return dir;
    }

    /** Records the pid of one of the run's processes ({@code launcher}, {@code broker}, {@code worker}). */
    void writePid(String role, long pid) {
        try {
            Files.writeString(dir.resolve(role + ".pid"), Long.toString(pid) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Which recorded quickstart process, still alive, holds {@code port}: e.g. "the Kafka broker (pid 123) of the
     * quickstart in target/quickstart/ports-19092-19093-18083-18365 (its launcher is pid 120)". Empty when no run
     * directory under {@code root} names the port with a live process.
     */
    static Optional<String> holderOf(Path root, int port) {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                Optional<String> what = portUse(d, port);
                if (what.isEmpty()) {
                    continue;
                }
                String w = what.get();
                String role = w.startsWith("Kafka") ? "broker" : w.startsWith("Connect") ? "worker" : "launcher";
                Optional<Long> holder = livePid(d, role);
                Optional<Long> launcher = livePid(d, "launcher");
                if (holder.isEmpty() && launcher.isEmpty()) {
                    continue;
                }
                List<String> parts = new ArrayList<>();
                String name = switch (role) {
                    case "broker" -> "the Kafka broker";
                    case "worker" -> "the Connect worker";
                    default -> "the launcher";
                };
                parts.add(holder.map(p -> name + " (pid " + p + ")").orElse("a process"));
                parts.add("of the quickstart in " + root.getParent().getParent().relativize(d));
                if (!role.equals("launcher")) {
                    parts.add(launcher.map(p -> "(its launcher is pid " + p + ")")
                            .orElseGet(() -> "(its launcher is gone: kill " + holder.orElseThrow() + ")"));
                }
                return Optional.of(String.join(" ", parts));
            }
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static Optional<String> portUse(Path dir, int port) throws IOException {
        Path f = dir.resolve(PORTS_FILE);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            String[] kv = line.split("\t", 2);
            if (kv.length == 2 && kv[0].trim().equals(Integer.toString(port))) {
                return Optional.of(kv[1]);
            }
        }
        return Optional.empty();
    }

    private static Optional<Long> livePid(Path dir, String role) {
        try {
            Path f = dir.resolve(role + ".pid");
            if (!Files.isRegularFile(f)) {
                return Optional.empty();
            }
            long pid =
                    Long.parseLong(Files.readString(f, StandardCharsets.UTF_8).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(ProcessHandle::pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Removes the pid files and releases the lock (the logs stay). */
    @Override
    public void close() {
        try {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".pid"))
                        .toList()) {
                    Files.deleteIfExists(p);
                }
            }
            lock.release();
            channel.close();
        } catch (IOException e) {
            // best effort: the lock goes with the process anyway
        }
    }
}
