package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.client.ManagementApis;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.Directory;
import io.github.auditlake.o365.simulator.SimBlob;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export --enrich} and {@code content get --enrich} against the simulator's Management API and Graph: the
 * original record byte for byte with its enrichment beside it (jsonl), enrichment columns (csv), one sign-in, and
 * a throttled or refusing Graph that marks records without losing one.
 */
class ExportEnrichTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String[] RANGE = {
        "export", "--content-type", "Audit.AzureActiveDirectory,Audit.General", "--start", "-6h", "--end", "now"
    };

    private CliHarness cli;

    @AfterEach
    void stop() {
        if (cli != null) {
            cli.close();
        }
    }

    static String[] args(String... extra) {
        String[] a = new String[RANGE.length + extra.length];
        System.arraycopy(RANGE, 0, a, 0, RANGE.length);
        System.arraycopy(extra, 0, a, RANGE.length, extra.length);
        return a;
    }

    /** The GUID the enricher reads as the actor: UserKey when a GUID, else the first GUID among Actor[].ID. */
    static String actor(JsonNode r) {
        String key = r.path("UserKey").asText("");
        if (key.matches("[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}")) {
            return key.toLowerCase(Locale.ROOT);
        }
        for (JsonNode a : r.path("Actor")) {
            String id = a.path("ID").asText("");
            if (id.matches("[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}") && !id.startsWith("00000000-0000-0000-0000")) {
                return id.toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    /** The original record texts of enriched lines: what lies between {"record": and ,"enrichment":{...}}. */
    static List<String> originals(List<String> lines) {
        List<String> out = new java.util.ArrayList<>();
        for (String line : lines) {
            assertTrue(line.startsWith("{\"record\":"), line);
            int e = line.lastIndexOf(",\"enrichment\":{");
            assertTrue(e > 0, line);
            out.add(line.substring("{\"record\":".length(), e));
        }
        return out;
    }

    static List<String> sorted(List<String> l) {
        return l.stream().sorted().toList();
    }

    @Test
    void jsonlCarriesEachRecordByteForByteWithItsEnrichmentBeside() throws Exception {
        cli = new CliHarness(CliHarness.tenant(3));
        CliHarness.Run plain = cli.run(args());
        assertEquals(0, plain.code(), plain.toString());
        CliHarness.Run enriched = cli.run(args("--enrich"));
        assertEquals(0, enriched.code(), enriched.toString());
        List<String> before = plain.lines();
        List<String> after = enriched.lines();
        assertTrue(before.size() > 100, "records: " + before.size());
        assertEquals(before.size(), after.size(), "every record written");
        assertEquals(sorted(before), sorted(originals(after)), "the original records byte for byte");
        Directory dir = cli.sim.directory();
        int actors = 0;
        int apps = 0;
        for (String line : after) {
            JsonNode n = JSON.readTree(line);
            JsonNode e = n.get("enrichment");
            assertNull(e.get("skipped"), line);
            String guid = actor(n.get("record"));
            Directory.DirObject o = guid == null ? null : dir.lookup(guid);
            if (o != null) {
                actors++;
                assertEquals(guid, e.path("actor").path("id").asText());
                assertEquals(o.type(), e.path("actor").path("type").asText());
                assertEquals(
                        o.properties().get("displayName"),
                        e.path("actor").path("displayName").asText());
            } else {
                assertFalse(e.has("actor"), line);
            }
            String appId = n.get("record").path("ApplicationId").asText("");
            Directory.DirObject sp = appId.isEmpty() ? null : dir.servicePrincipalByAppId(appId);
            if (sp != null) {
                apps++;
                assertEquals(sp.id(), e.path("app").path("id").asText());
                assertEquals(appId, e.path("app").path("appId").asText());
                assertEquals(
                        sp.properties().get("displayName"),
                        e.path("app").path("displayName").asText());
            }
        }
        assertTrue(actors > 30, "records with their actor: " + actors);
        assertTrue(apps > 10, "records with their app: " + apps);
        assertTrue(
                dir.requestCount() * 10 < after.size(),
                dir.requestCount() + " Graph requests for " + after.size() + " records");
        assertTrue(enriched.err().contains("enrichment: "), enriched.err());
    }

    @Test
    void csvNamesEnrichmentColumnsAndTheRecordsOwnFields() throws Exception {
        cli = new CliHarness(CliHarness.tenant(3));
        CliHarness.Run run =
                cli.run(args("--enrich", "--format", "csv", "--fields", "Id,Actor.UPN,app.displayName,enrich.skipped"));
        assertEquals(0, run.code(), run.toString());
        List<String> lines = run.lines();
        assertEquals("Id,actor.upn,app.displayName,enrich.skipped\r", lines.get(0));
        CliHarness.Run jsonl = cli.run(args("--enrich"));
        java.util.Map<String, JsonNode> byId = new java.util.HashMap<>();
        for (String r : jsonl.lines()) {
            JsonNode n = JSON.readTree(r);
            byId.put(n.path("record").path("Id").asText(), n);
        }
        assertEquals(jsonl.lines().size(), lines.size() - 1);
        int withUpn = 0;
        for (String row : lines.subList(1, lines.size())) {
            String[] cells = row.replace("\r", "").split(",", -1);
            JsonNode n = byId.get(cells[0]);
            assertEquals(n.path("enrichment").path("actor").path("upn").asText(""), cells[1]);
            assertEquals(n.path("enrichment").path("app").path("displayName").asText(""), cells[2]);
            assertEquals("", cells[3]);
            withUpn += cells[1].isEmpty() ? 0 : 1;
        }
        assertTrue(withUpn > 10, "rows with an actor UPN: " + withUpn);
    }

    @Test
    void enrichmentColumnsWithoutEnrichAreAUsageErrorThatNamesIt() {
        cli = new CliHarness(CliHarness.tenant(1));
        CliHarness.Run run = cli.run(args("--format", "csv", "--fields", "Id,actor.upn"));
        assertEquals(CliException.USAGE, run.code(), run.toString());
        assertTrue(run.err().contains("--enrich"), run.err());
        CliHarness.Run bad = cli.run(args("--enrich", "--format", "csv", "--fields", "actor.shoeSize"));
        assertEquals(CliException.USAGE, bad.code(), bad.toString());
        assertTrue(bad.err().contains("upn") && bad.err().contains("displayName"), bad.err());
        assertEquals(0, cli.sim.directory().requestCount(), "nothing asked of Graph");
    }

    @Test
    void aThrottledGraphWritesEveryRecordMarked() throws Exception {
        cli = new CliHarness(CliHarness.tenant(3));
        int expected = cli.run(args()).lines().size();
        cli.sim.directory().throttleAll(true, Duration.ofHours(1));
        CliHarness.Run run = cli.run(args("--enrich"));
        assertEquals(0, run.code(), run.toString());
        assertEquals(expected, run.lines().size(), "every record written");
        int marked = 0;
        for (String line : run.lines()) {
            JsonNode n = JSON.readTree(line);
            boolean hasGuid = actor(n.get("record")) != null
                    || !n.get("record").path("ApplicationId").asText("").isEmpty();
            if (hasGuid) {
                assertEquals("throttled", n.path("enrichment").path("skipped").asText(), line);
                marked++;
            }
        }
        assertTrue(marked > 30, "records marked: " + marked);
        assertTrue(run.err().contains("unenriched (throttled"), run.err());
    }

    @Test
    void withoutTheGraphPermissionTheExportWarnsNamingItAndGoesOn() throws Exception {
        cli = new CliHarness(CliHarness.tenant(2)
                .app(AppSpec.of(CliHarness.CLIENT).secret(CliHarness.SECRET).roles(AppSpec.ROLE_READ)));
        CliHarness.Run run = cli.run(args("--enrich"));
        assertEquals(0, run.code(), run.toString());
        assertTrue(run.err().contains("User.Read.All") && run.err().contains("Directory.Read.All"), run.err());
        assertFalse(run.lines().isEmpty());
        for (String line : run.lines()) {
            JsonNode n = JSON.readTree(line);
            if (actor(n.get("record")) != null) {
                assertEquals("denied", n.path("enrichment").path("skipped").asText(), line);
            }
        }
    }

    @Test
    void graphGoesWhereGraphUrlSaysNotToTheApiOverride() throws Exception {
        cli = new CliHarness(CliHarness.tenant(3));
        // a port nobody listens on: if --graph-url were ignored, Graph would be the API override (the simulator)
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String nowhere = "http://127.0.0.1:" + closed;
        CliHarness.Run elsewhere = cli.run(args("--enrich", "--graph-url", nowhere, "--verbose"));
        assertEquals(0, elsewhere.code(), elsewhere.toString());
        assertTrue(elsewhere.err().contains("Graph: " + nowhere + " (from --graph-url)"), elsewhere.err());
        assertEquals(0, cli.sim.directory().requestCount(), "no Graph request reached the API override's host");
        int marked = 0;
        for (String line : elsewhere.lines()) {
            JsonNode n = JSON.readTree(line);
            assertFalse(n.path("enrichment").has("actor"), line);
            marked += n.path("enrichment").path("skipped").asText("").isEmpty() ? 0 : 1;
        }
        assertTrue(marked > 30, "records marked unenriched: " + marked);

        cli.env.put(CliSettings.ENV_GRAPH_URL, cli.sim.baseUrl());
        CliHarness.Run there = cli.run(args("--enrich", "--verbose"));
        assertEquals(0, there.code(), there.toString());
        assertTrue(there.err().contains("(from env " + CliSettings.ENV_GRAPH_URL + ")"), there.err());
        assertTrue(cli.sim.directory().requestCount() > 0, "Graph asked where O365_GRAPH_URL says");
        assertTrue(there.lines().stream().anyMatch(l -> l.contains("\"actor\":{")), "records enriched: " + there.out());
    }

    @Test
    void theConfigsGraphUrlIsAllowListedAndItsEnrichSettingsApply(@TempDir Path dir) throws Exception {
        cli = new CliHarness(CliHarness.tenant(3));
        String host = java.net.URI.create(cli.sim.baseUrl()).getAuthority();
        Path file = dir.resolve("connector.properties");
        Files.writeString(file, "o365.graph.url=" + cli.sim.baseUrl() + "\no365.enrich.fields=actor\n");
        CliHarness.Run refused = cli.run(args("--enrich", "--config", file.toString()));
        assertEquals(CliException.USAGE, refused.code(), refused.toString());
        assertTrue(
                refused.err().contains("o365.graph.url points at " + host)
                        && refused.err().contains("--allow-endpoint " + host),
                refused.err());
        assertEquals(0, cli.sim.directory().requestCount(), "nothing asked of a refused Graph");

        CliHarness.Run run = cli.run(args("--enrich", "--config", file.toString(), "--allow-endpoint", host));
        assertEquals(0, run.code(), run.toString());
        int actors = 0;
        for (String line : run.lines()) {
            JsonNode e = JSON.readTree(line).path("enrichment");
            assertFalse(e.has("app"), "o365.enrich.fields=actor: no app resolved: " + line);
            actors += e.has("actor") ? 1 : 0;
        }
        assertTrue(actors > 30, "records with their actor: " + actors);
        assertFalse(run.err().contains("unknown key"), run.err());

        Files.writeString(file, "o365.enrich.types=user,robot\n");
        CliHarness.Run bad = cli.run(args("--enrich", "--config", file.toString()));
        assertEquals(CliException.USAGE, bad.code(), bad.toString());
        assertTrue(bad.err().contains("o365.enrich.types") && bad.err().contains("robot"), bad.err());
        Files.writeString(file, "o365.enrich.timeout.ms=5\n");
        CliHarness.Run small = cli.run(args("--enrich", "--config", file.toString()));
        assertEquals(CliException.USAGE, small.code(), small.toString());
        assertTrue(small.err().contains("o365.enrich.timeout.ms must be"), small.err());
    }

    @Test
    void contentGetEnrichWritesEachRecordWithItsEnrichment() throws Exception {
        cli = new CliHarness(CliHarness.tenant(3));
        SimBlob blob = cli.sim
                .visibleBlobs(
                        CliHarness.TENANT,
                        ContentType.AZURE_ACTIVE_DIRECTORY,
                        CliHarness.NOW.minus(Duration.ofHours(6)),
                        CliHarness.NOW)
                .get(0);
        CliHarness.Run plain = cli.run("content", "get", blob.contentId());
        assertEquals(0, plain.code(), plain.toString());
        CliHarness.Run run = cli.run("content", "get", "--enrich", blob.contentId());
        assertEquals(0, run.code(), run.toString());
        assertEquals(plain.lines(), originals(run.lines()), "each record byte for byte, in its order");
        int withActor = 0;
        for (String line : run.lines()) {
            withActor += JSON.readTree(line).path("enrichment").has("actor") ? 1 : 0;
        }
        assertTrue(withActor > 0, run.out());
    }

    @Test
    void anInterruptedEnrichedExportResumesEnrichedAndWritesWhatAnUninterruptedOneWrites(@TempDir Path dir)
            throws Exception {
        cli = new CliHarness(CliHarness.tenant(4));
        String[] range = {
            "export",
            "--content-type",
            "Audit.AzureActiveDirectory",
            "--start",
            "-2d",
            "--end",
            "-1h",
            "--concurrency",
            "1"
        };
        Path whole = dir.resolve("whole.jsonl");
        CliHarness.Run full = cli.run(concat(range, "--enrich", "-o", whole.toString()));
        assertEquals(0, full.code(), full.toString());

        Path file = dir.resolve("resumed.jsonl");
        AtomicInteger opened = new AtomicInteger();
        cli.apiFactory = settings -> {
            ManagementApi real = ManagementApis.create(settings);
            return (ManagementApi) Proxy.newProxyInstance(
                    ManagementApi.class.getClassLoader(), new Class<?>[] {ManagementApi.class}, (p, m, args) -> {
                        if (m.getName().equals("openBlob") && opened.incrementAndGet() == 30) {
                            cli.context.cancel(); // Ctrl-C
                        }
                        try {
                            return m.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        };
        CliHarness.Run cut = cli.run(concat(range, "--enrich", "-o", file.toString()));
        assertEquals(CliException.INTERRUPTED, cut.code(), cut.toString());
        cli.apiFactory = ManagementApis::create;

        CliHarness.Run resumed = cli.run("export", "--resume", "-o", file.toString());
        assertEquals(0, resumed.code(), resumed.toString());
        assertTrue(resumed.err().contains("continues with --enrich"), resumed.err());
        // the records byte for byte, in the same order; the enrichment the same wherever neither run was refused a
        // lookup (the Graph request budget is a token bucket: which lookups it refuses depends on timing)
        List<String> want = Files.readAllLines(whole);
        List<String> got = Files.readAllLines(file);
        assertEquals(want.size(), got.size(), "as many records as the uninterrupted export");
        for (int i = 0; i < want.size(); i++) {
            int w = want.get(i).lastIndexOf(",\"enrichment\":");
            int g = got.get(i).lastIndexOf(",\"enrichment\":");
            assertTrue(w > 0 && g > 0, "line " + i + " has its enrichment beside the record");
            assertEquals(want.get(i).substring(0, w), got.get(i).substring(0, g), "record " + i + " byte for byte");
            String we = want.get(i).substring(w);
            String ge = got.get(i).substring(g);
            if (!we.contains("\"skipped\"") && !ge.contains("\"skipped\"")) {
                assertEquals(we, ge, "record " + i + "'s enrichment");
            }
        }
        assertTrue(Files.readString(file).contains("\"actor\":{\"id\""), "enriched");
    }

    static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
