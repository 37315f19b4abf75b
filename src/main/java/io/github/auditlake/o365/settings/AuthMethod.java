package io.github.auditlake.o365.settings;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** How the app signs in ({@code o365.auth.method}); the one place its names are spelled. */
public enum AuthMethod {
    /** A client secret or a certificate, whichever is set; never a managed identity. */
    AUTO("auto"),
    SECRET("secret"),
    CERTIFICATE("certificate"),
    WORKLOAD_IDENTITY("workload-identity"),
    MANAGED_IDENTITY("managed-identity");

    private final String configName;

    AuthMethod(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** True for the methods that need no secret or certificate. */
    public boolean secretless() {
        return this == WORKLOAD_IDENTITY || this == MANAGED_IDENTITY;
    }

    /** The method named {@code name} (any case, surrounding blanks ignored), if any. */
    public static Optional<AuthMethod> fromConfigName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(m -> m.configName.equals(n)).findFirst();
    }

    /** Every name, in declaration order. */
    public static List<String> configNames() {
        return Arrays.stream(values()).map(AuthMethod::configName).toList();
    }
}
