package io.github.auditlake.o365;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import io.github.auditlake.o365.api.ClientSettings;
import io.github.auditlake.o365.api.ManagementApis;
import io.github.auditlake.o365.api.RequestLimiter;
import org.junit.jupiter.api.Test;

class DefaultApiFactoryTest {

    /**
     * Regression (found by PluginSmokeIT and ConnectClusterTest): a process-wide limiter per tenant kept its first
     * creator's budget, so the 60/min validation client, or one task's share, capped every task of a worker. Each
     * client now has its own limiter with exactly the budget it was given (the connector splits its budget by task).
     */
    @Test
    void everyClientHasItsOwnBudget() {
        ClientSettings.Builder b = ClientSettings.builder().tenantId("0d6f3a2b-1c4e-4f5a-9b8c-7d6e5f4a3b2c")
                .clientId("11111111-2222-4333-8444-555555555555").clientSecret("s");
        RequestLimiter validation = ManagementApis.limiter(b.requestsPerMinute(60).build());
        RequestLimiter task = ManagementApis.limiter(b.requestsPerMinute(900).build());
        assertNotSame(validation, task);
        assertEquals(60, validation.requestsPerMinute());
        assertEquals(900, task.requestsPerMinute());
    }
}
