package io.github.auditlake.o365.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.auditlake.o365.O365AuditSourceConnector;
import io.github.auditlake.o365.O365AuditSourceTaskAccess;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.config.DefaultApiFactory;
import io.github.auditlake.o365.config.O365SourceTaskConfig;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.Jwts;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import io.github.auditlake.o365.testkit.ConnectorConfigs;
import io.github.auditlake.o365.testkit.FakeTaskContext;
import io.github.auditlake.o365.testkit.WorkerAllowedPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sign-in without a long-lived secret: a federated client assertion (as Kubernetes projects it for Azure workload
 * identity) read from a file for every token request, against the simulator's federated credential.
 */
class WorkloadIdentityTest {
    static final String TENANT = "9a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    static final String CLIENT = "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69";
    static final String ISSUER = "https://oidc.k8s.example/cluster-1";
    static final String SUBJECT = "system:serviceaccount:kafka:connect";

    static String assertion(KeyPair keys, String subject, String jti) {
        ObjectNode claims = Jwts.JSON
                .createObjectNode()
                .put("iss", ISSUER)
                .put("sub", subject)
                .put("aud", "api://AzureADTokenExchange")
                .put("jti", jti)
                .put("iat", Instant.now().getEpochSecond())
                .put("exp", Instant.now().plusSeconds(3600).getEpochSecond());
        return Jwts.signRsa("RS256", Jwts.JSON.createObjectNode(), claims, keys.getPrivate());
    }

    @Test
    void signsInWithAFederatedAssertionFileReReadForEveryTokenRequest(@TempDir Path dir) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair keys = g.generateKeyPair();
        AppSpec app = AppSpec.of(CLIENT).federated(ISSUER, SUBJECT, keys.getPublic());
        try (ManagementApiSimulator sim = ManagementApiSimulator.builder()
                        .clock(SimClock.system())
                        .seed(9)
                        .tokenLifetime(Duration.ofMinutes(2))
                        .tenant(TenantSpec.of(TENANT)
                                .app(app)
                                .volumeAll(Volume.of(6, 2))
                                .backfill(Duration.ofHours(2)))
                        .build()
                        .start();
                // the operator allows the directory of the token file on the worker
                WorkerAllowedPaths allowed = WorkerAllowedPaths.allow(dir)) {
            Path token = dir.resolve("azure-identity-token");
            Files.writeString(token, assertion(keys, SUBJECT, "first"));
            Map<String, String> props = ConnectorConfigs.forSimulator(sim.baseUrl())
                    .tenant(TENANT)
                    .clientId(CLIENT)
                    .with("o365.auth.method", "workload-identity")
                    .with("o365.client.assertion.file", token.toString())
                    .contentTypes(ContentType.EXCHANGE)
                    .lookback(Duration.ofHours(2))
                    .build();

            assertEquals(Map.of(), errors(props), "validate() signs in with the file");
            assertEquals("first", app.federated(ISSUER).lastJti().get());

            Map<String, String> task = new HashMap<>(props);
            task.put(O365SourceTaskConfig.TASK_STREAMS_CONFIG, TENANT + "|Audit.Exchange");
            O365AuditSourceTaskAccess t =
                    O365AuditSourceTaskAccess.start(task, new DefaultApiFactory(), new FakeTaskContext(false));
            try {
                poll(t, 1);
                // the platform rotates the token file: the next sign-in uses the new assertion
                Files.writeString(token, assertion(keys, SUBJECT, "rotated"));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!"rotated".equals(app.federated(ISSUER).lastJti().get())) {
                    assertTrue(System.nanoTime() < deadline, "the rotated file was used");
                    t.poll();
                }
            } finally {
                t.stop();
            }

            // an assertion for another subject is refused, on the field to fix
            Files.writeString(token, assertion(keys, "system:serviceaccount:other:sa", "wrong"));
            Map<String, List<String>> e = errors(props);
            assertTrue(e.containsKey("o365.client.assertion.file"), e.toString());
            assertFalse(e.toString().contains("eyJ"), "no assertion in messages: " + e);
        }
    }

    @Test
    void validateRequiresTheFileAndNoSecretWithThisMethod() {
        Map<String, String> props = new HashMap<>();
        props.put("o365.tenant.id", TENANT);
        props.put("o365.client.id", CLIENT);
        props.put("o365.auth.method", "workload-identity");
        props.put("o365.client.assertion.file", "/nonexistent/token");
        props.put("o365.client.secret", "s3cret");
        Map<String, List<String>> e = errors(props);
        assertTrue(e.containsKey("o365.client.assertion.file"), e.toString());
        assertTrue(e.containsKey("o365.client.secret"), e.toString());
    }

    static void poll(O365AuditSourceTaskAccess t, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int got = 0;
        while (got < n) {
            assertTrue(System.nanoTime() < deadline);
            List<SourceRecord> b = t.poll();
            got += b == null ? 0 : b.size();
        }
    }

    static Map<String, List<String>> errors(Map<String, String> props) {
        Map<String, List<String>> m = new HashMap<>();
        for (ConfigValue v : new O365AuditSourceConnector().validate(props).configValues()) {
            if (!v.errorMessages().isEmpty()) {
                m.put(v.name(), v.errorMessages());
            }
        }
        return m;
    }
}
