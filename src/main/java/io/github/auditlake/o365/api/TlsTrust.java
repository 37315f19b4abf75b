package io.github.auditlake.o365.api;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Extra certificate authorities to trust for sign-in and API calls, for TLS-inspecting corporate proxies: a trust
 * store (PKCS12 or JKS) and/or a PEM bundle, as files or as PEM text given in the configuration. They are added to
 * the JVM's default authorities, never replace certificate checks: there is deliberately no way to turn verification
 * off. Files are read only where the worker's {@link AllowedPaths} allow. {@link #toString()} never shows the
 * password nor the PEM text.
 *
 * @param trustStore         a PKCS12/JKS trust store file, or null
 * @param trustStorePassword its password, or null
 * @param trustStoreType     {@code PKCS12} or {@code JKS} (null: PKCS12)
 * @param pemBundle          a file of one or more PEM certificates, or null
 * @param pemText            one or more PEM certificates given inline, or null
 */
public record TlsTrust(
        Path trustStore, String trustStorePassword, String trustStoreType, Path pemBundle, String pemText) {

    /** The setting naming the trust store file, for messages. */
    public static final String TRUSTSTORE_SETTING = "o365.tls.truststore.path";
    /** The setting naming the PEM bundle file, for messages. */
    public static final String CA_PEM_PATH_SETTING = "o365.tls.ca.pem.path";
    /** The setting holding inline PEM certificates, for messages. */
    public static final String CA_PEM_SETTING = "o365.tls.ca.pem";

    public static final TlsTrust DEFAULT = new TlsTrust(null, null, null, null, null);

    /** Files only (no inline PEM). */
    public TlsTrust(Path trustStore, String trustStorePassword, String trustStoreType, Path pemBundle) {
        this(trustStore, trustStorePassword, trustStoreType, pemBundle, null);
    }

    /** Inline PEM certificates only. */
    public static TlsTrust ofPem(String pemText) {
        return new TlsTrust(null, null, null, null, pemText);
    }

    public boolean isDefault() {
        return trustStore == null && pemBundle == null && (pemText == null || pemText.isBlank());
    }

    /**
     * The trust manager: the JVM's default authorities plus the configured ones, files read through {@code files}.
     *
     * @throws IllegalArgumentException when a file is not allowed or the material cannot be loaded; the message names
     *     the setting and never holds the inline PEM text
     */
    public X509TrustManager trustManager(AllowedPaths files) {
        Objects.requireNonNull(files, "files");
        try {
            KeyStore merged = KeyStore.getInstance(KeyStore.getDefaultType());
            merged.load(null, null);
            int n = 0;
            for (X509Certificate c : defaultTrustManager(null).getAcceptedIssuers()) {
                merged.setCertificateEntry("jvm-" + n++, c);
            }
            if (trustStore != null) {
                KeyStore ks = KeyStore.getInstance(
                        trustStoreType == null || trustStoreType.isBlank() ? "PKCS12" : trustStoreType.trim());
                byte[] b = files.read(TRUSTSTORE_SETTING, trustStore.toString());
                try (InputStream in = new ByteArrayInputStream(b)) {
                    ks.load(in, trustStorePassword == null ? null : trustStorePassword.toCharArray());
                }
                for (String alias : java.util.Collections.list(ks.aliases())) {
                    Certificate c = ks.getCertificate(alias);
                    if (c != null) {
                        merged.setCertificateEntry("store-" + n++, c);
                    }
                }
            }
            if (pemBundle != null) {
                byte[] b = files.read(CA_PEM_PATH_SETTING, pemBundle.toString());
                for (Certificate c : certificates(b, CA_PEM_PATH_SETTING + " (" + pemBundle + ")")) {
                    merged.setCertificateEntry("pem-" + n++, c);
                }
            }
            if (pemText != null && !pemText.isBlank()) {
                // a config provider may hand over the newlines escaped (base64 never holds a backslash)
                byte[] b = pemText.replace("\\n", "\n").strip().getBytes(StandardCharsets.US_ASCII);
                for (Certificate c : certificates(b, CA_PEM_SETTING)) {
                    merged.setCertificateEntry("inline-" + n++, c);
                }
            }
            return defaultTrustManager(merged);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "Cannot read the trust material (" + describe() + "): " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "Cannot load the trust material (" + describe() + "): " + e.getMessage(), e);
        }
    }

    private static Collection<? extends Certificate> certificates(byte[] pem, String what) {
        Collection<? extends Certificate> certs;
        try (InputStream in = new ByteArrayInputStream(pem)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException | GeneralSecurityException e) {
            // the class only: a parser's message could quote the text
            throw new IllegalArgumentException(
                    what + " holds no readable PEM certificate (" + e.getClass().getSimpleName() + ")", e);
        }
        if (certs.isEmpty()) {
            throw new IllegalArgumentException(what + " holds no certificate");
        }
        return certs;
    }

    /** An SSL socket factory verifying against {@code tm}. */
    public static SSLSocketFactory socketFactory(X509TrustManager tm) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {tm}, null);
            return ctx.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available: " + e.getMessage(), e);
        }
    }

    private static X509TrustManager defaultTrustManager(KeyStore ks) throws GeneralSecurityException {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(ks);
        for (TrustManager tm : f.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new IllegalStateException("no X509TrustManager");
    }

    private String describe() {
        StringBuilder sb = new StringBuilder();
        if (trustStore != null) {
            sb.append("trust store ").append(trustStore);
        }
        if (pemBundle != null) {
            sb.append(sb.length() > 0 ? ", " : "").append("PEM bundle ").append(pemBundle);
        }
        if (pemText != null && !pemText.isBlank()) {
            sb.append(sb.length() > 0 ? ", " : "").append("inline PEM certificates");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return isDefault()
                ? "TlsTrust[jvm default]"
                : "TlsTrust[jvm default + " + describe() + ", password="
                        + (trustStorePassword == null ? "none" : "[hidden]") + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsTrust t
                && Objects.equals(t.trustStore, trustStore)
                && Objects.equals(t.trustStoreType, trustStoreType)
                && Objects.equals(t.pemBundle, pemBundle)
                && Objects.equals(t.pemText, pemText)
                && Objects.equals(t.trustStorePassword, trustStorePassword);
    }

    @Override
    public int hashCode() {
        return Objects.hash(trustStore, trustStoreType, pemBundle);
    }
}
