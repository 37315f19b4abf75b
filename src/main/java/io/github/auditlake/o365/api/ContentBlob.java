package io.github.auditlake.o365.api;

import java.time.Instant;
import java.util.Objects;

/**
 * One available content blob as listed by {@code /subscriptions/content} (reference 2.5).
 *
 * @param contentType       the content type as the service spelled it
 * @param contentId         opaque blob id; never parsed
 * @param contentUri        absolute URL to fetch the blob (used exactly as given)
 * @param contentCreated    when the blob became available (the listing filter field)
 * @param contentExpiration after this instant the blob can no longer be fetched
 */
public record ContentBlob(
        String contentType, String contentId, String contentUri, Instant contentCreated, Instant contentExpiration) {
    public ContentBlob {
        Objects.requireNonNull(contentId, "contentId");
        Objects.requireNonNull(contentUri, "contentUri");
        Objects.requireNonNull(contentCreated, "contentCreated");
    }

    /** True when the blob's advertised expiration has passed at {@code now}. */
    public boolean isExpiredAt(Instant now) {
        return contentExpiration != null && !now.isBefore(contentExpiration);
    }
}
