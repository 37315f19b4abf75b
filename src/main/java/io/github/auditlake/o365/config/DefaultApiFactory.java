package io.github.auditlake.o365.config;

import io.github.auditlake.o365.api.AllowedPaths;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.Sleeper;
import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.client.ManagementApis;
import io.github.auditlake.o365.settings.ClientMapping;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Builds the OkHttp + MSAL4J client of a tenant from the connector configuration. Files (certificate, CA bundle,
 * trust store, assertion) are read only from the worker's allowed directories ({@link AllowedPaths}).
 */
public final class DefaultApiFactory implements ApiFactory {
    private final Clock clock;
    private final Sleeper sleeper;
    private final boolean simulatedTime;
    /** The worker's allowed directories; null: read from the environment at each client built. */
    private final AllowedPaths allowedPaths;

    public DefaultApiFactory() {
        this(Clock.systemUTC(), Sleeper.SYSTEM, false, null);
    }

    /**
     * For tests: a simulated clock, and a sleeper that does not really wait. The service's time is then the simulated
     * clock too (a simulator's {@code Date} headers carry the real time).
     */
    public DefaultApiFactory(Clock clock, Sleeper sleeper) {
        this(clock, sleeper, true, null);
    }

    private DefaultApiFactory(Clock clock, Sleeper sleeper, boolean simulatedTime, AllowedPaths allowedPaths) {
        this.clock = clock;
        this.sleeper = sleeper;
        this.simulatedTime = simulatedTime;
        this.allowedPaths = allowedPaths;
    }

    /** This factory with the given allowed directories instead of the worker's (tests). */
    public DefaultApiFactory withAllowedPaths(AllowedPaths paths) {
        return new DefaultApiFactory(clock, sleeper, simulatedTime, paths);
    }

    @Override
    public ManagementApi create(O365SourceConfig c, int requestsPerMinute, boolean forValidation) {
        return create(c, c.tenantId(), requestsPerMinute, forValidation);
    }

    @Override
    public ManagementApi create(O365SourceConfig c, String tenant, int requestsPerMinute, boolean forValidation) {
        return ManagementApis.create(clientSettings(c, tenant, requestsPerMinute, forValidation));
    }

    @Override
    public java.util.Optional<io.github.auditlake.o365.enrich.DirectoryApi> directory(
            O365SourceConfig c, String tenant, boolean forValidation) {
        return java.util.Optional.of(
                io.github.auditlake.o365.enrich.EnrichAccess.directory(clientSettings(c, tenant, 60, forValidation)));
    }

    @Override
    public io.github.auditlake.o365.history.AuditSearchApi auditSearch(O365SourceConfig c, String tenant) {
        return io.github.auditlake.o365.history.HistoryAccess.create(
                clientSettings(c, tenant, c.requestsPerMinute(), false));
    }

    @Override
    public java.util.List<String> graphRoles(O365SourceConfig c, String tenant) {
        ClientSettings cs = clientSettings(c, tenant, 60, true);
        try (io.github.auditlake.o365.api.TokenProvider tokens =
                io.github.auditlake.o365.history.HistoryAccess.graphTokens(cs, ManagementApis.httpClient(cs))) {
            return io.github.auditlake.o365.history.HistoryAccess.roles(
                    tokens.token().value());
        }
    }

    private ClientSettings clientSettings(
            O365SourceConfig c, String tenant, int requestsPerMinute, boolean forValidation) {
        ClientSettings.Builder b = ClientSettings.builder()
                .tenantId(tenant)
                .clientId(c.clientId())
                .cloud(c.cloud())
                .publisherId(c.publisherId())
                .requestsPerMinute(requestsPerMinute)
                .clock(clock)
                .sleeper(sleeper)
                .tlsTrust(c.tlsTrust())
                .allowedPaths(allowedPaths) // null: ClientSettings reads the worker's list
                .recordMaxBytes(c.recordMaxBytes());
        if (simulatedTime) {
            b.serviceClock(io.github.auditlake.o365.api.ServiceClock.fixedTo(clock));
        }
        switch (c.authMethod()) {
            case MANAGED_IDENTITY -> {
                b.credential(
                        io.github.auditlake.o365.auth.ClientCredential.managedIdentity(c.managedIdentityClientId()));
                if (c.managedIdentityEndpointOverride() != null) {
                    b.identityEndpoint(c.managedIdentityEndpointOverride());
                }
            }
            case WORKLOAD_IDENTITY -> {
                if (c.clientAssertionFile() != null) {
                    b.credential(io.github.auditlake.o365.auth.ClientCredential.assertionFile(
                            Path.of(c.clientAssertionFile())));
                }
            }
            case CERTIFICATE -> certificate(c, b);
            default -> {
                if (c.clientSecret() != null) {
                    b.clientSecret(c.clientSecret());
                } else {
                    certificate(c, b);
                }
            }
        }
        if (c.apiUrlOverride() != null) {
            b.apiBaseUrl(c.apiUrlOverride());
        }
        if (c.loginUrlOverride() != null) {
            b.loginBaseUrl(c.loginUrlOverride());
        }
        if (c.graphUrlOverride() != null) {
            b.graphBaseUrl(c.graphUrlOverride());
        }
        if (c.proxyUrl() != null) {
            URI proxy = URI.create(c.proxyUrl());
            b.proxy(proxy.getHost(), ClientMapping.proxyPort(proxy));
            if (c.proxyUser() != null) {
                b.proxyCredentials(c.proxyUser(), c.proxyPassword());
            }
        }
        if (forValidation) {
            b.burstAtStart(true);
            Duration t = Duration.ofSeconds(15);
            b.retry(1, Duration.ofMillis(200), Duration.ofSeconds(1), t)
                    .connectTimeout(t)
                    .readTimeout(t)
                    .callTimeout(t);
        } else {
            ClientMapping.http(c, b);
        }
        return b.build();
    }

    @Override
    public java.util.function.Supplier<java.util.Optional<java.time.Instant>> credentialExpiry(O365SourceConfig c) {
        boolean usesCertificate = switch (c.authMethod()) {
            case CERTIFICATE -> true;
            case MANAGED_IDENTITY, WORKLOAD_IDENTITY -> false;
            default -> c.clientSecret() == null;
        };
        if (!usesCertificate || (c.certificatePem() == null && c.certificatePath() == null)) {
            return java.util.Optional::empty;
        }
        AllowedPaths files = allowedPaths != null ? allowedPaths : AllowedPaths.fromEnvironment();
        // read once, as the sign-in does when the task starts: the certificate in use until the task restarts
        java.util.Optional<java.time.Instant> notAfter;
        try {
            io.github.auditlake.o365.auth.CertificateLoader.KeyAndCertificate k = c.certificatePem() != null
                    ? io.github.auditlake.o365.auth.CertificateLoader.loadPem(
                            c.certificatePem(), c.certificatePassword())
                    : io.github.auditlake.o365.auth.CertificateLoader.load(
                            Path.of(c.certificatePath()), c.certificatePassword(), files);
            notAfter = java.util.Optional.of(k.certificate().getNotAfter().toInstant());
        } catch (RuntimeException e) {
            notAfter = java.util.Optional.empty(); // the sign-in reports what is wrong with it
        }
        java.util.Optional<java.time.Instant> inUse = notAfter;
        return () -> inUse;
    }

    private static void certificate(O365SourceConfig c, ClientSettings.Builder b) {
        if (c.certificatePem() != null) {
            b.certificatePem(c.certificatePem(), c.certificatePassword());
        } else if (c.certificatePath() != null) {
            b.certificate(Path.of(c.certificatePath()), c.certificatePassword());
        }
    }
}
