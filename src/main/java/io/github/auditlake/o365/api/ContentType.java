package io.github.auditlake.o365.api;

import java.util.Locale;
import java.util.Optional;

/** The five content types of the Management Activity API (reference 3.1). The wire name is case-sensitive. */
public enum ContentType {
    AZURE_ACTIVE_DIRECTORY("Audit.AzureActiveDirectory"),
    EXCHANGE("Audit.Exchange"),
    SHAREPOINT("Audit.SharePoint"),
    GENERAL("Audit.General"),
    DLP_ALL("DLP.All");

    private final String wireName;

    ContentType(String wireName) {
        this.wireName = wireName;
    }

    /** The exact name the API uses, e.g. {@code Audit.Exchange}. */
    public String wireName() {
        return wireName;
    }

    /** A lower-case form usable in topic names, e.g. {@code audit.exchange}. */
    public String topicToken() {
        return wireName.toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name, ignoring case (operators type these by hand). */
    public static Optional<ContentType> fromWireName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String trimmed = name.trim();
        for (ContentType t : values()) {
            if (t.wireName.equalsIgnoreCase(trimmed)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
