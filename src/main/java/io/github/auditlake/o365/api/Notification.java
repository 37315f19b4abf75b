package io.github.auditlake.o365.api;

import java.time.Instant;

/** One webhook delivery from {@code /subscriptions/notifications} (reference 2.8). */
public record Notification(ContentBlob blob, Instant notificationSent, String notificationStatus) {}
