package io.github.auditlake.o365.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The connector version, from the build. */
public final class Version {
    /** The product part of the {@code User-Agent} of every request (the version is not sent). */
    public static final String DEFAULT_USER_AGENT = "auditlake-kafka-connect-o365";

    private static final String VERSION = load();

    private Version() {}

    public static String get() {
        return VERSION;
    }

    /**
     * The {@code User-Agent} of every request, from the connector and the CLI alike: {@value #DEFAULT_USER_AGENT}, a
     * slash and the version.
     */
    public static String userAgent() {
        return DEFAULT_USER_AGENT + "/" + VERSION;
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
