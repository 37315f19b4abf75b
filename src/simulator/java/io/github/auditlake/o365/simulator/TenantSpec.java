package io.github.auditlake.o365.simulator;

import io.github.auditlake.o365.api.ContentType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A simulated tenant: its GUID, domain, registered apps, subscription preset, audit switch and the shape of its
 * generated content. Defaults: domain {@code tenant<8 hex>.onmicrosoft.com}, no subscriptions, audit enabled,
 * 2 blobs/hour x 20 records for each content type, 2 days of backfill, content expiring 7 days after creation,
 * no late blobs and no duplicate records.
 *
 * <pre>{@code
 * TenantSpec.of(tenantId)
 *     .app(AppSpec.of(clientId).secret("s3cret"))
 *     .subscribedAll(true)
 *     .volume(ContentType.EXCHANGE, new Volume(12, 100, 1500))
 *     .backfill(Duration.ofDays(7))
 *     .lateBlobs(0.05, Duration.ofHours(30))
 *     .duplicates(0.1)
 * }</pre>
 */
public final class TenantSpec {

    private final String tenantId;
    private String domain;
    private final List<AppSpec> apps = new ArrayList<>();
    private boolean subscribedAll;
    private boolean auditEnabled = true;
    private final Map<ContentType, Volume> volumes = new EnumMap<>(ContentType.class);
    private Duration backfill = Duration.ofDays(2);
    private Duration expiration = Duration.ofDays(7);
    private double lateFraction;
    private Duration lateLag = Duration.ofHours(6);
    private double duplicateFraction;

    private TenantSpec(String tenantId) {
        this.tenantId = tenantId.toLowerCase(Locale.ROOT);
        this.domain = "tenant" + this.tenantId.replace("-", "").substring(0, Math.min(8, this.tenantId.length()))
                + ".onmicrosoft.com";
        for (ContentType t : ContentType.values()) {
            volumes.put(t, Volume.of(2, 20));
        }
    }

    public static TenantSpec of(String tenantId) {
        return new TenantSpec(tenantId);
    }

    /** The tenant's initial domain; also accepted in place of the GUID on the token endpoints. */
    public TenantSpec domain(String domain) {
        this.domain = domain.toLowerCase(Locale.ROOT);
        return this;
    }

    public TenantSpec app(AppSpec app) {
        apps.add(app);
        return this;
    }

    /** Preset: every app of the tenant has all five content types subscribed, with all content accessible. */
    public TenantSpec subscribedAll(boolean subscribedAll) {
        this.subscribedAll = subscribedAll;
        return this;
    }

    /** With audit logging off, /start fails with the malformed "Tenant … does not exist" error (reference 3.9). */
    public TenantSpec auditEnabled(boolean auditEnabled) {
        this.auditEnabled = auditEnabled;
        return this;
    }

    public TenantSpec volume(ContentType type, Volume volume) {
        volumes.put(type, volume);
        return this;
    }

    /** Same volume for all five content types. */
    public TenantSpec volumeAll(Volume volume) {
        for (ContentType t : ContentType.values()) {
            volumes.put(t, volume);
        }
        return this;
    }

    /** How far before the simulator's start instant the scheduled content begins. */
    public TenantSpec backfill(Duration backfill) {
        this.backfill = backfill;
        return this;
    }

    /** contentExpiration = contentCreated + this (default 7 days). */
    public TenantSpec expiration(Duration expiration) {
        this.expiration = expiration;
        return this;
    }

    /**
     * A fraction of scheduled blobs become visible only {@code lag} (scaled by a seeded factor in [0.5, 1]) after
     * their contentCreated, i.e. inside windows a client already listed.
     */
    public TenantSpec lateBlobs(double fraction, Duration lag) {
        this.lateFraction = fraction;
        this.lateLag = lag;
        return this;
    }

    /** A fraction of scheduled blobs repeat the first records (same Id, same bytes) of the preceding blob. */
    public TenantSpec duplicates(double fraction) {
        this.duplicateFraction = fraction;
        return this;
    }

    public String tenantId() {
        return tenantId;
    }

    public String domain() {
        return domain;
    }

    public List<AppSpec> apps() {
        return List.copyOf(apps);
    }

    public boolean subscribedAll() {
        return subscribedAll;
    }

    public boolean auditEnabled() {
        return auditEnabled;
    }

    public Volume volume(ContentType type) {
        return volumes.get(type);
    }

    public Duration backfill() {
        return backfill;
    }

    public Duration expiration() {
        return expiration;
    }

    public double lateFraction() {
        return lateFraction;
    }

    public Duration lateLag() {
        return lateLag;
    }

    public double duplicateFraction() {
        return duplicateFraction;
    }
}
