package io.github.auditlake.o365.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
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
 * store (PKCS12 or JKS) and/or a PEM bundle. They are added to the JVM's default authorities, never replace
 * certificate checks: there is deliberately no way to turn verification off. {@link #toString()} never shows the
 * password.
 *
 * @param trustStore         a PKCS12/JKS trust store file, or null
 * @param trustStorePassword its password, or null
 * @param trustStoreType     {@code PKCS12} or {@code JKS} (null: PKCS12)
 * @param pemBundle          a file of one or more PEM certificates, or null
 */
public record TlsTrust(Path trustStore, String trustStorePassword, String trustStoreType, Path pemBundle) {

    public static final TlsTrust DEFAULT = new TlsTrust(null, null, null, null);

    public boolean isDefault() {
        return trustStore == null && pemBundle == null;
    }

    /** The trust manager: the JVM's default authorities plus the configured ones. */
    public X509TrustManager trustManager() {
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
                try (InputStream in = Files.newInputStream(trustStore)) {
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
                try (InputStream in = Files.newInputStream(pemBundle)) {
                    Collection<? extends Certificate> certs =
                            CertificateFactory.getInstance("X.509").generateCertificates(in);
                    if (certs.isEmpty()) {
                        throw new IllegalArgumentException("The PEM file " + pemBundle + " holds no certificate");
                    }
                    for (Certificate c : certs) {
                        merged.setCertificateEntry("pem-" + n++, c);
                    }
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
                && Objects.equals(t.trustStorePassword, trustStorePassword);
    }

    @Override
    public int hashCode() {
        return Objects.hash(trustStore, trustStoreType, pemBundle);
    }
}
