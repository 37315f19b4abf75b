package io.github.auditlake.o365.engine.health;

import java.time.Duration;
import java.util.Objects;

/**
 * The thresholds of the health states and warnings.
 *
 * @param summaryInterval   how often a task publishes its summary (zero: never)
 * @param stalledAfter      transient failures for this long make a stream {@link StreamState#STALLED}
 * @param laggingAfter      a position this far behind the service's time makes a stream {@link StreamState#LAGGING}
 * @param quietAfter        a caught-up stream that listed nothing for this long is {@link StreamState#TENANT_QUIET}
 * @param credentialWarning a certificate that expires within this is warned about
 * @param expiryMargin      a blob listed and not delivered this close to its {@code contentExpiration} is at risk
 */
public record HealthSettings(
        Duration summaryInterval,
        Duration stalledAfter,
        Duration laggingAfter,
        Duration quietAfter,
        Duration credentialWarning,
        Duration expiryMargin) {
    public static final Duration DEFAULT_SUMMARY_INTERVAL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_STALLED_AFTER = Duration.ofMinutes(5);
    public static final Duration DEFAULT_LAGGING_AFTER = Duration.ofHours(1);
    public static final Duration DEFAULT_QUIET_AFTER = Duration.ofHours(24);
    public static final Duration DEFAULT_CREDENTIAL_WARNING = Duration.ofDays(14);
    public static final Duration DEFAULT_EXPIRY_MARGIN = Duration.ofHours(24);

    public static final HealthSettings DEFAULTS = new HealthSettings(
            DEFAULT_SUMMARY_INTERVAL,
            DEFAULT_STALLED_AFTER,
            DEFAULT_LAGGING_AFTER,
            DEFAULT_QUIET_AFTER,
            DEFAULT_CREDENTIAL_WARNING,
            DEFAULT_EXPIRY_MARGIN);

    public HealthSettings {
        for (Duration d :
                new Duration[] {summaryInterval, stalledAfter, laggingAfter, quietAfter, credentialWarning, expiryMargin
                }) {
            Objects.requireNonNull(d, "health threshold");
            if (d.isNegative()) {
                throw new IllegalArgumentException("health thresholds must not be negative: " + d);
            }
        }
    }
}
