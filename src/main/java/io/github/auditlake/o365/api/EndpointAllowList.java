package io.github.auditlake.o365.api;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * The hosts, besides Microsoft's own, that may receive requests, credentials or tokens: endpoint overrides (API,
 * login, managed identity) and the HTTP proxy (with or without credentials). This is the worker operator's decision,
 * not the connector configuration's: the list is read on the worker from the environment variable {@value #ENV} or
 * the JVM system property {@value #PROPERTY} (comma-separated {@code host} or {@code host:port} entries; {@code *}
 * means any host). The hosts of every Microsoft cloud need no entry.
 *
 * <p>Read at every check (not cached), so an operator's change applies to the next validation or task start.
 */
public final class EndpointAllowList {
    public static final String ENV = "O365_ENDPOINT_OVERRIDE_HOSTS";
    public static final String PROPERTY = "o365.endpoint.override.hosts";

    /** Allows every host: for the operator's own CLI, where the person typing the URL is the operator. */
    public static final EndpointAllowList ANY = new EndpointAllowList(() -> "*", "(any host: operator tool)");

    private final java.util.function.Supplier<String> source;
    private final String description;

    private EndpointAllowList(java.util.function.Supplier<String> source, String description) {
        this.source = source;
        this.description = description;
    }

    /** The worker's list: the system property if set, else the environment variable. */
    public static EndpointAllowList fromWorker() {
        return from(System::getProperty, System::getenv);
    }

    /** For tests: explicit property and environment lookups. */
    public static EndpointAllowList from(Function<String, String> properties, Function<String, String> env) {
        return new EndpointAllowList(
                () -> WorkerProperty.read(properties, env, PROPERTY, ENV), "the worker's " + ENV + " / -D" + PROPERTY);
    }

    /** A fixed list, e.g. {@code "127.0.0.1:8365,proxy.example"}. */
    public static EndpointAllowList of(String entries) {
        Objects.requireNonNull(entries, "entries");
        return new EndpointAllowList(() -> entries, "[" + entries + "]");
    }

    /** The current entries, lower-cased. */
    public List<String> entries() {
        List<String> out = new ArrayList<>();
        for (String s : source.get().split(",")) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    /** True when {@code url} (absolute) may receive credentials: a Microsoft cloud host, or on the list. */
    public boolean allows(String url) {
        URI u;
        try {
            u = URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        String host = u.getHost();
        if (host == null) {
            return false;
        }
        int port = u.getPort() > 0 ? u.getPort() : "http".equalsIgnoreCase(u.getScheme()) ? 80 : 443;
        return allowsHost(host, port, u.getScheme());
    }

    /** True when {@code host:port} may receive credentials. */
    public boolean allowsHost(String host, int port, String scheme) {
        String h = stripBrackets(host.toLowerCase(Locale.ROOT));
        if ("https".equalsIgnoreCase(scheme) && isMicrosoftHost(h)) {
            return true;
        }
        for (String entry : entries()) {
            if (entry.equals("*")) {
                return true;
            }
            String eHost = entry;
            Integer ePort = null;
            int colon = entry.lastIndexOf(':');
            if (entry.startsWith("[")) {
                int close = entry.indexOf(']');
                eHost = entry.substring(1, Math.max(1, close));
                if (close > 0 && close + 1 < entry.length() && entry.charAt(close + 1) == ':') {
                    ePort = parsePort(entry.substring(close + 2));
                }
            } else if (colon > 0 && entry.indexOf(':') == colon) {
                eHost = entry.substring(0, colon);
                ePort = parsePort(entry.substring(colon + 1));
            }
            if (eHost.equals(h) && (ePort == null || ePort == port)) {
                return true;
            }
        }
        return false;
    }

    /** The message for a refused host, telling the operator how to allow it. */
    public String refusal(String setting, String url) {
        URI u = URI.create(url.trim());
        String hostPort = u.getPort() > 0 ? hostForEntry(u.getHost()) + ":" + u.getPort() : hostForEntry(u.getHost());
        return "The host " + hostPort + " of " + setting + " is not on this worker's endpoint allow-list, so no "
                + "request (and no credential) is sent to it. Endpoint overrides are the worker operator's decision: "
                + "to allow it, set the environment variable " + ENV + "=" + hostPort + " (or the JVM system property "
                + "-D" + PROPERTY + "=" + hostPort + ") on every Connect worker and restart them; entries are "
                + "comma-separated host or host:port values, '*' allows any host. Microsoft's own hosts need no entry.";
    }

    @Override
    public String toString() {
        return "EndpointAllowList" + description;
    }

    private static String hostForEntry(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static Integer parsePort(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String stripBrackets(String h) {
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    /** The API, login and Graph hosts of every Microsoft cloud. */
    public static boolean isMicrosoftHost(String host) {
        for (Cloud c : Cloud.values()) {
            if (URI.create(c.apiBaseUrl()).getHost().equalsIgnoreCase(host)
                    || URI.create(c.loginBaseUrl()).getHost().equalsIgnoreCase(host)
                    || URI.create(c.graphBaseUrl()).getHost().equalsIgnoreCase(host)) {
                return true;
            }
        }
        return host.equalsIgnoreCase("login.windows.net");
    }
}
