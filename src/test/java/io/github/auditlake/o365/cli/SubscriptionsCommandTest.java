package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.TenantSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code subscriptions list|start|stop} against the simulator. */
class SubscriptionsCommandTest {
    private CliHarness cli;

    private HttpServer receiver;

    @AfterEach
    void stop() {
        cli.close();
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    /** A webhook receiver on loopback that answers every POST with 200; returns its address. */
    private String webhookReceiver(AtomicInteger posts) throws Exception {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            posts.incrementAndGet();
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    private long startRequests(String contentType) {
        return cli.sim.requests().stream()
                .filter(r -> r.path().endsWith("/subscriptions/start"))
                .filter(r -> r.query("contentType").orElse("").equals(contentType))
                .count();
    }

    private static String line(CliHarness.Run r, String contentType) {
        return r.lines().stream()
                .filter(l -> l.startsWith(contentType + "\t"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(contentType + " has no row: " + r));
    }

    /**
     * Audit.General was stopped just after a start, so the 15-minute rule refuses its start: every other requested
     * type is still started (DLP.All comes after it), each row says its result, and the exit code is 1.
     */
    @Test
    void startTriesEveryTypeAndReportsEachResultWhenOneFails() {
        cli = new CliHarness(unsubscribed());
        assertEquals(
                0,
                cli.run("subscriptions", "start", "--content-type", "Audit.General")
                        .code());
        assertEquals(
                0,
                cli.run("subscriptions", "stop", "--content-type", "Audit.General", "--yes")
                        .code());
        assertEquals(
                0,
                cli.run("subscriptions", "start", "--content-type", "Audit.Exchange")
                        .code());
        cli.clock.advance(Duration.ofMinutes(1));

        CliHarness.Run r = cli.run("subscriptions", "start", "--content-type", "all");

        assertEquals(1, r.code(), r.toString());
        assertEquals(
                "contentType\tstatus\twebhookAddress\twebhookStatus\twebhookExpiration\tresult",
                r.lines().get(0));
        assertEquals(6, r.lines().size(), r.toString());
        assertTrue(line(r, "Audit.AzureActiveDirectory").endsWith("\tstarted"), r.toString());
        assertTrue(line(r, "Audit.Exchange").endsWith("\talready enabled"), r.toString());
        assertTrue(line(r, "Audit.SharePoint").endsWith("\tstarted"), r.toString());
        assertTrue(line(r, "Audit.General").startsWith("Audit.General\tdisabled\t"), r.toString());
        assertTrue(line(r, "Audit.General").endsWith("\tfailed"), r.toString());
        assertTrue(line(r, "DLP.All").endsWith("\tstarted"), r.toString());
        assertTrue(r.err().contains("o365-audit: Audit.General not started: "), r.toString());
        assertTrue(r.err().contains("1 of 5 subscription(s) failed to start"), r.toString());
        CliHarness.Run list = cli.run("subscriptions", "list");
        for (String t : List.of("Audit.AzureActiveDirectory", "Audit.Exchange", "Audit.SharePoint", "DLP.All")) {
            assertTrue(list.out().contains(t + "\tenabled"), list.toString());
        }
        assertTrue(list.out().contains("Audit.General\tdisabled"), list.toString());
    }

    /**
     * A start 14 minutes after the last is refused by the API's 15-minute rule: said as such with the time the next
     * start is allowed, sent once (no retries), and not reported as throttling.
     */
    @Test
    void startTooSoonSaysWhenTheNextStartIsAllowedAndIsNotRetried() {
        cli = new CliHarness(unsubscribed());
        assertEquals(
                0,
                cli.run("subscriptions", "start", "--content-type", "Audit.General")
                        .code());
        assertEquals(
                0,
                cli.run("subscriptions", "stop", "--content-type", "Audit.General", "--yes")
                        .code());
        cli.clock.advance(Duration.ofMinutes(14));
        cli.sim.resetLog();

        CliHarness.Run r = cli.run("subscriptions", "start", "--content-type", "Audit.General");

        assertEquals(1, r.code(), r.toString());
        assertEquals(1, startRequests("Audit.General"), "sent once, never retried: " + cli.sim.requests());
        assertTrue(r.err().contains("one start request per content type every 15 minutes"), r.toString());
        assertTrue(
                r.err().contains("The next start of Audit.General is allowed at 2026-11-28T12:29:00Z at the latest"),
                r.toString());
        assertFalse(r.err().contains("request budget"), "not throttling advice: " + r);
        assertFalse(r.err().contains("will retry") || r.err().contains("retrying in"), "no retry wording: " + r);
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r);
        assertTrue(line(r, "Audit.General").endsWith("\tfailed"), r.toString());
    }

    /** A start without webhook options keeps the subscription's webhook (a bare start would remove it). */
    @Test
    void startWithoutWebhookOptionsKeepsTheExistingWebhook() throws Exception {
        cli = new CliHarness(unsubscribed());
        String hook = webhookReceiver(new AtomicInteger());
        CliHarness.Run withHook = cli.run(
                "subscriptions",
                "start",
                "--content-type",
                "Audit.Exchange",
                "--webhook-address",
                hook,
                "--webhook-auth-id",
                "hook-auth-id-1");
        assertEquals(0, withHook.code(), withHook.toString());
        cli.clock.advance(Duration.ofMinutes(16));

        CliHarness.Run again = cli.run("subscriptions", "start", "--content-type", "Audit.Exchange");

        assertEquals(0, again.code(), again.toString());
        assertTrue(line(again, "Audit.Exchange").contains("\t" + hook + "\tenabled"), again.toString());
        assertTrue(line(again, "Audit.Exchange").endsWith("\talready enabled"), again.toString());
        CliHarness.Run list = cli.run("subscriptions", "list", "--json");
        JsonNode exchange = exchange(list);
        assertEquals(hook, exchange.at("/webhook/address").asText(), list.toString());
        assertEquals("***", exchange.at("/webhook/authId").asText(), "the authId is kept (and masked)");
    }

    /** --no-webhook removes the webhook; it cannot be combined with --webhook-address. */
    @Test
    void noWebhookRemovesTheWebhook() throws Exception {
        cli = new CliHarness(unsubscribed());
        String hook = webhookReceiver(new AtomicInteger());
        assertEquals(
                0,
                cli.run("subscriptions", "start", "--content-type", "Audit.Exchange", "--webhook-address", hook)
                        .code());
        cli.clock.advance(Duration.ofMinutes(16));
        CliHarness.Run both = cli.run(
                "subscriptions",
                "start",
                "--content-type",
                "Audit.Exchange",
                "--no-webhook",
                "--webhook-address",
                hook);
        assertEquals(2, both.code(), both.toString());
        assertTrue(both.err().contains("--no-webhook and --webhook-address cannot be used together"), both.toString());

        CliHarness.Run r = cli.run("subscriptions", "start", "--content-type", "Audit.Exchange", "--no-webhook");

        assertEquals(0, r.code(), r.toString());
        assertTrue(line(r, "Audit.Exchange").endsWith("\twebhook updated"), r.toString());
        assertTrue(exchange(cli.run("subscriptions", "list", "--json"))
                .get("webhook")
                .isNull());
    }

    private static JsonNode exchange(CliHarness.Run list) throws Exception {
        for (JsonNode n : new ObjectMapper().readTree(list.out())) {
            if (n.get("contentType").asText().equals("Audit.Exchange")) {
                return n;
            }
        }
        throw new AssertionError("no Audit.Exchange in " + list);
    }

    /** Without a terminal to ask and without --yes, stop refuses (exit 2), says what would be lost, stops nothing. */
    @Test
    void stopWithoutTerminalNeedsYes() {
        cli = new CliHarness(unsubscribed());
        assertEquals(
                0,
                cli.run("subscriptions", "start", "--content-type", "Audit.Exchange")
                        .code());

        CliHarness.Run r = cli.run("subscriptions", "stop", "--content-type", "Audit.Exchange");

        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("needs --yes when there is no terminal to ask"), r.toString());
        assertTrue(
                r.err().contains("content created while a subscription is stopped is never available"), r.toString());
        assertTrue(r.err().contains("Nothing was stopped"), r.toString());
        assertTrue(cli.run("subscriptions", "list").out().contains("Audit.Exchange\tenabled"));
    }

    /** On a terminal, stop asks (saying what is lost) and stops only on yes. */
    @Test
    void stopAsksOnATerminalAndStopsOnlyOnYes() {
        cli = new CliHarness(unsubscribed());
        assertEquals(
                0,
                cli.run("subscriptions", "start", "--content-type", "Audit.Exchange")
                        .code());
        cli.console = prompt -> "no";

        CliHarness.Run declined = cli.run("subscriptions", "stop", "--content-type", "Audit.Exchange");

        assertEquals(1, declined.code(), declined.toString());
        assertEquals(1, cli.prompts.size(), cli.prompts.toString());
        assertTrue(cli.prompts.get(0).startsWith("Stop the subscription of Audit.Exchange? "), cli.prompts.toString());
        assertTrue(cli.prompts.get(0).contains("never available, even after a later start"), cli.prompts.toString());
        assertTrue(declined.err().contains("nothing was stopped"), declined.toString());
        assertTrue(cli.run("subscriptions", "list").out().contains("Audit.Exchange\tenabled"));

        cli.console = prompt -> "yes";
        CliHarness.Run confirmed = cli.run("subscriptions", "stop", "--content-type", "Audit.Exchange");

        assertEquals(0, confirmed.code(), confirmed.toString());
        assertTrue(
                confirmed
                        .err()
                        .contains("warning: stopped Audit.Exchange: content created while a subscription is "
                                + "stopped is never available"),
                confirmed.toString());
        assertTrue(cli.run("subscriptions", "list").out().contains("Audit.Exchange\tdisabled"));
    }

    /** --yes stops without asking, and still says what is lost. */
    @Test
    void stopWithYesDoesNotAsk() {
        cli = new CliHarness(unsubscribed());
        assertEquals(
                0,
                cli.run("subscriptions", "start", "--content-type", "Audit.Exchange")
                        .code());
        cli.console = prompt -> {
            throw new AssertionError("asked despite --yes: " + prompt);
        };
        CliHarness.Run r = cli.run("subscriptions", "stop", "--content-type", "Audit.Exchange", "--yes");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("never available"), r.toString());
        assertTrue(cli.run("subscriptions", "list").out().contains("Audit.Exchange\tdisabled"));
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

        CliHarness.Run stop = cli.run("subscriptions", "stop", "--content-type", "Audit.Exchange", "--yes");
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
        assertTrue(
                r.err()
                        .startsWith(
                                "o365-audit: Audit.General not started: Starting the subscription for Audit.General failed"),
                r.toString());
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
