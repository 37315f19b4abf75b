package io.github.auditlake.o365.config;

import io.github.auditlake.o365.api.ManagementApi;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/** Builds the API client of a tenant from the connector configuration; a seam for tests. */
@FunctionalInterface
public interface ApiFactory {
    /**
     * @param requestsPerMinute this client's share of the request budget
     * @param forValidation     true for the short live check of {@code validate()} (no long retries)
     */
    ManagementApi create(O365SourceConfig config, int requestsPerMinute, boolean forValidation);

    /** The client of one tenant of a multi-tenant configuration (default: the single-tenant factory). */
    default ManagementApi create(O365SourceConfig config, String tenant, int requestsPerMinute, boolean forValidation) {
        return create(config, requestsPerMinute, forValidation);
    }

    /** The audit-search client of one tenant (history through Microsoft Graph); the same credential. */
    default io.github.auditlake.o365.history.AuditSearchApi auditSearch(O365SourceConfig config, String tenant) {
        throw new UnsupportedOperationException("this factory builds no audit-search client");
    }

    /**
     * The application permissions ({@code roles}) of a Microsoft Graph token for the tenant from the configured
     * credential (for {@code validate()}); empty when the token is not a JWT.
     */
    default java.util.List<String> graphRoles(O365SourceConfig config, String tenant) {
        return java.util.List.of();
    }

    /**
     * When the configured credential expires (a certificate's {@code notAfter}), read again at each call so a renewed
     * file is seen; empty when unknown (a secret, a managed or workload identity).
     */
    default Supplier<Optional<Instant>> credentialExpiry(O365SourceConfig config) {
        return Optional::empty;
    }

    /**
     * The Graph directory client of one tenant, for enrichment: same sign-in, a Graph token of its own; empty when
     * this factory has none (test fakes without Graph).
     */
    default Optional<io.github.auditlake.o365.enrich.DirectoryApi> directory(
            O365SourceConfig config, String tenant, boolean forValidation) {
        return Optional.empty();
    }
}
