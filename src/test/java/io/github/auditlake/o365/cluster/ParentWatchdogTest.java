package io.github.auditlake.o365.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing outlives a killed parent: a parent JVM starts a child through {@link JavaProcess} (as the quickstart starts
 * the broker and the worker), the parent is killed with SIGKILL (no shutdown hook runs), and the child goes away.
 */
class ParentWatchdogTest {
    /** Generous: the watchdog polls every 500 ms; this only bounds a broken build's wait. */
    static final Duration DEADLINE = Duration.ofSeconds(60);

    @Test
    void aChildDiesWhenItsParentIsKilledWithSigkill(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("child.pid");
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
        long childPid = -1;
        try {
            childPid = awaitPid(pidFile, parent, dir);
            Optional<ProcessHandle> child = ProcessHandle.of(childPid);
            assertTrue(child.isPresent() && child.get().isAlive(), "the child runs while its parent does");
            parent.destroyForcibly(); // SIGKILL: the parent's shutdown hook does not run
            assertTrue(parent.waitFor(DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (child.get().isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100); // polling a condition with a deadline
            }
            assertFalse(
                    child.get().isAlive(),
                    "the child outlived its SIGKILLed parent; log:\n"
                            + Files.readString(dir.resolve("logs/child.log")));
        } finally {
            parent.destroyForcibly();
            if (childPid > 0) {
                ProcessHandle.of(childPid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private static long awaitPid(Path pidFile, Process parent, Path dir) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.isRegularFile(pidFile)) {
                String s = Files.readString(pidFile, StandardCharsets.UTF_8).trim();
                if (s.endsWith(";")) {
                    return Long.parseLong(s.substring(0, s.length() - 1));
                }
            }
            assertTrue(parent.isAlive(), "parent exited: " + Files.readString(dir.resolve("parent.log")));
            Thread.sleep(100); // polling a condition with a deadline
        }
        throw new AssertionError("no child pid; parent log: " + Files.readString(dir.resolve("parent.log")));
    }

    /** The parent: starts {@link Child} through {@link JavaProcess}, writes its pid, then waits to be killed. */
    public static final class Parent {
        public static void main(String[] args) throws Exception {
            Path dir = Paths.get(args[0]);
            List<Path> cp = List.of(Paths.get(Child.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI()));
            JavaProcess child = JavaProcess.start(
                    "child",
                    Paths.get(System.getProperty("java.home")),
                    List.of("-Xmx32m"),
                    cp,
                    Child.class.getName(),
                    List.of(),
                    dir.resolve("logs/child.log"));
            Files.writeString(dir.resolve("child.pid"), child.pid() + ";");
            Thread.sleep(Long.MAX_VALUE); // killed by the test
        }
    }

    /** The child: runs until something stops it. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            System.out.println("child running");
            Thread.sleep(Long.MAX_VALUE); // stopped by its watchdog
        }
    }
}
