package io.github.auditlake.o365.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.auditlake.o365.api.AuditRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files: one real-shaped record of each family (samples/, shaped as Microsoft's documented schema), mapped to
 * ECS and OCSF and compared with golden/NAME.ecs.json and golden/NAME.ocsf.json. Regenerate after a deliberate
 * change of the tables with {@code -Dgolden.write=true}, and review the diff.
 */
class AuditMappingGoldenTest {
    static final List<String> SAMPLES = List.of(
            "exchange-admin-1",
            "exchange-mailbox-2",
            "sharepoint-6",
            "azure-ad-8",
            "azure-ad-logon-15",
            "dlp-exchange-13",
            "dlp-sharepoint-11",
            "teams-25",
            "powerbi-20",
            "unknown-999");
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path GOLDEN = Path.of("src/test/resources/io/github/auditlake/o365/mapping/golden");

    static String sample(String name) throws IOException {
        try (InputStream in = AuditMappingGoldenTest.class.getResourceAsStream("samples/" + name + ".json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }

    static AuditRecord record(String json) throws IOException {
        JsonNode n = JSON.readTree(json);
        return AuditRecord.fromUtf8(
                json.getBytes(StandardCharsets.UTF_8),
                n.path("Id").asText(null),
                n.path("CreationTime").asText(null),
                n.path("Workload").asText(null),
                n.hasNonNull("RecordType") ? n.get("RecordType").asInt() : null,
                n.path("Operation").asText(null));
    }

    static String map(MappingTables.Target t, String json) throws IOException {
        AuditRecord r = record(json);
        ObjectNode tree = AuditMapping.parse(r);
        return new AuditMapping(t).map(r, tree);
    }

    static Stream<Arguments> cases() {
        return SAMPLES.stream()
                .flatMap(s -> Stream.of(
                        Arguments.of(s, MappingTables.Target.ECS), Arguments.of(s, MappingTables.Target.OCSF)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void eachFamilyMapsToItsGoldenFile(String name, MappingTables.Target t) throws IOException {
        String out = map(t, sample(name));
        Path golden = GOLDEN.resolve(name + "." + t.name().toLowerCase() + ".json");
        String pretty = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(out)) + "\n";
        if (Boolean.getBoolean("golden.write")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(golden, pretty);
        }
        assertEquals(JSON.readTree(Files.readString(golden)), JSON.readTree(out), "differs from " + golden);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.auditlake.o365.mapping.AuditMappingGoldenTest#samples")
    void ocsfOutputConformsToTheClassFacts(String name) throws IOException {
        JsonNode out = JSON.readTree(map(MappingTables.Target.OCSF, sample(name)));
        assertEquals(List.of(), SchemaFacts.ocsfProblems(out), name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.auditlake.o365.mapping.AuditMappingGoldenTest#samples")
    void ecsOutputConformsToTheFieldTypes(String name) throws IOException {
        JsonNode out = JSON.readTree(map(MappingTables.Target.ECS, sample(name)));
        assertEquals(List.of(), SchemaFacts.ecsProblems(out), name);
    }

    /** ECS: the original text appears verbatim in the value, as o365.audit; OCSF: raw_data is the original text. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.auditlake.o365.mapping.AuditMappingGoldenTest#samples")
    void theOriginalRecordIsRecoverableByteForByte(String name) throws IOException {
        String original = sample(name);
        String ecs = map(MappingTables.Target.ECS, original);
        assertTrue(ecs.contains("\"audit\":" + original), "o365.audit holds the original bytes verbatim");
        assertEquals(JSON.readTree(original), JSON.readTree(ecs).path("o365").path("audit"));
        JsonNode ocsf = JSON.readTree(map(MappingTables.Target.OCSF, original));
        assertEquals(original, ocsf.path("raw_data").asText(), "raw_data is the original text, exactly");
    }

    @org.junit.jupiter.api.Test
    void theOriginalIsExactEvenWhereAParseWouldRewriteIt() throws IOException {
        // 2.50, \u00e9 and a surrogate pair escaped: a parse and write again would give 2.5 and raw characters
        String original = sample("unknown-999");
        assertTrue(original.contains("2.50"));
        String pbi = sample("powerbi-20");
        assertTrue(pbi.contains("\\u00e9"));
        assertTrue(map(MappingTables.Target.ECS, original).contains(original));
        assertTrue(map(MappingTables.Target.ECS, pbi).contains(pbi));
        assertEquals(
                pbi,
                JSON.readTree(map(MappingTables.Target.OCSF, pbi))
                        .path("raw_data")
                        .asText());
    }

    @org.junit.jupiter.api.Test
    void everyOcsfClassOfTheFamiliesTableHasFacts() {
        for (MappingTables.Family f : MappingTables.standard().families().values()) {
            assertTrue(SchemaFacts.ocsfClasses().contains(String.valueOf(f.ocsfClassUid())), f.name());
        }
    }

    static Stream<String> samples() {
        return SAMPLES.stream();
    }
}
