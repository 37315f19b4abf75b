package io.github.auditlake.o365.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/** Summarises a JFR recording's CPU samples: top frames, top project frames and the busiest threads. */
final class Profile {
    private Profile() {}

    static String summarize(Path jfr, int top, java.time.Instant from, java.time.Instant to) throws IOException {
        if (!Files.isRegularFile(jfr)) {
            return "(no JFR recording at " + jfr + ")";
        }
        Map<String, Integer> topFrames = new HashMap<>();
        Map<String, Integer> ownFrames = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        int total = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample")
                    || e.getStackTrace() == null
                    || from != null && e.getStartTime().isBefore(from)
                    || to != null && e.getStartTime().isAfter(to)) {
                continue;
            }
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            total++;
            topFrames.merge(name(frames.get(0)), 1, Integer::sum);
            for (RecordedFrame f : frames) {
                if (f.getMethod().getType().getName().startsWith("io.github.auditlake")) {
                    ownFrames.merge(name(f), 1, Integer::sum);
                    break;
                }
            }
            String t = e.getThread("sampledThread") == null
                    ? "?"
                    : e.getThread("sampledThread").getJavaName();
            threads.merge(t == null ? "?" : t.replaceAll("\\d+", "N"), 1, Integer::sum);
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d CPU samples (jdk.ExecutionSample).%n%n", total));
        append(sb, "Busiest threads", threads, total, top);
        append(sb, "Top frames (self)", topFrames, total, top);
        append(sb, "Innermost connector frame on the stack", ownFrames, total, top);
        return sb.toString();
    }

    private static void append(StringBuilder sb, String title, Map<String, Integer> m, int total, int top) {
        sb.append(title).append(":\n\n```\n");
        m.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> sb.append(String.format(
                        Locale.ROOT, "%5.1f%%  %s%n", 100.0 * e.getValue() / Math.max(1, total), e.getKey())));
        sb.append("```\n\n");
    }

    private static String name(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName() + " ("
                + type.substring(0, Math.max(0, type.lastIndexOf('.'))) + ")";
    }
}
