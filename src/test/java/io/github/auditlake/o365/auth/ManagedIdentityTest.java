package io.github.auditlake.o365.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.O365AuditSourceTaskAccess;
import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.config.DefaultApiFactory;
import io.github.auditlake.o365.config.O365SourceConfig;
import io.github.auditlake.o365.config.O365SourceTaskConfig;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.RecordedRequest;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import io.github.auditlake.o365.testkit.FakeTaskContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * Sign-in as an Azure managed identity (system- or user-assigned) through MSAL4J, against the simulator's IMDS-shaped
 * endpoint: a task collects with each kind of identity, and an identity the machine does not have fails on the field
 * to fix.
 */
class ManagedIdentityTest {
    static final String TENANT = "3b8e1c2d-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
    static final String OTHER_TENANT = "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f";
    static final String SYSTEM_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    static final String USER_ID = "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b";
    static final String UNKNOWN_ID = "11111111-2222-4333-8444-555555555555";

    static ManagementApiSimulator simulator(TenantSpec... tenants) {
        ManagementApiSimulator.Builder b =
                ManagementApiSimulator.builder().clock(SimClock.system()).seed(11);
        for (TenantSpec t : tenants) {
            b.tenant(t.volumeAll(Volume.of(6, 2)).backfill(Duration.ofHours(2)));
        }
        return b.build().start();
    }

    static Map<String, String> props(ManagementApiSimulator sim, String userAssigned) {
        Map<String, String> p = new HashMap<>();
        p.put("o365.tenant.id", TENANT);
        p.put("o365.auth.method", "managed-identity");
        if (userAssigned != null) {
            p.put("o365.managed.identity.client.id", userAssigned);
        }
        p.put("o365.managed.identity.endpoint", sim.identityEndpoint());
        p.put("o365.api.url", sim.baseUrl());
        p.put("o365.content.types", "Audit.Exchange");
        p.put("o365.initial.lookback.ms", Long.toString(Duration.ofHours(2).toMillis()));
        return p;
    }

    /** Validates, then runs a task until it has delivered records. */
    static void collects(Map<String, String> props) throws Exception {
        assertEquals(Map.of(), WorkloadIdentityTest.errors(props), "validate() signs in as the identity");
        Map<String, String> task = new HashMap<>(props);
        task.put(O365SourceTaskConfig.TASK_STREAMS_CONFIG, TENANT + "|Audit.Exchange");
        O365AuditSourceTaskAccess t =
                O365AuditSourceTaskAccess.start(task, new DefaultApiFactory(), new FakeTaskContext(false));
        try {
            WorkloadIdentityTest.poll(t, 1);
        } finally {
            t.stop();
        }
    }

    static List<RecordedRequest> identityRequests(ManagementApiSimulator sim) {
        return sim.requests().stream()
                .filter(r -> r.path().equals(ManagementApiSimulator.IMDS_TOKEN_PATH))
                .toList();
    }

    @Test
    void aTaskCollectsWithTheSystemAssignedIdentity() throws Exception {
        try (ManagementApiSimulator sim =
                simulator(TenantSpec.of(TENANT).app(AppSpec.of(SYSTEM_ID).systemAssignedIdentity()))) {
            collects(props(sim, null));
            List<RecordedRequest> mi = identityRequests(sim);
            assertFalse(mi.isEmpty(), "signed in at the identity endpoint");
            for (RecordedRequest r : mi) {
                assertEquals(200, r.status());
                assertEquals("true", r.header("Metadata").orElse(null), "IMDS requires the Metadata header");
                assertEquals("https://manage.office.com", r.query("resource").orElse(null));
                assertEquals("2018-02-01", r.query("api-version").orElse(null));
                assertTrue(r.query("client_id").isEmpty(), "system-assigned sends no client_id: " + r.rawQuery());
            }
            assertTrue(
                    sim.requests().stream().noneMatch(r -> r.path().matches("/[^/]+/oauth2/(v2\\.0/)?token")),
                    "no app-registration sign-in: " + sim.requests());
            assertTrue(
                    sim.requests().stream().anyMatch(r -> r.isBlobFetch() && r.status() == 200),
                    "the API accepted the identity's token");
        }
    }

