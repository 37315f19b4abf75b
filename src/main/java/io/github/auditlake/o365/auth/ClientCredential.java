package io.github.auditlake.o365.auth;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How the application proves its identity to Entra ID: a client secret, a certificate, a federated client
 * assertion read from a file (workload identity federation, e.g. a Kubernetes projected service-account token), or
 * an Azure managed identity of the machine the worker runs on (no app registration, no credential at all).
 */
public sealed interface ClientCredential
        permits ClientCredential.Secret,
                ClientCredential.Certificate,
                ClientCredential.CertificatePem,
                ClientCredential.AssertionFile,
                ClientCredential.ManagedIdentity {

    /** Environment variable Azure workload identity sets to the projected token file. */
    String AZURE_FEDERATED_TOKEN_FILE = "AZURE_FEDERATED_TOKEN_FILE";

    /** A federated client assertion in a file, read again for every token request (Kubernetes rotates it). */
    static ClientCredential assertionFile(Path path) {
        return new AssertionFile(path);
    }

    /**
     * An Azure managed identity: the system-assigned one when {@code userAssignedClientId} is null or blank, else the
     * user-assigned identity with that client id.
     */
    static ClientCredential managedIdentity(String userAssignedClientId) {
        return new ManagedIdentity(
                userAssignedClientId == null || userAssignedClientId.isBlank() ? null : userAssignedClientId.trim());
    }

    static ClientCredential secret(String secret) {
        return new Secret(secret);
    }

    /**
     * A certificate file: PKCS12 ({@code .p12}/{@code .pfx}, with password) or PEM (private key + certificate in one
     * file; the password decrypts an {@code ENCRYPTED PRIVATE KEY}, may be null otherwise).
     */
    static ClientCredential certificate(Path path, String password) {
        return new Certificate(path, password);
    }

    /**
     * A certificate with its private key given as PEM text (from the configuration, typically through a config
     * provider): the private key (PKCS#8, or PKCS#1 RSA, or an {@code ENCRYPTED PRIVATE KEY} with {@code password})
     * and the certificate.
     */
    static ClientCredential certificatePem(String pem, String password) {
        return new CertificatePem(pem, password);
    }

    /** A client secret. {@link #toString()} never shows it. */
    record Secret(String value) implements ClientCredential {
        public Secret {
            Objects.requireNonNull(value, "client secret");
            if (value.isBlank()) {
                throw new IllegalArgumentException("client secret must not be blank");
            }
        }

        @Override
        public String toString() {
            return "Secret[***]";
        }
    }

    /** A file holding a federated client assertion (a JWT from another identity provider). */
    record AssertionFile(Path path) implements ClientCredential {
        public AssertionFile {
            Objects.requireNonNull(path, "client assertion file");
        }

        @Override
        public String toString() {
            return "AssertionFile[path=" + path + "]";
        }
    }

    /** A certificate file. {@link #toString()} never shows the password. */
    record Certificate(Path path, String password) implements ClientCredential {
        public Certificate {
            Objects.requireNonNull(path, "certificate path");
        }

        @Override
        public String toString() {
            return "Certificate[path=" + path + ", password=" + (password == null ? "none" : "***") + "]";
        }
    }

    /** PEM text of a key and its certificate. {@link #toString()} never shows the text nor the password. */
    record CertificatePem(String pem, String password) implements ClientCredential {
        public CertificatePem {
            Objects.requireNonNull(pem, "certificate PEM");
            if (pem.isBlank()) {
                throw new IllegalArgumentException("certificate PEM must not be blank");
            }
        }

        @Override
        public String toString() {
            return "CertificatePem[***, password=" + (password == null ? "none" : "***") + "]";
        }
    }

    /** An Azure managed identity; {@code clientId} is the user-assigned identity's client id, null for system-assigned. */
    record ManagedIdentity(String clientId) implements ClientCredential {
        public boolean systemAssigned() {
            return clientId == null;
        }

        /** For messages: "the system-assigned managed identity" or "the user-assigned managed identity {id}". */
        public String describe() {
            return systemAssigned()
                    ? "the system-assigned managed identity"
                    : "the user-assigned managed identity " + clientId;
        }

        @Override
        public String toString() {
            return "ManagedIdentity[" + (systemAssigned() ? "system-assigned" : "user-assigned " + clientId) + "]";
        }
    }
}
