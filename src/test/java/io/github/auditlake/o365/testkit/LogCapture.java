package io.github.auditlake.o365.testkit;

import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Captures what the connector's loggers write while it is open, at the levels the test configuration lets through
 * (INFO and above): {@code try (LogCapture logs = LogCapture.start()) { ...; assertEquals(List.of(), logs.at(Level.ERROR)); }}.
 */
public final class LogCapture implements AutoCloseable {
    static final String LOGGERS = "io.github.auditlake.o365";

    private final Appender appender = new Appender();
    private final LoggerConfig config;

    private LogCapture() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        config = cfg.getLoggerConfig(LOGGERS);
        appender.start();
        config.addAppender(appender, Level.ALL, null);
        ctx.updateLoggers();
    }

    /** Captures from now until {@link #close()}. */
    public static LogCapture start() {
        return new LogCapture();
    }

    /** The lines logged at {@code level} or more severe, as "LEVEL logger - message". */
    public List<String> at(Level level) {
        synchronized (appender.lines) {
            return appender.lines.stream()
                    .filter(l -> l.level().isMoreSpecificThan(level))
                    .map(Line::toString)
                    .toList();
        }
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        config.removeAppender(appender.getName());
        ctx.updateLoggers();
        appender.stop();
    }

    private record Line(Level level, String logger, String message) {
        @Override
        public String toString() {
            return level + " " + logger + " - " + message;
        }
    }

    private static final class Appender extends AbstractAppender {
        final List<Line> lines = new ArrayList<>();

        Appender() {
            super("log-capture-" + System.identityHashCode(new Object()), null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent e) {
            synchronized (lines) {
                lines.add(
                        new Line(e.getLevel(), e.getLoggerName(), e.getMessage().getFormattedMessage()));
            }
        }
    }
}
