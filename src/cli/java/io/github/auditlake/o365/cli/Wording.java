package io.github.auditlake.o365.cli;

import java.util.regex.Pattern;

/**
 * The core's messages are written for a connector's log, which goes on after them. Said by the CLI, which may exit
 * right after, some of their phrases mislead: "will retry" (the CLI says itself whether it waits, and for how long)
 * and "skip it" (the CLI says itself what it skipped). This removes them; everything else is kept as it is.
 */
final class Wording {
    private static final Pattern CONNECTOR_PHRASES = Pattern.compile("(?i)[;,]?\\s*(will retry|skip it)\\b\\.?");

    private Wording() {}

    /** {@code message} without the connector's own phrases. */
    static String forTerminal(String message) {
        if (message == null) {
            return null;
        }
        String s = CONNECTOR_PHRASES.matcher(message).replaceAll("");
        return s.replaceAll("\\s+\\)", ")").strip();
    }
}
