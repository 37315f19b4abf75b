package io.github.auditlake.o365.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.EndpointAllowList;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.Subscription;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

/** {@code validate()} with several tenants: every tenant is signed in to in parallel, each failure named by GUID. */
class ConfigValidatorTenantsTest {
    static final List<String> TENANTS = List.of(
            "aaaaaaaa-2222-4333-8444-555555555501",
            "bbbbbbbb-2222-4333-8444-555555555502",
            "cccccccc-2222-4333-8444-555555555503");

    /**
     * Each tenant's check waits at a barrier that opens only when all three are in flight at once: checks made one
     * after the other never get there, and each then fails with a timeout instead of signing in.
     */
    @Test
    void signsInToEveryTenantInParallelAndNamesEachFailingTenantByGuid() {
        CyclicBarrier allInFlight = new CyclicBarrier(TENANTS.size());
        List<String> timedOut = new java.util.concurrent.CopyOnWriteArrayList<>();
        ApiFactory factory = new ApiFactory() {
            @Override
            public ManagementApi create(O365SourceConfig c, int rpm, boolean v) {
                throw new AssertionError("several tenants: each tenant's client is asked for");
            }

            @Override
            public ManagementApi create(O365SourceConfig c, String tenant, int rpm, boolean v) {
                return new FakeManagementApi(tenant, Clock.systemUTC()) {
                    @Override
                    public List<Subscription> listSubscriptions() {
                        try {
                            allInFlight.await(20, TimeUnit.SECONDS);
                        } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                            timedOut.add(tenant);
                            throw new IllegalStateException("not in parallel", e);
                        }
                        if (tenant.equals(TENANTS.get(1))) {
                            throw new ApiException(
                                    ErrorKind.PERMANENT,
                                    401,
                                    "AF10001",
                                    "The permission set () sent in the request does not include the expected "
                                            + "permission ActivityFeed.Read.",
                                    null,
                                    null,
                                    null);
                        }
                        return List.of(new Subscription(ContentType.EXCHANGE.wireName(), "enabled", null));
                    }
                };
            }
        };
        Map<String, String> p = new HashMap<>();
        p.put("o365.tenant.ids", String.join(",", TENANTS));
        p.put("o365.client.id", "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69");
        p.put("o365.client.secret", "s3cret");

        Config base = new Config(O365SourceConfig.CONFIG_DEF.validate(p));
        Config out = new ConfigValidator(factory, EndpointAllowList.of("")).validate(p, base);

        assertEquals(List.of(), timedOut, "every tenant's check was in flight at the same time");
        List<String> errors = new ArrayList<>();
        for (ConfigValue v : out.configValues()) {
            errors.addAll(v.errorMessages());
        }
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains(TENANTS.get(1)), "the failing tenant is named: " + errors);
        assertTrue(
                errors.stream().noneMatch(e -> e.contains(TENANTS.get(0)) || e.contains(TENANTS.get(2))),
                "only the failing tenant: " + errors);
    }
}
