package io.github.auditlake.o365.cli;

import java.util.regex.Pattern;

/**
 * A TLS trust failure: the server's certificate does not chain to a trusted authority (a TLS-inspecting proxy, a
 * private CA) or does not name the host. The core classifies it as a connection failure and retries it; the CLI
 * stops at once instead, since waiting cannot fix it, and names the option that does.
 */
final class TlsProblem {
    private static final Pattern TRUST =
            Pattern.compile("PKIX path|unable to find valid certification path|CertPathValidatorException"
                    + "|SSLPeerUnverifiedException|No subject alternative|certificate_unknown|unknown_ca"
                    + "|Hostname .* not verified");

    static final String ADVICE = "the server's TLS certificate is not trusted by this Java runtime. Behind a "
            + "TLS-inspecting proxy, or with a private certificate authority, give its CA certificate: --ca-file FILE.pem "
            + "(or --truststore FILE; in a --config file o365.tls.ca.pem.path or o365.tls.truststore.path)";

    private TlsProblem() {}

    /** True when {@code text} (a classified message) describes a TLS trust failure. */
    static boolean matches(String text) {
        return text != null && TRUST.matcher(text).find();
    }

    /** True when {@code t} or one of its causes is a TLS trust failure. */
    static boolean in(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            // a handshake failure for another reason (no common protocol) is not a trust problem: by message only
            if (c instanceof javax.net.ssl.SSLPeerUnverifiedException
                    || c instanceof java.security.cert.CertPathValidatorException
                    || matches(c.getMessage())) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /** The message for {@code what} failing because of TLS trust ({@code detail}: the exception's own words). */
    static String message(String what, String detail) {
        return what + ": " + ADVICE + (detail == null ? "" : " (" + detail + ")");
    }
}
