package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code doctor} against the simulator. The simulator's HTTP {@code Date} header is the machine's real time, so
 * these tests run the simulator and the CLI on a {@link SimClock} that follows the system clock (shifted where a
 * skew is wanted); no test asserts on timing.
 */
class DoctorCommandTest {
    private CliHarness cli;

    @AfterEach
    void stop() {
        if (cli != null) {
            cli.close();
        }
    }

    private static TenantSpec tenant(AppSpec app) {
        return TenantSpec.of(CliHarness.TENANT).app(app).subscribedAll(true).volumeAll(Volume.of(2, 3));
    }

    private static AppSpec app() {
        return AppSpec.of(CliHarness.CLIENT).secret(CliHarness.SECRET);
    }

    private static void assertLine(CliHarness.Run r, String status, String topic, String... words) {
        List<String> matching = r.lines().stream()
                .filter(l -> l.startsWith(status) && l.contains(" " + topic + ":"))
                .toList();
        assertFalse(matching.isEmpty(), status + " " + topic + " in:\n" + r);
        for (String w : words) {
            assertTrue(matching.stream().anyMatch(l -> l.contains(w)), "'" + w + "' in " + matching);
        }
    }

    @Test
    void healthyTenantPassesEveryCheck() {
        cli = new CliHarness(tenant(app()), SimClock.system());
        CliHarness.Run r = cli.run("doctor");
        assertEquals(0, r.code(), r.toString());
        assertLine(r, "OK", "settings", CliHarness.TENANT);
        assertLine(r, "OK", "sign-in endpoint");
        assertLine(r, "OK", "API endpoint");
        assertLine(r, "OK", "clock");
        assertLine(r, "OK", "sign-in");
        assertLine(r, "OK", "permissions", "ActivityFeed.Read granted");
        assertLine(r, "OK", "permissions", "ActivityFeed.ReadDlp granted");
        for (ContentType t : ContentType.values()) {
            assertLine(r, "OK", "subscription " + t.wireName(), "enabled");
            assertLine(r, "OK", "content " + t.wireName(), "blobs in the last 24 hours");
        }
        assertTrue(r.lines().stream().allMatch(l -> l.matches("(OK|WARN|FAIL) +[^:]+: .+")), r.toString());
        assertFalse(r.out().contains(CliHarness.SECRET) || r.err().contains(CliHarness.SECRET));
    }

    @Test
    void quietWorkloadMissingDlpPermissionAndStoppedSubscriptionAreExplained() {
        cli = new CliHarness(
                TenantSpec.of(CliHarness.TENANT)
                        .app(app().roles(AppSpec.ROLE_READ))
                        .subscribedAll(true)
                        .volumeAll(Volume.of(2, 3))
                        .volume(ContentType.EXCHANGE, Volume.NONE),
                SimClock.system());
        assertEquals(
                0,
                cli.run("subscriptions", "stop", "--content-type", "Audit.SharePoint", "--yes")
                        .code());

        CliHarness.Run r = cli.run("doctor");

        assertEquals(1, r.code(), "DLP.All is enabled but cannot be read: " + r);
        assertLine(r, "WARN", "permissions", "ActivityFeed.ReadDlp is missing");
        assertLine(
                r,
                "WARN",
                "content Audit.Exchange",
                "no content in the last 24 hours",
                "mailbox auditing",
                "Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled $true");
        assertLine(
                r,
                "WARN",
                "subscription Audit.SharePoint",
                "disabled",
                "o365-audit subscriptions start --content-type Audit.SharePoint");
        assertLine(r, "FAIL", "content DLP.All", "ActivityFeed.ReadDlp");
        assertLine(r, "OK", "content Audit.General");
    }

    @Test
    void auditSearchPermittedIsReported() {
        cli = new CliHarness(tenant(app()), SimClock.system());
        CliHarness.Run r = cli.run("doctor");
        assertEquals(0, r.code(), r.toString());
        assertLine(r, "OK", "audit search", "AuditLogsQuery.Read.All granted");
        assertLine(r, "OK", "enrichment", "Directory.Read.All granted");
    }

