package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.Sleeper;
import io.github.auditlake.o365.api.Subscription;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.engine.health.HealthMonitor;
import io.github.auditlake.o365.metrics.EngineMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the subscriptions of one tenant enabled: lists them once, starts the missing or disabled ones, and starts one
 * again when the service says it became disabled or missing while running (self-healing), never starting the same
 * content type twice within 15 minutes (the API's rule, reference 2.1).
 *
 * <p>Starting again never removes a webhook: the start carries the webhook the listing shows. Several connectors
 * collecting the same tenant do not fight: each waits a random moment ({@link #START_JITTER}) and lists the
 * subscriptions again, and starts only when the listing still says the subscription is not enabled; a start the
 * service refuses by its 15-minute rule (another connector started it) is waited out, and the listing then shows it
 * enabled.
 */
final class SubscriptionKeeper {
    static final Duration START_SPACING = Duration.ofMinutes(15);
    /** Before starting a lost subscription again, a random wait up to this, so that several connectors do not race. */
    static final Duration START_JITTER = Duration.ofSeconds(20);

    private static final Logger log = LoggerFactory.getLogger(SubscriptionKeeper.class);

    private final ManagementApi api;
    private final boolean manage;
    private final Clock clock;
    private final Sleeper sleeper;
    private final EngineMetrics metrics;
    private final Random random;
    private final Map<ContentType, Instant> lastStart = new EnumMap<>(ContentType.class);
    private Map<ContentType, Boolean> enabled;
    /** The webhooks the first listing showed, by content type. */
    private final Map<ContentType, Subscription.Webhook> webhooks = new EnumMap<>(ContentType.class);

    private volatile HealthMonitor health;

    SubscriptionKeeper(ManagementApi api, boolean manage, Clock clock, Sleeper sleeper, EngineMetrics metrics) {
        this(api, manage, clock, sleeper, metrics, new Random());
    }

    SubscriptionKeeper(
            ManagementApi api, boolean manage, Clock clock, Sleeper sleeper, EngineMetrics metrics, Random random) {
        this.api = api;
        this.manage = manage;
        this.clock = clock;
        this.sleeper = sleeper;
        this.metrics = metrics;
        this.random = random;
        this.health = HealthMonitor.unread(List.of(), clock);
    }

    /** Where the subscriptions' states are reported. */
    void reportTo(HealthMonitor monitor) {
        this.health = monitor;
    }

    private StreamId stream(ContentType type) {
        return new StreamId(api.tenantId(), type);
    }

    /** Makes sure {@code type} is subscribed (when managing subscriptions); called before a stream's first listing. */
    synchronized void ensure(ContentType type) throws InterruptedException {
        if (!manage) {
            health.subscribed(stream(type), false, false);
            return;
        }
        if (enabled == null) {
            enabled = new EnumMap<>(ContentType.class);
            for (Subscription s : api.listSubscriptions()) {
                ContentType.fromWireName(s.contentType()).ifPresent(t -> {
                    enabled.put(t, s.enabled());
                    if (s.webhook() != null) {
                        webhooks.put(t, s.webhook());
                    }
                });
            }
        }
        if (!Boolean.TRUE.equals(enabled.get(type))) {
            Subscription.Webhook webhook = webhooks.get(type);
            start(type, webhook);
            health.subscribed(stream(type), true, webhook != null);
        } else {
            health.subscribed(stream(type), false, false);
        }
    }

    /** The service said the subscription is missing or disabled (AF20022/AF20023): start it again when allowed. */
    synchronized void lost(ContentType type, ApiException cause) throws InterruptedException {
        StreamId s = stream(type);
        String code = cause.errorCode().orElse(null);
        if (!manage) {
            health.disabled(s, code, null);
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
        Instant now = clock.instant();
        Instant allowed = nextStartAllowed(type, now);
        health.disabled(s, code, allowed);
        log.warn(
                "Subscription for {} is not enabled ({}); starting it again at {} unless another client does first",
                type,
                cause.getMessage(),
                allowed);
        // several connectors on one tenant: a random wait, then look again: another one may have started it
        sleeper.sleep(Duration.ofMillis((long) (random.nextDouble() * START_JITTER.toMillis())));
        waitForStartAllowed(type);
        Subscription current = null;
        for (Subscription sub : api.listSubscriptions()) {
            if (type.wireName().equalsIgnoreCase(sub.contentType())) {
                current = sub;
            }
        }
        if (current != null && current.enabled()) {
            if (enabled != null) {
                enabled.put(type, true);
            }
            log.info("Subscription for {} is enabled again (started by another client)", type);
            health.subscribed(s, false, current.webhook() != null);
            return;
        }
        Subscription.Webhook webhook = current == null ? null : current.webhook();
        start(type, webhook);
        health.subscribed(s, true, webhook != null);
    }

    private Instant nextStartAllowed(ContentType type, Instant now) {
        Instant last = lastStart.get(type);
        if (last == null) {
            return now;
        }
        Instant next = last.plus(START_SPACING);
        return next.isAfter(now) ? next : now;
    }

    private void waitForStartAllowed(ContentType type) throws InterruptedException {
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
    }

    /** Starts {@code type}, carrying {@code webhook} (the one the listing shows, or null) so it is never removed. */
    private void start(ContentType type, Subscription.Webhook webhook) throws InterruptedException {
        waitForStartAllowed(type);
        Instant last = lastStart.get(type);
        lastStart.put(type, clock.instant());
        Subscription s;
        try {
            s = api.startSubscription(type, webhookRequest(webhook));
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
                "Subscription for {} is enabled{}. A new subscription can take up to 12 hours to show its first "
                        + "content; empty listings until then are expected.",
                type,
                webhook == null ? "" : " (its webhook kept)");
    }

    /** The webhook to carry in a start, from the listing's; null for none. */
    static ManagementApi.WebhookRequest webhookRequest(Subscription.Webhook w) {
        if (w == null || w.address() == null || w.address().isBlank()) {
            return null;
        }
        Instant expiration = null;
        String e = w.expiration();
        if (e != null && !e.isBlank()) {
            try {
                expiration = OffsetDateTime.parse(e).toInstant();
            } catch (DateTimeParseException notOffset) {
                try {
                    expiration = Instant.parse(e.endsWith("Z") ? e : e + "Z");
                } catch (DateTimeParseException unreadable) {
                    log.warn("The webhook's expiration '{}' cannot be read; it is started again without one", e);
                }
            }
        }
        return new ManagementApi.WebhookRequest(w.address(), w.authId(), expiration);
    }
}
