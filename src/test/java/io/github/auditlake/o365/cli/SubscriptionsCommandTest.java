package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.TenantSpec;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code subscriptions list|start|stop} against the simulator. */
class SubscriptionsCommandTest {
    private CliHarness cli;

    @AfterEach
    void stop() {
        cli.close();
    }

    private static TenantSpec unsubscribed() {
        return TenantSpec.of(CliHarness.TENANT)
                .app(AppSpec.of(CliHarness.CLIENT).secret(CliHarness.SECRET));
    }

    @Test
    void startListStopRoundTrip() throws Exception {
        cli = new CliHarness(unsubscribed());
        CliHarness.Run empty = cli.run("subscriptions", "list");
        assertEquals(0, empty.code(), empty.toString());
        assertEquals(
                "contentType\tstatus\twebhookAddress\twebhookStatus\twebhookExpiration",
                empty.lines().get(0));
        assertTrue(empty.out().contains("Audit.Exchange\tnone"), empty.toString());

        CliHarness.Run start = cli.run("subscriptions", "start", "--content-type", "audit.exchange");
        assertEquals(0, start.code(), start.toString());
        assertTrue(start.out().contains("Audit.Exchange\tenabled"), start.toString());

        CliHarness.Run again = cli.run("subscriptions", "start", "--content-type", "Audit.Exchange");
        assertEquals(0, again.code(), "already enabled (AF20024) is success: " + again);

        CliHarness.Run list = cli.run("subscriptions", "list", "--json");
        assertEquals(0, list.code(), list.toString());
        JsonNode arr = new ObjectMapper().readTree(list.out());
        assertEquals(5, arr.size(), list.out());
        for (JsonNode n : arr) {
            String expected = n.get("contentType").asText().equals("Audit.Exchange") ? "enabled" : "none";
            assertEquals(expected, n.get("status").asText(), n.toString());
        }

        CliHarness.Run stop = cli.run("subscriptions", "stop", "--content-type", "Audit.Exchange");
        assertEquals(0, stop.code(), stop.toString());
        CliHarness.Run after = cli.run("subscriptions", "list");
        assertTrue(after.out().contains("Audit.Exchange\tdisabled"), after.toString());
    }

    @Test
    void allStartsEveryContentType() {
        cli = new CliHarness(unsubscribed());
        CliHarness.Run start = cli.run("subscriptions", "start", "--content-type", "all");
        assertEquals(0, start.code(), start.toString());
        assertEquals(6, start.lines().size(), start.toString());
        CliHarness.Run list = cli.run("subscriptions", "list");
        for (String t : List.of(
                "Audit.AzureActiveDirectory", "Audit.Exchange", "Audit.SharePoint", "Audit.General", "DLP.All")) {
            assertTrue(list.out().contains(t + "\tenabled"), list.toString());
        }
    }

    @Test
    void auditOffTenantFailsWithTheConnectorsAdvice() {
        cli = new CliHarness(unsubscribed().auditEnabled(false));
        CliHarness.Run r = cli.run("subscriptions", "start", "--content-type", "Audit.General");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().startsWith("o365-audit: Starting the subscription for Audit.General failed"), r.toString());
        assertTrue(r.err().contains("unified audit logging"), r.toString());
        assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r);
    }

    @Test
    void wrongSecretIsOneLineAndNeverShowsTheSecret() {
        cli = new CliHarness(unsubscribed());
        cli.env.put("O365_CLIENT_SECRET", "Wrong-Secret-Value-42");
        CliHarness.Run r = cli.run("subscriptions", "list", "--verbose");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("o365-audit: "), r.toString());
        assertTrue(
                !r.err().contains("Wrong-Secret-Value-42") && !r.out().contains("Wrong-Secret-Value-42"), r.toString());
        CliHarness.Run flag = cli.run("subscriptions", "list", "--verbose", "--client-secret", "Flag-Secret-77");
        assertEquals(1, flag.code(), flag.toString());
        assertTrue(!flag.err().contains("Flag-Secret-77") && !flag.out().contains("Flag-Secret-77"), flag.toString());
        assertTrue(flag.err().contains("client secret *** (from --client-secret)"), flag.toString());
    }
}