    @Test
    void auditSearchNotPermittedIsAWarningThatSaysWhatToGrant() {
        cli = new CliHarness(tenant(app().roles(AppSpec.ROLE_READ, AppSpec.ROLE_READ_DLP)), SimClock.system());
        CliHarness.Run r = cli.run("doctor");
        assertEquals(0, r.code(), "audit search is optional: " + r);
        assertLine(r, "WARN", "audit search", "AuditLogsQuery.Read.All is missing", "admin consent");
        assertLine(
                r, "WARN", "enrichment", "User.Read.All, Application.Read.All, GroupMember.Read.All missing", "denied");
        assertEquals(0, cli.sim.auditSearch().requestCount(), "no query spent on the check");
        assertEquals(0, cli.sim.directory().requestCount(), "no lookup spent on the check");
    }

    @Test
    void missingReadPermissionFails() {
        cli = new CliHarness(tenant(app().noRoles()), SimClock.system());
        CliHarness.Run r = cli.run("doctor");
        assertEquals(1, r.code(), r.toString());
        assertLine(r, "FAIL", "permissions", "ActivityFeed.Read is missing", "admin consent");
    }

    @Test
    void wrongSecretFailsSignInWithoutShowingIt() {
        cli = new CliHarness(tenant(app()), SimClock.system());
        cli.env.put("O365_CLIENT_SECRET", "Not-The-Right-Secret-9");
        CliHarness.Run r = cli.run("doctor", "--verbose");
        assertEquals(1, r.code(), r.toString());
        assertLine(r, "FAIL", "sign-in");
        assertFalse(
                r.out().contains("Not-The-Right-Secret-9") || r.err().contains("Not-The-Right-Secret-9"), r.toString());
    }

    @Test
    void skewedClockFails() {
        SimClock clock = SimClock.system();
        clock.advance(Duration.ofHours(2));
        cli = new CliHarness(tenant(app()), clock);
        CliHarness.Run r = cli.run("doctor");
        assertEquals(1, r.code(), r.toString());
        assertLine(r, "FAIL", "clock", "2 h ahead of the service", "NTP");
    }

