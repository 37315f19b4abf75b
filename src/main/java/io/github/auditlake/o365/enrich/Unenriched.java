package io.github.auditlake.o365.enrich;

/** Why a record goes on without (some of) its enrichment: the value of the {@code o365.enrich.skipped} header. */
public enum Unenriched {
    /** Graph answered 429, or its {@code Retry-After} has not passed yet. */
    THROTTLED("throttled"),
    /** Graph did not answer within the bound ({@code o365.enrich.timeout.ms}). */
    TIMEOUT("timeout"),
    /** Graph refused the permission (403): the app lacks User.Read.All, Application.Read.All, ... */
    DENIED("denied"),
    /** Enrichment's own request budget ({@code o365.enrich.requests.per.minute}) was spent. */
    BUDGET("budget"),
    /** Graph failed otherwise (5xx, network, an unreadable answer). */
    ERROR("error");

    private final String label;

    Unenriched(String label) {
        this.label = label;
    }

    /** The header value and metric tag. */
    public String label() {
        return label;
    }
}
