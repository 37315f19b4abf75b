package io.github.auditlake.o365.api;

import java.util.Locale;
import java.util.Optional;

/** The Microsoft clouds the Management Activity API runs in (reference 1.6). */
public enum Cloud {
    COMMERCIAL(
            "commercial",
            "https://manage.office.com",
            "https://manage.office.com",
            "https://login.microsoftonline.com"),
    GCC("gcc", "https://manage-gcc.office.com", "https://manage-gcc.office.com", "https://login.microsoftonline.com"),
    GCC_HIGH(
            "gcc-high",
            "https://manage.office365.us",
            "https://manage.office365.us",
            "https://login.microsoftonline.us"),
    DOD(
            "dod",
            "https://manage.protection.apps.mil",
            "https://manage.protection.apps.mil",
            "https://login.microsoftonline.us");

    private final String configName;
    private final String apiBaseUrl;
    private final String resource;
    private final String loginBaseUrl;

    Cloud(String configName, String apiBaseUrl, String resource, String loginBaseUrl) {
        this.configName = configName;
        this.apiBaseUrl = apiBaseUrl;
        this.resource = resource;
        this.loginBaseUrl = loginBaseUrl;
    }

    public String configName() {
        return configName;
    }

    /** API root host, e.g. {@code https://manage.office.com}; paths start with {@code /api/v1.0/{tenant}}. */
    public String apiBaseUrl() {
        return apiBaseUrl;
    }

    /** The token resource (v1) / audience. */
    public String resource() {
        return resource;
    }

    /** The v2 scope: resource + {@code /.default}. */
    public String scope() {
        return resource + "/.default";
    }

    /** The Entra login authority host, e.g. {@code https://login.microsoftonline.com}. */
    public String loginBaseUrl() {
        return loginBaseUrl;
    }

    /**
     * The Microsoft Graph base of this cloud: {@code https://graph.microsoft.com} (commercial and GCC),
     * {@code https://graph.microsoft.us} (GCC High), {@code https://dod-graph.microsoft.us} (DoD). Also Graph's token
     * resource there.
     */
    public String graphBaseUrl() {
        return switch (this) {
            case GCC_HIGH -> "https://graph.microsoft.us";
            case DOD -> "https://dod-graph.microsoft.us";
            default -> "https://graph.microsoft.com";
        };
    }

    public static Optional<Cloud> fromConfigName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Cloud c : values()) {
            if (c.configName.equals(n)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
