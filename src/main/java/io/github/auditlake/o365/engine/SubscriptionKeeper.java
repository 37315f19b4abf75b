package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.Sleeper;
import io.github.auditlake.o365.api.Subscription;
import io.github.auditlake.o365.metrics.EngineMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the subscriptions of one tenant enabled: lists them once, starts the missing or disabled ones, and
 * restarts one when the service says it is gone, never starting the same content type twice within 15 minutes
 * (the API's rule, reference 2.1).
 */
final class SubscriptionKeeper {
    static final Duration START_SPACING = Duration.ofMinutes(15);
    private static final Logger log = LoggerFactory.getLogger(SubscriptionKeeper.class);

    private final ManagementApi api;
    private final boolean manage;
    private final Clock clock;
    private final Sleeper sleeper;
    private final EngineMetrics metrics;
    private final Map<ContentType, Instant> lastStart = new EnumMap<>(ContentType.class);
    private Map<ContentType, Boolean> enabled;

    SubscriptionKeeper(ManagementApi api, boolean manage, Clock clock, Sleeper sleeper, EngineMetrics metrics) {
        this.api = api;
        this.manage = manage;
        this.clock = clock;
        this.sleeper = sleeper;
        this.metrics = metrics;
    }

    /** Makes sure {@code type} is subscribed (when managing subscriptions); called before a stream's first listing. */
    synchronized void ensure(ContentType type) throws InterruptedException {
        if (!manage) {
            return;
        }
        if (enabled == null) {
            enabled = new EnumMap<>(ContentType.class);
            List<Subscription> subs = api.listSubscriptions();
            for (Subscription s : subs) {
                ContentType.fromWireName(s.contentType()).ifPresent(t -> enabled.put(t, s.enabled()));
            }
        }
        if (!Boolean.TRUE.equals(enabled.get(type))) {
            start(type);
        }
    }

    /** The service said the subscription is missing or disabled (AF20022/AF20023). */
    synchronized void lost(ContentType type, ApiException cause) throws InterruptedException {
        if (!manage) {
            throw new ApiException(
                    ErrorKind.PERMANENT,
                    "The subscription for " + type + " is not enabled ("
                            + cause.getMessage() + "). Start it (e.g. Start-ManagementActivitySubscription or POST "
                            + "/subscriptions/start) or set o365.subscriptions.manage.enabled=true.",
                    cause);
        }
        if (enabled != null) {
            enabled.put(type, false);
        }
        log.warn("Subscription for {} is not enabled ({}); starting it again", type, cause.getMessage());
        start(type);
    }

    private void start(ContentType type) throws InterruptedException {
        Instant last = lastStart.get(type);
        if (last != null) {
            Duration wait = Duration.between(clock.instant(), last.plus(START_SPACING));
            if (!wait.isNegative() && !wait.isZero()) {
                log.info(
                        "Waiting {} s before starting the {} subscription again (the API allows one start per "
                                + "15 minutes)",
                        wait.toSeconds(),
                        type);
                sleeper.sleep(wait);
            }
        }
        lastStart.put(type, clock.instant());
        Subscription s;
        try {
            s = api.startSubscription(type, null);
        } catch (ApiException e) {
            if (e.httpStatus() > 0) {
                // the service answered with an error (throttled, 5xx, refused): it started nothing, so the next
                // attempt need not wait 15 minutes. Without an answer (a connection cut) it may have: keep the wait.
                if (last == null) {
                    lastStart.remove(type);
                } else {
                    lastStart.put(type, last);
                }
            }
            throw e;
        }
        // the service counts its 15 minutes from when the start reached it, which can be later than the moment
        // the call began (the request budget may pace it): the next start waits 15 minutes from the answer
        lastStart.put(type, clock.instant());
        metrics.subscriptionsStarted.increment();
        if (enabled != null) {
            enabled.put(type, s == null || s.enabled());
        }
        log.info(
                "Subscription for {} is enabled. A new subscription can take up to 12 hours to show its first "
                        + "content; empty listings until then are expected.",
                type);
    }
}
