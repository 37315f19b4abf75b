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
 * Captures every log event of every logger (Kafka's {@code AbstractConfig} included) at every level while open, as
 * {@code logger message [stack trace]} lines; {@link #close()} restores the configuration.
 */
public final class LogCapture extends AbstractAppender implements AutoCloseable {
    private final List<String> lines = new CopyOnWriteArrayList<>();
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
        StringBuilder sb = new StringBuilder(e.getLoggerName())
                .append(' ')
                .append(e.getMessage().getFormattedMessage());
        if (e.getThrown() != null) {
            StringWriter w = new StringWriter();
            e.getThrown().printStackTrace(new PrintWriter(w));
            sb.append('\n').append(w);
        }
        lines.add(sb.toString());
    }

    /** The lines captured so far. */
    public List<String> lines() {
        return List.copyOf(lines);
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
}
