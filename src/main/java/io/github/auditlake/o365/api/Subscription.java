package io.github.auditlake.o365.api;

/**
 * A subscription as returned by {@code /subscriptions/start} or {@code /subscriptions/list} (reference 2.1, 2.4).
 *
 * @param contentType the content type name as the service spelled it
 * @param status      {@code enabled} or {@code disabled}
 * @param webhook     the webhook, or {@code null} when none is registered (or not yet validated)
 */
public record Subscription(String contentType, String status, Webhook webhook) {
    public boolean enabled() {
        return "enabled".equalsIgnoreCase(status);
    }

    /**
     * A webhook registration.
     *
     * @param address    the https address
     * @param authId     the shared value echoed in {@code Webhook-AuthID}, may be empty
     * @param expiration the expiration as the service wrote it ({@code ""} or {@code null} for none)
     * @param status     {@code enabled}, {@code disabled} or {@code expired}
     */
    public record Webhook(String address, String authId, String expiration, String status) {}
}
