package io.github.auditlake.o365.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Logging configuration files for the child JVMs (log4j2 for Kafka 4.x, log4j 1.x/reload4j for Kafka 3.x). */
final class Log4j {
    private Log4j() {}

    /** {@code log4j2.properties}: INFO to stdout (which the process redirects to its log file). */
    static Path write(Path dir) throws IOException {
        Path f = dir.resolve("log4j2.properties");
        Files.writeString(
                f,
                String.join(
                        "\n",
                        "status = warn",
                        "appender.console.type = Console",
                        "appender.console.name = STDOUT",
                        "appender.console.layout.type = PatternLayout",
                        "appender.console.layout.pattern = [%d] %p %m (%c)%n",
                        "rootLogger.level = info",
                        "rootLogger.appenderRef.stdout.ref = STDOUT",
                        "logger.reflections.name = org.reflections",
                        "logger.reflections.level = error",
                        "logger.msal.name = com.microsoft.aad.msal4j",
                        "logger.msal.level = off", // the connector says what a failed sign-in means, in one line with
                        // the fix
                        ""));
        return f;
    }

    /** {@code log4j.properties} for reload4j (Kafka 3.x). */
    static Path writeLegacy(Path dir) throws IOException {
        Path f = dir.resolve("log4j.properties");
        Files.writeString(
                f,
                String.join(
                        "\n",
                        "log4j.rootLogger=INFO, stdout",
                        "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
                        "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
                        "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n",
                        "log4j.logger.org.reflections=ERROR",
                        "log4j.logger.com.microsoft.aad.msal4j=OFF",
                        ""));
        return f;
    }
}
