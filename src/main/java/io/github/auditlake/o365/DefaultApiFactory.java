package io.github.auditlake.o365;

import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.config.O365SourceConfig;

/** Builds the OkHttp + MSAL4J client from the connector configuration. */
final class DefaultApiFactory implements ApiFactory {
    @Override
    public ManagementApi create(O365SourceConfig config, int requestsPerMinute, boolean forValidation) {
        throw new UnsupportedOperationException("client not wired yet");
    }
}
