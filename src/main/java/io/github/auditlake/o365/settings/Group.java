package io.github.auditlake.o365.settings;

/** The groups settings are shown in, in this order. */
public enum Group {
    CONNECTION("Microsoft 365 connection"),
    COLLECTION("Collection"),
    DESTINATION("Destination"),
    HTTP("HTTP and retries"),
    ENRICHMENT("Graph enrichment");

    private final String title;

    Group(String title) {
        this.title = title;
    }

    /** The group's name as a UI shows it. */
    public String title() {
        return title;
    }
}
