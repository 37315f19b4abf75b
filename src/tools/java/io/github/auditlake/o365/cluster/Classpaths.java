package io.github.auditlake.o365.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** Classpaths and ports for the process cluster. */
public final class Classpaths {
    private Classpaths() {}

    /** The project directory: system property {@code project.basedir}, else the working directory. */
    public static Path projectDir() {
        return Paths.get(System.getProperty("project.basedir", "."))
                .toAbsolutePath()
                .normalize();
    }

    /**
     * The Kafka 4.3.1 runtime classpath for broker and worker processes: {@code target/kafka-runtime-classpath.txt}
     * (written by the build), the dependency jars without any test jar (so a worker lists no Kafka test connectors)
     * and never {@code target/classes} or {@code target/test-classes}, so a worker sees the connector only through
     * {@code plugin.path}.
     */
    public static List<Path> kafkaRuntime() {
        return read(projectDir().resolve("target/kafka-runtime-classpath.txt"));
    }

    /** Reads a classpath file ({@code :}-separated, as written by {@code dependency:build-classpath}). */
    public static List<Path> read(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            List<Path> out = new ArrayList<>();
            for (String e : text.split(File.pathSeparator)) {
                if (!e.isBlank()) {
                    Path p = Paths.get(e.trim());
                    if (p.endsWith(Paths.get("target", "classes")) || p.endsWith(Paths.get("target", "test-classes"))) {
                        continue;
                    }
                    out.add(p);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read classpath file " + file + " (run ./mvnw package first)", e);
        }
    }

    public static String join(List<Path> cp) {
        StringBuilder sb = new StringBuilder();
        for (Path p : cp) {
            if (sb.length() > 0) {
                sb.append(File.pathSeparatorChar);
            }
            sb.append(p);
        }
        return sb.toString();
    }

    /** A currently free TCP port on the loopback interface. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code port} can be bound on 127.0.0.1 now. */
    public static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes a directory tree, best effort. */
    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
