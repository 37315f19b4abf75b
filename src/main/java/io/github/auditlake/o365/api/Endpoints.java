package io.github.auditlake.o365.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/** Validation of base URL overrides (API and login), usable from the connector's config validation. */
public final class Endpoints {
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "::1", "[::1]", "localhost");

    private Endpoints() {}

    /**
     * Checks a base URL override and returns it normalised (no trailing slash). {@code https} is accepted for any
     * host; plain {@code http} only for the loopback addresses {@code 127.0.0.1}, {@code ::1} and {@code localhost}.
     * A path is allowed (reverse proxies); query, fragment and user info are not.
     *
     * @param what the setting's name, used in the message (e.g. {@code o365.api.base.url})
     * @throws IllegalArgumentException with a message naming the setting and the rule
     */
    public static String validateBaseUrl(String url, String what) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        String trimmed = url.trim();
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(what + " is not a valid URL: " + trimmed, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException(what + " must be an absolute http(s) URL with a host, got: " + trimmed);
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(what + " must not contain user info, a query or a fragment: " + trimmed);
        }
        if (scheme.equals("https")) {
            // fine
        } else if (scheme.equals("http")) {
            if (!isLoopback(host)) {
                throw new IllegalArgumentException(what + " may use plain http only for a loopback address "
                        + "(127.0.0.1, ::1, localhost); use https for " + host);
            }
        } else {
            throw new IllegalArgumentException(
                    what + " must use https (or http for a loopback address), got: " + trimmed);
        }
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }

    /**
     * Checks a managed-identity token endpoint (a full URL, path included, e.g.
     * {@code http://169.254.169.254/metadata/identity/oauth2/token}) and returns it trimmed. {@code https} is accepted
     * for any host; plain {@code http} for loopback addresses and for link-local IPv4 addresses
     * ({@code 169.254.0.0/16}, never routed off the host's link, where IMDS itself answers over http). No user info,
     * query or fragment: MSAL adds the query.
     *
     * @throws IllegalArgumentException with a message naming the setting and the rule
     */
    public static String validateIdentityEndpoint(String url, String what) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        String trimmed = url.trim();
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(what + " is not a valid URL: " + trimmed, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException(what + " must be an absolute http(s) URL with a host, got: " + trimmed);
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(what + " must not contain user info, a query or a fragment: " + trimmed);
        }
        if (scheme.equals("http")) {
            if (!isLoopback(host) && !isLinkLocalIpv4(host)) {
                throw new IllegalArgumentException(what + " may use plain http only for a loopback address "
                        + "(127.0.0.1, ::1, localhost) or a link-local one (169.254.x.x, like IMDS); use https for "
                        + host);
            }
        } else if (!scheme.equals("https")) {
            throw new IllegalArgumentException(
                    what + " must use https (or http for a loopback or link-local " + "address), got: " + trimmed);
        }
        return trimmed;
    }

    /** True for a dotted IPv4 literal in {@code 169.254.0.0/16}. */
    static boolean isLinkLocalIpv4(String host) {
        String[] p = host.split("\\.");
        if (p.length != 4 || !p[0].equals("169") || !p[1].equals("254")) {
            return false;
        }
        for (String x : p) {
            if (!x.matches("\\d{1,3}") || Integer.parseInt(x) > 255) {
                return false;
            }
        }
        return true;
    }

    /** True for {@code 127.0.0.1}, {@code ::1} (bracketed or not) and {@code localhost}, ignoring case. */
    public static boolean isLoopback(String host) {
        return host != null && LOOPBACK.contains(host.toLowerCase(Locale.ROOT));
    }
}
