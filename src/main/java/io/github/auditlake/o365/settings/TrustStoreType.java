package io.github.auditlake.o365.settings;

import java.util.Arrays;
import java.util.List;

/** The type of {@code o365.tls.truststore.path}, as {@link java.security.KeyStore} names it. */
public enum TrustStoreType {
    PKCS12,
    JKS;

    public static List<String> configNames() {
        return Arrays.stream(values()).map(Enum::name).toList();
    }
}
