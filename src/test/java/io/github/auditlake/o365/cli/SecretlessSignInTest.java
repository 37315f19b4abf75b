package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.Jwts;
import io.github.auditlake.o365.simulator.TenantSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI signs in without a secret, as the connector does: a managed identity, or a federated token file. */
class SecretlessSignInTest {
    static final String USER_ASSIGNED = "0c4e2f1a-7b3d-4e5f-8a9b-1c2d3e4f5a6b";
    static final String ISSUER = "https://oidc.k8s.example/cluster-1";
    static final String SUBJECT = "system:serviceaccount:kafka:o365-audit";

    private CliHarness cli;

    @AfterEach
    void stop() {
        if (cli != null) {
            cli.close();
        }
    }

    private void secretless(TenantSpec tenant) {
        cli = new CliHarness(tenant);
        cli.env.remove("O365_CLIENT_SECRET");
    }

    @Test
    void aSystemAssignedManagedIdentityListsTheSubscriptions() {
        secretless(TenantSpec.of(CliHarness.TENANT)
                .app(AppSpec.of(CliHarness.CLIENT).systemAssignedIdentity())
                .subscribedAll(true));
        cli.env.remove("O365_CLIENT_ID");
        CliHarness.Run r = cli.run(
                "subscriptions",
                "list",
                "--auth-method",
                "managed-identity",
                "--identity-endpoint",
                cli.sim.identityEndpoint());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("Audit.Exchange\tenabled"), r.toString());
    }

    @Test
    void aUserAssignedManagedIdentityComesFromTheConnectorConfiguration(@TempDir Path dir) throws Exception {
        secretless(TenantSpec.of(CliHarness.TENANT)
                .app(AppSpec.of(USER_ASSIGNED).userAssignedIdentity())
                .subscribedAll(true));
        cli.env.remove("O365_CLIENT_ID");
        Path config = dir.resolve("connector.properties");
        Files.writeString(
                config,
                "o365.auth.method=managed-identity\n"
                        + "o365.managed.identity.client.id=" + USER_ASSIGNED + "\n"
                        + "o365.managed.identity.endpoint=" + cli.sim.identityEndpoint() + "\n");
        CliHarness.Run r = cli.run(
                "subscriptions",
                "list",
                "--config",
                config.toString(),
                "--verbose",
                "--allow-endpoint",
                java.net.URI.create(cli.sim.identityEndpoint()).getAuthority());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("Audit.Exchange\tenabled"), r.toString());
        assertTrue(r.err().contains("the user-assigned managed identity " + USER_ASSIGNED), r.toString());
    }

    @Test
    void workloadIdentityReadsTheFederatedTokenFileFromTheEnvironment(@TempDir Path dir) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair keys = g.generateKeyPair();
        secretless(TenantSpec.of(CliHarness.TENANT)
                .app(AppSpec.of(CliHarness.CLIENT).federated(ISSUER, SUBJECT, keys.getPublic()))
                .subscribedAll(true));
        Path token = dir.resolve("azure-identity-token");
        ObjectNode claims = Jwts.JSON
                .createObjectNode()
                .put("iss", ISSUER)
                .put("sub", SUBJECT)
                .put("aud", "api://AzureADTokenExchange")
                .put("jti", "cli-1")
                .put("iat", Instant.now().getEpochSecond())
                .put("exp", Instant.now().plusSeconds(3600).getEpochSecond());
        Files.writeString(token, Jwts.signRsa("RS256", Jwts.JSON.createObjectNode(), claims, keys.getPrivate()));
        cli.env.put("O365_AUTH_METHOD", "workload-identity");
        cli.env.put("AZURE_FEDERATED_TOKEN_FILE", token.toString());
        CliHarness.Run r = cli.run("subscriptions", "list");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("Audit.Exchange\tenabled"), r.toString());
    }

    @Test
    void aSecretlessMethodWithASecretOrWithoutItsFileIsAUsageError() {
        cli = new CliHarness(CliHarness.tenant(1));
        CliHarness.Run both = cli.run("subscriptions", "list", "--auth-method", "managed-identity");
        assertEquals(2, both.code(), both.toString());
        assertTrue(both.err().contains("takes no client secret or certificate"), both.toString());

        cli.env.remove("O365_CLIENT_SECRET");
        CliHarness.Run noFile = cli.run("subscriptions", "list", "--auth-method", "workload-identity");
        assertEquals(2, noFile.code(), noFile.toString());
        assertTrue(noFile.err().contains("AZURE_FEDERATED_TOKEN_FILE"), noFile.toString());

        CliHarness.Run unknown = cli.run("subscriptions", "list", "--auth-method", "kerberos");
        assertEquals(2, unknown.code(), unknown.toString());
        assertTrue(unknown.err().contains("managed-identity"), unknown.toString());
    }
}
