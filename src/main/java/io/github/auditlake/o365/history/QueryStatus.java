package io.github.auditlake.o365.history;

import java.util.Locale;

/** The states of an audit-search query, as Graph names them. */
public enum QueryStatus {
    NOT_STARTED("notStarted"),
    RUNNING("running"),
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    CANCELLED("cancelled"),
    /** A value this client does not know ({@code unknownFutureValue} or newer): treated as still running. */
    UNKNOWN("unknownFutureValue");

    private final String wireName;

    QueryStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** True once the query will not change any more. */
    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    public static QueryStatus fromWire(String s) {
        if (s != null) {
            String n = s.trim().toLowerCase(Locale.ROOT);
            for (QueryStatus q : values()) {
                if (q.wireName.toLowerCase(Locale.ROOT).equals(n)) {
                    return q;
                }
            }
        }
        return UNKNOWN;
    }
}
