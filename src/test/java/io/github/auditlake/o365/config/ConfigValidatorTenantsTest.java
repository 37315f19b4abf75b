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

    /**
     * 500 tenants: every check waits at a gate the test opens once the gate holds all the checks that can be in flight
     * (the bound, or what is left), and the test counts the gates. So the count is the number of sequential sign-in
     * waits, each as long as one tenant's check: 16, about 30 s at 2 s each, within Connect's 90 s REST timeout.
     */
    @Test
    void fiveHundredTenantsAreSignedInToInSixteenSequentialRounds() throws Exception {
        int n = 500;
        List<String> tenants = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tenants.add(String.format("%08x-2222-4333-8444-%012d", i, i));
        }
        String failing = tenants.get(123);
        Object lock = new Object();
        java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CountDownLatch> gate =
                new java.util.concurrent.atomic.AtomicReference<>(new java.util.concurrent.CountDownLatch(1));
        int[] atGate = {0};
        int[] mostAtGate = {0};
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
                        java.util.concurrent.CountDownLatch g;
                        synchronized (lock) {
                            g = gate.get();
                            atGate[0]++;
                            mostAtGate[0] = Math.max(mostAtGate[0], atGate[0]);
                        }
                        try {
                            if (!g.await(60, TimeUnit.SECONDS)) {
                                throw new IllegalStateException("the gate never opened");
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException(e);
                        }
                        if (tenant.equals(failing)) {
                            throw new ApiException(
                                    ErrorKind.PERMANENT, 401, "AF10001", "consent revoked", null, null, null);
                        }
                        return List.of(new Subscription(ContentType.EXCHANGE.wireName(), "enabled", null));
                    }
                };
            }
        };
        Map<String, String> p = new HashMap<>();
        p.put("o365.tenant.ids", String.join(",", tenants));
        p.put("o365.client.id", "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69");
        p.put("o365.client.secret", "s3cret");
        Config base = new Config(O365SourceConfig.CONFIG_DEF.validate(p));
        java.util.concurrent.CompletableFuture<Config> out = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> new ConfigValidator(factory, EndpointAllowList.of("")).validate(p, base));

        int released = 0;
        int rounds = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120); // a hang guard, not a timing
        while (released < n) {
            int full = Math.min(ConfigValidator.LIVE_CHECK_PARALLELISM, n - released);
            java.util.concurrent.CountDownLatch open;
            synchronized (lock) {
                if (atGate[0] < full) {
                    assertTrue(System.nanoTime() < deadline, "round " + rounds + ": " + atGate[0] + " at the gate");
                    lock.wait(1);
                    continue;
                }
                open = gate.getAndSet(new java.util.concurrent.CountDownLatch(1));
                released += atGate[0];
                atGate[0] = 0;
            }
            rounds++;
            open.countDown();
        }
        Config result = out.get(120, TimeUnit.SECONDS);

        assertEquals((n + ConfigValidator.LIVE_CHECK_PARALLELISM - 1) / ConfigValidator.LIVE_CHECK_PARALLELISM, rounds);
        assertEquals(16, rounds, "sequential sign-in waits for 500 tenants");
        assertTrue(mostAtGate[0] <= ConfigValidator.LIVE_CHECK_PARALLELISM, "bounded: " + mostAtGate[0]);
        List<String> errors = new ArrayList<>();
        for (ConfigValue v : result.configValues()) {
            errors.addAll(v.errorMessages());
        }
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains(failing), "the one failing tenant is named: " + errors);
    }
}