    @Test
    void unreachableProxyFails() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        cli = new CliHarness(tenant(app()), SimClock.system());
        // https endpoints: a plain-http one (the simulator's) is refused together with a proxy
        CliHarness.Run r = cli.run(
                "doctor",
                "--proxy",
                "http://127.0.0.1:" + port,
                "--api-url",
                "https://127.0.0.1:1",
                "--login-url",
                "https://127.0.0.1:1");
        assertEquals(1, r.code(), r.toString());
        assertLine(r, "FAIL", "proxy", "127.0.0.1:" + port + " cannot be reached");
    }

    @Test
    void missingSettingsAreAFailedCheck() {
        cli = new CliHarness(tenant(app()), SimClock.system());
        cli.env.remove("O365_CLIENT_ID");
        CliHarness.Run r = cli.run("doctor");
        assertEquals(1, r.code(), r.toString());
        assertLine(r, "FAIL", "settings", "--client-id", "O365_CLIENT_ID");
    }

    /** No subscription started at all: nothing is collected, so the subscription checks fail and so does doctor. */
    @Test
    void noSubscriptionStartedFails() {
        cli = new CliHarness(TenantSpec.of(CliHarness.TENANT).app(app()).volumeAll(Volume.of(2, 3)), SimClock.system());
        CliHarness.Run r = cli.run("doctor");
        assertEquals(1, r.code(), r.toString());
        for (ContentType t : ContentType.values()) {
            assertLine(
                    r,
                    "FAIL",
                    "subscription " + t.wireName(),
                    "not started (no subscription is)",
                    "o365-audit subscriptions start --content-type " + t.wireName());
        }
    }

    /** A requested content type whose subscription is not enabled fails; the others are only warned about. */
    @Test
    void requestedTypeNotEnabledFails() {
        cli = new CliHarness(tenant(app()), SimClock.system());
        assertEquals(
                0,
                cli.run("subscriptions", "stop", "--content-type", "Audit.SharePoint,Audit.General", "--yes")
                        .code());
        CliHarness.Run r = cli.run("doctor", "--content-type", "sharepoint");
        assertEquals(1, r.code(), r.toString());
        assertLine(
                r,
                "FAIL",
                "subscription Audit.SharePoint",
                "disabled (requested with --content-type)",
                "never available",
                "15 minutes");
        assertLine(r, "WARN", "subscription Audit.General", "disabled");
        assertLine(r, "OK", "subscription Audit.Exchange", "enabled");
    }

    /** --json: one document with every check and the overall result; the exit code as without it. */
    @Test
    void jsonListsEveryCheck() throws Exception {
        cli = new CliHarness(tenant(app()), SimClock.system());
        CliHarness.Run ok = cli.run("doctor", "--json");
        assertEquals(0, ok.code(), ok.toString());
        JsonNode doc = new ObjectMapper().readTree(ok.out());
        assertTrue(doc.get("ok").asBoolean(), ok.out());
        List<String> checks = new java.util.ArrayList<>();
        for (JsonNode c : doc.get("checks")) {
            assertTrue(List.of("OK", "WARN", "FAIL").contains(c.get("status").asText()), c.toString());
            assertFalse(c.get("message").asText().isEmpty(), c.toString());
            checks.add(c.get("status").asText() + " " + c.get("check").asText());
        }
        assertTrue(checks.contains("OK sign-in"), checks.toString());
        for (ContentType t : ContentType.values()) {
            assertTrue(checks.contains("OK subscription " + t.wireName()), checks.toString());
        }

        assertEquals(
                0,
                cli.run("subscriptions", "stop", "--content-type", "Audit.Exchange", "--yes")
                        .code());
        CliHarness.Run failing = cli.run("doctor", "--json", "--content-type", "Audit.Exchange");
        assertEquals(1, failing.code(), failing.toString());
        JsonNode bad = new ObjectMapper().readTree(failing.out());
        assertFalse(bad.get("ok").asBoolean(), failing.out());
        boolean found = false;
        for (JsonNode c : bad.get("checks")) {
            if (c.get("check").asText().equals("subscription Audit.Exchange")) {
                assertEquals("FAIL", c.get("status").asText(), c.toString());
                found = true;
            }
        }
        assertTrue(found, failing.out());
    }

    /**
     * After a start refused by the 15-minute rule, doctor gives the time the refused start gave, instead of advising
     * to run the command that was just refused.
     */
    @Test
    void afterAStartRefusedByTheFifteenMinuteRuleGivesTheSameTime(@TempDir Path state) {
        cli = new CliHarness(tenant(app()), SimClock.system());
        cli.env.put("O365_AUDIT_STATE_DIR", state.toString());
        assertEquals(
                0,
                cli.run("subscriptions", "stop", "--content-type", "Audit.General", "--yes")
                        .code());
        assertEquals(
                0,
                cli.run("subscriptions", "start", "--content-type", "Audit.General")
                        .code());
        assertEquals(
                0,
                cli.run("subscriptions", "stop", "--content-type", "Audit.General", "--yes")
                        .code());
        CliHarness.Run refused = cli.run("subscriptions", "start", "--content-type", "Audit.General");
        assertEquals(1, refused.code(), refused.toString());
        Matcher m = Pattern.compile("is allowed at (\\S+) at the latest").matcher(refused.err());
        assertTrue(m.find(), refused.toString());

        CliHarness.Run r = cli.run("doctor");

        assertLine(
                r,
                "WARN",
                "subscription Audit.General",
                "the next start of Audit.General is allowed at " + m.group(1) + " at the latest");
        assertFalse(
                r.lines().stream()
                        .anyMatch(l -> l.contains("subscription Audit.General:") && l.contains("start it again with")),
                "no advice to run the refused command now: " + r);
    }
}
