package io.github.auditlake.o365.engine.health;

import java.util.Locale;

/**
 * The health state of one stream (tenant, content type), as published on the health topic and as the
 * {@code stream-health-state} gauge (its {@link #code()}). docs/operations.md lists them with what to do.
 */
public enum StreamState {
    /** The task started; no answer from the service yet (signing in, checking the subscription). */
    SIGNING_IN(1),
    /** The subscription is enabled (checked, or started by the connector); nothing listed yet. */
    SUBSCRIBED(2),
    /** Listing and delivering, less than the lag threshold behind the service's time. */
    COLLECTING(3),
    /** The frontier reached the service's time: everything listed so far was delivered. */
    CAUGHT_UP(4),
    /** Collecting, but the position is more than the lag threshold behind the service's time. */
    LAGGING(5),
    /** The service throttles the stream's calls (AF429, HTTP 429); retried after its Retry-After or with backoff. */
    THROTTLED(6),
    /** Calls have failed transiently (an outage: 5xx, 408, connection errors) for longer than the stall threshold. */
    STALLED(7),
    /** The subscription is disabled (AF20023) or missing (AF20022): the connector starts it again when allowed. */
    DISABLED(8),
    /** The app lacks a permission (AF10001, 401 on one content type): nothing can be listed until it is granted. */
    PERMISSION_MISSING(9),
    /** Signing in fails (consent revoked, credential wrong or expired, app deleted). */
    SIGN_IN_FAILED(10),
    /** The audit service does not know the tenant: unified audit logging is off (or the tenant is unknown). */
    AUDIT_OFF(11),
    /** Caught up, but nothing was listed for longer than the quiet threshold (auditing off, or nothing happening). */
    TENANT_QUIET(12),
    /** Any other permanent failure (the message says what to fix). */
    FAILED(13),
    /**
     * A new stream reads its history through audit search ({@code o365.history.start}) up to the seam, before its
     * Management API part.
     */
    HISTORY(14);

    private final int code;

    StreamState(int code) {
        this.code = code;
    }

    /** The numeric code of the {@code stream-health-state} gauge (0 = unknown, the stream has no state). */
    public int code() {
        return code;
    }

    /** The name on the health topic: lower case with dashes, e.g. {@code caught-up}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** True for the states of a stream that works (delivering or waiting for content). */
    public boolean healthy() {
        return this == SUBSCRIBED || this == COLLECTING || this == CAUGHT_UP || this == SIGNING_IN || this == HISTORY;
    }
}
