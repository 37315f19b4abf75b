package io.github.auditlake.o365.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The machine a run happened on, from {@code /proc} and the JVM. */
final class Machine {
    private Machine() {}

    static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (Exception e) {
            return "?";
        }
    }

    static String describe() {
        String cpu = "?";
        String mem = "?";
        try {
            List<String> ci = Files.readAllLines(Path.of("/proc/cpuinfo"));
            cpu = ci.stream()
                    .filter(l -> l.startsWith("model name"))
                    .findFirst()
                    .map(l -> l.split(":", 2)[1].trim())
                    .orElse("?");
            mem = Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(l -> l.startsWith("MemTotal"))
                    .findFirst()
                    .map(l -> String.format(
                            Locale.ROOT, "%.1f GiB", Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0))
                    .orElse("?");
        } catch (Exception e) {
            // not Linux: leave unknown
        }
        return "| | |\n|---|---|\n"
                + "| CPU | " + cpu + " |\n"
                + "| Cores (available to the JVM) | " + Runtime.getRuntime().availableProcessors() + " |\n"
                + "| RAM | " + mem + " |\n"
                + "| OS | " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " ("
                + System.getProperty("os.arch") + ") |\n"
                + "| JDK | " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vendor") + ") |\n"
                + "| Kafka | 4.3.1 (broker and worker) |\n";
    }
}
