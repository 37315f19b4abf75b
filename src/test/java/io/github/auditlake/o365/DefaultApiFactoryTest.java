package io.github.auditlake.o365;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.RequestLimiter;
import io.github.auditlake.o365.config.O365SourceConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DefaultApiFactoryTest {

    /**
     * Regression (found by PluginSmokeIT): the validation client of {@code validate()} (60 requests/minute) created
     * the tenant's process-wide limiter first, and the first creator's budget wins, so every task in the worker was
     * held to 60 requests/minute.
     */
    @Test
    void validationClientDoesNotFixTheSharedBudgetOfTheTasks() throws Exception {
        String tenant = "0d6f3a2b-1c4e-4f5a-9b8c-7d6e5f4a3b2c";
        O365SourceConfig config = new O365SourceConfig(Map.of("o365.tenant.id", tenant,
                "o365.client.id", "11111111-2222-4333-8444-555555555555", "o365.client.secret", "s",
                "o365.api.url", "http://127.0.0.1:1", "o365.login.url", "http://127.0.0.1:1"));
        DefaultApiFactory factory = new DefaultApiFactory();
        try (ManagementApi validation = factory.create(config, 60, true)) {
            try (ManagementApi task = factory.create(config, 900, false)) {
                assertEquals(900, RequestLimiter.shared(tenant, tenant, 1).requestsPerMinute());
            }
        }
    }
}
