package io.github.auditlake.o365.auth;

import io.github.auditlake.o365.api.AllowedPaths;
import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ErrorKind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collections;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Loads a private key and its certificate from a PKCS12 or PEM file (read through the worker's {@link AllowedPaths}),
 * or from PEM text given in the configuration, with JDK APIs only. Messages never quote the material.
 */
public final class CertificateLoader {
    /** The setting naming the certificate file, for messages. */
    public static final String PATH_SETTING = "o365.client.certificate.path";
    /** The setting holding an inline PEM certificate and key, for messages. */
    public static final String PEM_SETTING = "o365.client.certificate.pem";

    private static final Pattern PEM =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");

    private CertificateLoader() {}

    /** A key and its certificate. */
    public record KeyAndCertificate(PrivateKey privateKey, X509Certificate certificate) {
        @Override
        public String toString() {
            return "KeyAndCertificate[subject=" + certificate.getSubjectX500Principal() + "]";
        }
    }

    /**
     * Loads the file, if {@code files} allows it: PEM when it contains {@code -----BEGIN}, PKCS12 otherwise.
     *
     * @throws ApiException AUTHENTICATION with a message naming the certificate setting when it cannot be read
     */
    public static KeyAndCertificate load(Path path, String password, AllowedPaths files) {
        byte[] bytes;
        try {
            bytes = files.read(PATH_SETTING, path.toString());
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage(), null);
        }
        return load(bytes, password, "the certificate file " + path);
    }

    /**
     * Loads a PEM private key and certificate given inline (the setting {@value #PEM_SETTING}).
     *
     * @throws ApiException AUTHENTICATION with a message naming the setting; never quoting the text
     */
    public static KeyAndCertificate loadPem(String pem, String password) {
        if (pem == null || !pem.contains("-----BEGIN")) {
            throw fail(PEM_SETTING + " holds no PEM block: give the private key (PKCS#8) and the certificate", null);
        }
        // a config provider may hand over the newlines escaped (base64 never holds a backslash)
        return load(pem.replace("\\n", "\n").getBytes(StandardCharsets.US_ASCII), password, PEM_SETTING);
    }

    /** Loads {@code bytes}: PEM when they contain {@code -----BEGIN}, PKCS12 otherwise. */
    private static KeyAndCertificate load(byte[] bytes, String password, String what) {
        String head = new String(bytes, 0, Math.min(bytes.length, 65536), StandardCharsets.US_ASCII);
        try {
            return head.contains("-----BEGIN")
                    ? fromPem(new String(bytes, StandardCharsets.US_ASCII), password, what)
                    : fromPkcs12(bytes, password, what);
        } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
            throw fail(
                    "cannot load " + what + " (check the certificate and its password; "
                            + "PKCS12 .p12/.pfx with password, or PEM with private key and certificate): "
                            + e.getClass().getSimpleName(),
                    e);
        }
    }

    private static KeyAndCertificate fromPkcs12(byte[] bytes, String password, String path)
            throws GeneralSecurityException, IOException {
        char[] pw = password == null ? new char[0] : password.toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(new ByteArrayInputStream(bytes), pw);
        for (String alias : Collections.list(ks.aliases())) {
            if (ks.isKeyEntry(alias)) {
                Key key = ks.getKey(alias, pw);
                if (key instanceof PrivateKey pk && ks.getCertificate(alias) instanceof X509Certificate cert) {
                    return new KeyAndCertificate(pk, cert);
                }
            }
        }
        throw fail(path + " (PKCS12) holds no private key with an X.509 certificate", null);
    }

    private static KeyAndCertificate fromPem(String text, String password, String path)
            throws GeneralSecurityException, IOException {
        PrivateKey key = null;
        X509Certificate cert = null;
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (type) {
                case "CERTIFICATE" -> {
                    if (cert == null) {
                        cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                                .generateCertificate(new ByteArrayInputStream(der));
                    }
                }
                case "PRIVATE KEY" -> key = pkcs8(der);
                case "RSA PRIVATE KEY" ->
                    key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(wrapPkcs1(der)));
                case "ENCRYPTED PRIVATE KEY" -> {
                    if (password == null) {
                        throw fail(
                                "the PEM private key in " + path + " is encrypted: set the certificate password", null);
                    }
                    EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
                    SecretKeyFactory f = SecretKeyFactory.getInstance(info.getAlgName());
                    Cipher c = Cipher.getInstance(info.getAlgName());
                    c.init(
                            Cipher.DECRYPT_MODE,
                            f.generateSecret(new PBEKeySpec(password.toCharArray())),
                            info.getAlgParameters());
                    key = pkcs8(info.getKeySpec(c).getEncoded());
                }
                default -> {}
            }
        }
        if (key == null || cert == null) {
            throw fail(path + " must contain both a private key and a certificate (PEM)", null);
        }
        return new KeyAndCertificate(key, cert);
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(spec);
        } catch (GeneralSecurityException e) {
            return KeyFactory.getInstance("EC").generatePrivate(spec);
        }
    }

    /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo. */
    private static byte[] wrapPkcs1(byte[] pkcs1) {
        byte[] algId = {
            0x30,
            0x0d,
            0x06,
            0x09,
            0x2a,
            (byte) 0x86,
            0x48,
            (byte) 0x86,
            (byte) 0xf7,
            0x0d,
            0x01,
            0x01,
            0x01,
            0x05,
            0x00
        };
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octet = concat(new byte[] {0x04}, derLength(pkcs1.length), pkcs1);
        byte[] body = concat(version, algId, octet);
        return concat(new byte[] {0x30}, derLength(body.length), body);
    }

    private static byte[] derLength(int len) {
        if (len < 0x80) {
            return new byte[] {(byte) len};
        }
        if (len < 0x100) {
            return new byte[] {(byte) 0x81, (byte) len};
        }
        if (len < 0x10000) {
            return new byte[] {(byte) 0x82, (byte) (len >> 8), (byte) len};
        }
        return new byte[] {(byte) 0x83, (byte) (len >> 16), (byte) (len >> 8), (byte) len};
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    private static ApiException fail(String message, Throwable cause) {
        return new ApiException(ErrorKind.AUTHENTICATION, message, cause);
    }
}