    @Test
    void aTaskCollectsWithAUserAssignedIdentityChosenByClientId() throws Exception {
        // the machine also has a system-assigned identity, of another tenant: a request without client_id would get
        // a token the API refuses for TENANT
        try (ManagementApiSimulator sim = simulator(
                TenantSpec.of(TENANT).app(AppSpec.of(USER_ID).userAssignedIdentity()),
                TenantSpec.of(OTHER_TENANT).app(AppSpec.of(SYSTEM_ID).systemAssignedIdentity()))) {
            collects(props(sim, USER_ID));
            List<RecordedRequest> mi = identityRequests(sim);
            assertFalse(mi.isEmpty());
            assertTrue(
                    mi.stream()
                            .allMatch(r -> USER_ID.equals(r.query("client_id").orElse(null))),
                    "every token request names the user-assigned identity");
        }
    }

    @Test
    void anIdentityTheMachineDoesNotHaveFailsWithAnActionableSignInError() throws Exception {
        try (ManagementApiSimulator sim =
                simulator(TenantSpec.of(TENANT).app(AppSpec.of(USER_ID).userAssignedIdentity()))) {
            Map<String, List<String>> e = WorkloadIdentityTest.errors(props(sim, UNKNOWN_ID));
            assertEquals(java.util.Set.of("o365.managed.identity.client.id"), e.keySet(), e.toString());
            String m = e.get("o365.managed.identity.client.id").get(0);
            assertTrue(m.contains("user-assigned managed identity " + UNKNOWN_ID), m);
            assertTrue(m.contains("Identity not found"), "the endpoint's reason: " + m);
            assertTrue(m.contains("attach the user-assigned identity"), "what to do: " + m);

            // the engine's client: a permanent sign-in failure, not retried as transient
            O365SourceConfig c = new O365SourceConfig(props(sim, null));
            try (ManagementApi api = new DefaultApiFactory().create(c, 60, false)) {
                ApiException ex = assertThrows(ApiException.class, api::listSubscriptions);
                assertTrue(ex instanceof SignInException, ex.toString());
                assertEquals(ErrorKind.AUTHENTICATION, ex.kind());
                assertTrue(
                        ex.getMessage().contains("system-assigned managed identity")
                                && ex.getMessage().contains("turn on the system-assigned identity"),
                        ex.getMessage());
            }
            assertTrue(identityRequests(sim).stream().allMatch(r -> r.status() == 400), "IMDS answered 400");
        }
    }

    @Test
    void theIdentityEndpointOverrideRedirectsOnlyImdsRequestsAndKeepsTheirQuery() {
        OkHttpMsalHttpClient c = OkHttpMsalHttpClient.forManagedIdentity(
                new OkHttpClient(), "http://127.0.0.1:8123/sim/metadata/identity/oauth2/token");
        assertEquals(
                "http://127.0.0.1:8123/sim/metadata/identity/oauth2/token?api-version=2018-02-01&resource="
                        + "https://manage.office.com&client_id=" + USER_ID,
                c.target(OkHttpMsalHttpClient.IMDS_TOKEN_ENDPOINT
                                + "?api-version=2018-02-01&resource=https://manage.office.com&client_id=" + USER_ID)
                        .toString());
        String appService = "http://127.0.0.1:41741/msi/token/?api-version=2019-08-01&resource=x";
        assertEquals(appService, c.target(appService).toString(), "App Service's IDENTITY_ENDPOINT is left alone");
        OkHttpMsalHttpClient none = OkHttpMsalHttpClient.forManagedIdentity(new OkHttpClient(), null);
        assertEquals(
                OkHttpMsalHttpClient.IMDS_TOKEN_ENDPOINT + "?resource=x",
                none.target(OkHttpMsalHttpClient.IMDS_TOKEN_ENDPOINT + "?resource=x")
                        .toString());
    }
}
