package io.github.auditlake.o365.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C stops the children in reverse start order, each gone before the next is asked: the quickstart's worker (started
 * second) stops while the broker (started first) still runs, so it stops cleanly instead of waiting for a broker that
 * is gone until it is killed. A parent starts a "broker" and a "worker" through {@link JavaProcess} and gets SIGTERM
 * (shutdown hooks run as on Ctrl-C); the worker's own shutdown takes a moment and records whether the broker was still
 * there when it finished.
 */
class StopOrderTest {
    static final Duration DEADLINE = Duration.ofSeconds(60);

    @Test
    void theLastStartedChildStopsFirstWhileTheOneItNeedsStillRuns(@TempDir Path dir) throws Exception {
        Process parent = new ProcessBuilder(
                        Paths.get(System.getProperty("java.home"), "bin", "java")
                                .toString(),
                        "-Xmx64m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Parent.class.getName(),
                        dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("parent.log").toFile())
                .start();
        try {
            Path ready = dir.resolve("ready");
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (!Files.exists(ready) && System.nanoTime() < deadline) {
                assertTrue(parent.isAlive(), "parent exited: " + Files.readString(dir.resolve("parent.log")));
                Thread.sleep(100); // polling a condition with a deadline
            }
            assertTrue(Files.exists(ready), "children not started: " + Files.readString(dir.resolve("parent.log")));
            parent.destroy(); // SIGTERM: the shutdown hooks run, as on Ctrl-C
            assertTrue(parent.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the parent stops");
            assertEquals(
                    "broker alive at the end of the worker's stop: true",
                    Files.readString(dir.resolve("worker-stop.txt"), StandardCharsets.UTF_8)
                            .trim());
        } finally {
            parent.destroyForcibly();
        }
    }

    /** Starts the broker, then the worker, then waits for SIGTERM. */
    public static final class Parent {
        public static void main(String[] args) throws Exception {
            Path dir = Paths.get(args[0]);
            List<Path> cp = List.of(Paths.get(Child.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI()));
            Path java = Paths.get(System.getProperty("java.home"));
            JavaProcess broker = JavaProcess.start(
                    "broker",
                    java,
                    List.of("-Xmx32m"),
                    cp,
                    Child.class.getName(),
                    List.of(),
                    dir.resolve("logs/b.log"));
            JavaProcess.start(
                    "worker",
                    java,
                    List.of("-Xmx32m"),
                    cp,
                    Child.class.getName(),
                    List.of(
                            Long.toString(broker.pid()),
                            dir.resolve("worker-stop.txt").toString()),
                    dir.resolve("logs/w.log"));
            Path workerReady = dir.resolve("worker-stop.txt.ready");
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (!Files.exists(workerReady) && System.nanoTime() < deadline) {
                Thread.sleep(50); // polling a condition with a deadline: the worker has set up its shutdown
            }
            Files.writeString(dir.resolve("ready"), "");
            Thread.sleep(Long.MAX_VALUE); // stopped by the test's SIGTERM
        }
    }

    /**
     * A child: with no arguments it runs until stopped (the broker); with the broker's pid and a file (the worker), its
     * stop takes a moment (a worker commits and leaves its group) and then records whether the broker still runs.
     */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            if (args.length == 2) {
                long broker = Long.parseLong(args[0]);
                Path out = Paths.get(args[1]);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        Thread.sleep(500); // the worker's own work while stopping, not a synchronisation
                        boolean alive = ProcessHandle.of(broker)
                                .map(ProcessHandle::isAlive)
                                .orElse(false);
                        Files.writeString(out, "broker alive at the end of the worker's stop: " + alive);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
                Files.writeString(Paths.get(args[1] + ".ready"), "");
            }
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
