package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code export --format fields}: per RecordType, how many records carry each top-level field. */
class ExportFieldsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private CliHarness cli;

    @AfterEach
    void stop() {
        if (cli != null) {
            cli.close();
        }
    }

    @Test
    void theCensusCountsEveryTopLevelFieldPerRecordTypeOfWhatTheExportWrites(@TempDir Path dir) throws Exception {
        cli = new CliHarness(CliHarness.tenant(3));
        Path file = dir.resolve("records.jsonl");
        String[] range = {"--content-type", "Audit.General,Audit.Exchange", "--start", "-6h", "--end", "now"};
        CliHarness.Run records = cli.run(concat(range, "--output", file.toString()));
        assertEquals(0, records.code(), records.toString());
        CliHarness.Run census = cli.run(concat(range, "--format", "fields"));
        assertEquals(0, census.code(), census.toString());

        // the same census, made here from the exported records
        Map<String, Long> expected = new TreeMap<>();
        Map<Integer, Long> perType = new TreeMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            JsonNode n = JSON.readTree(line);
            int type = n.get("RecordType").asInt();
            perType.merge(type, 1L, Long::sum);
            n.fieldNames().forEachRemaining(f -> expected.merge(type + "/" + f, 1L, Long::sum));
        }
        assertFalse(perType.isEmpty(), "the range holds records");

        List<String> lines = census.out().lines().toList();
        assertEquals("RecordType\tName\tRecords\tField\tPresent", lines.get(0));
        Map<String, Long> printed = new TreeMap<>();
        for (String row : lines.subList(1, lines.size())) {
            String[] c = row.split("\t", -1);
            assertEquals(5, c.length, row);
            int type = Integer.parseInt(c[0]);
            assertEquals(perType.get(type), Long.parseLong(c[2]), "records of RecordType " + type + ": " + row);
            assertFalse(c[1].isEmpty(), row);
            printed.put(type + "/" + c[3], Long.parseLong(c[4]));
        }
        assertEquals(expected, printed);
    }

    @Test
    void namesFromTheTableUnknownTypesAndUntrustedFieldNamesAreShownSafely() throws Exception {
        StringWriter out = new StringWriter();
        RecordFormat f = RecordFormat.of("fields", List.of(), out);
        f.begin();
        f.record("{\"RecordType\":6,\"Operation\":\"FileAccessed\",\"Id\":\"a\"}");
        f.record("{\"RecordType\":6,\"Operation\":\"FileAccessed\",\"Id\":\"b\",\"SiteUrl\":\"x\"}");
        f.record("{\"RecordType\":99999,\"Id\":\"c\",\"Bad\\u001b[31mName\":1}");
        f.record("[1,2]");
        f.end();
        List<String> lines = out.toString().lines().toList();
        assertTrue(lines.contains("6\tSharePointFileOperation\t2\tId\t2"), out.toString());
        assertTrue(lines.contains("6\tSharePointFileOperation\t2\tSiteUrl\t1"), out.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("99999\t(unknown to the table)\t1\tBad")), out.toString());
        assertFalse(out.toString().contains("\u001b"), "a control character from the service is never printed raw");
        assertTrue(lines.contains("\t(not a JSON object)\t1\t\t"), out.toString());
    }

    private static String[] concat(String[] range, String... more) {
        String[] all = new String[1 + range.length + more.length];
        all[0] = "export";
        System.arraycopy(range, 0, all, 1, range.length);
        System.arraycopy(more, 0, all, 1 + range.length, more.length);
        return all;
    }
}
