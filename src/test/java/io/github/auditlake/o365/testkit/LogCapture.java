package io.github.auditlake.o365.testkit;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Captures every log event of every logger (Kafka's {@code AbstractConfig} included) at every level while open;
 * {@link #close()} restores the configuration: {@code try (LogCapture logs = LogCapture.open()) { ...;
 * assertEquals(List.of(), logs.at(Level.ERROR)); }}.
 */
public final class LogCapture extends AbstractAppender implements AutoCloseable {
    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final Level rootBefore;

    private LogCapture() {
        super("log-capture-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY);
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        start();
        cfg.addAppender(this);
        LoggerConfig root = cfg.getRootLogger();
        rootBefore = root.getLevel();
        root.addAppender(this, Level.ALL, null);
        root.setLevel(Level.ALL);
        ctx.updateLoggers();
    }

    /** Starts capturing. */
    public static LogCapture open() {
        return new LogCapture();
    }

    @Override
    public void append(LogEvent e) {
        StringBuilder sb = new StringBuilder(e.getMessage().getFormattedMessage());
        if (e.getThrown() != null) {
            StringWriter w = new StringWriter();
            e.getThrown().printStackTrace(new PrintWriter(w));
            sb.append('\n').append(w);
        }
        lines.add(new Line(e.getLevel(), e.getLoggerName(), sb.toString()));
    }

    /** Every line captured so far, as {@code logger message [stack trace]}. */
    public List<String> lines() {
        return lines.stream().map(l -> l.logger() + " " + l.message()).toList();
    }

    /** The lines logged at {@code level} or more severe, as "LEVEL logger - message". */
    public List<String> at(Level level) {
        return lines.stream()
                .filter(l -> l.level().isMoreSpecificThan(level))
                .map(Line::toString)
                .toList();
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        cfg.getRootLogger().removeAppender(getName());
        cfg.getRootLogger().setLevel(rootBefore);
        ctx.updateLoggers();
        stop();
    }

    private record Line(Level level, String logger, String message) {
        @Override
        public String toString() {
            return level + " " + logger + " - " + message;
        }
    }
}
