package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.Notification;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code notifications list}. */
class NotificationsCommandTest {
    private final CliHarness cli = new CliHarness(CliHarness.tenant(1));

    @AfterEach
    void stop() {
        cli.close();
    }

    @Test
    void withoutWebhookTheSimulatorListsNothingInEveryWindow() throws Exception {
        CliHarness.Run r = cli.run("notifications", "list", "--content-type", "Audit.Exchange", "--start", "-36h");
        assertEquals(0, r.code(), r.toString());
        assertEquals(
                List.of("contentType\tcontentId\tcontentCreated\tnotificationSent\tnotificationStatus\t"
                        + "contentUri"),
                r.lines());
        assertEquals(
                2,
                cli.sim.requests().stream()
                        .filter(q -> q.path().endsWith("/subscriptions/notifications"))
                        .count(),
                "36 h = two windows");
        CliHarness.Run json =
                cli.run("notifications", "list", "--content-type", "Audit.Exchange", "--start", "-1h", "--json");
        assertEquals(0, json.code(), json.toString());
        assertEquals(0, new ObjectMapper().readTree(json.out()).size());
    }

    @Test
    void printsEachNotificationInFull() throws Exception {
        List<Instant[]> windows = new ArrayList<>();
        FakeManagementApi fake = new FakeManagementApi(CliHarness.TENANT, cli.clock) {
            @Override
            public List<Notification> listNotifications(ContentType type, Instant start, Instant end) {
                windows.add(new Instant[] {start, end});
                Instant created = start.plus(Duration.ofMinutes(5));
                String id = "2026$" + type.wireName() + "$" + start.getEpochSecond();
                return List.of(new Notification(
                        new ContentBlob(
                                type.wireName(), id, "https://fake/" + id, created, created.plus(Duration.ofDays(7))),
                        created.plusSeconds(40),
                        "success"));
            }
        };
        cli.apiFactory = s -> fake;
        CliHarness.Run r =
                cli.run("notifications", "list", "--content-type", "sharepoint", "--start", "-2d", "--end", "-12h");
        assertEquals(0, r.code(), r.toString());
        assertEquals(2, windows.size());
        assertEquals(3, r.lines().size(), r.toString());
        String[] cells = r.lines().get(1).split("\t", -1);
        assertEquals("Audit.SharePoint", cells[0]);
        assertEquals("success", cells[4]);
        assertTrue(cells[5].endsWith(cells[1]), r.toString());
        CliHarness.Run json =
                cli.run("notifications", "list", "--content-type", "sharepoint", "--start", "-2d", "--json");
        JsonNode arr = new ObjectMapper().readTree(json.out());
        assertEquals("success", arr.get(0).get("notificationStatus").asText());
        assertTrue(arr.get(0).hasNonNull("notificationSent"));
    }
}
