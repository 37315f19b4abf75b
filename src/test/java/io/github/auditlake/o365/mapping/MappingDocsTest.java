package io.github.auditlake.o365.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/mappings.md is generated from the mapping tables; this test fails when they drift apart. Regenerate with
 * {@code ./mvnw -q test -Dtest=MappingDocsTest -Dmappingdocs.write=true}.
 */
class MappingDocsTest {
    static final Path DOC = Path.of("docs/mappings.md");

    @Test
    void mappingsDocMatchesTheTables() throws IOException {
        String generated = generate();
        if (Boolean.getBoolean("mappingdocs.write")) {
            Files.writeString(DOC, generated);
        }
        assertEquals(generated, Files.readString(DOC), "docs/mappings.md is stale: regenerate it (see this test)");
    }

    static String generate() {
        MappingTables t = MappingTables.standard();
        List<RecordTypes.Entry> types = RecordTypes.standard().entries();
        StringBuilder sb = new StringBuilder();
        sb.append(
                "<!-- Generated from src/main/resources/io/github/auditlake/o365/mapping/*.tsv by MappingDocsTest; "
                        + "edit the tables, then regenerate: ./mvnw -q test -Dtest=MappingDocsTest -Dmappingdocs.write=true -->\n");
        sb.append("# ECS and OCSF mappings\n\n");
        sb.append("""
                With `o365.value.format=ecs` or `ocsf` each audit record becomes one JSON document (a string value with a
                string schema; use `StringConverter`). The key stays the record's `Id`, the headers and the Kafka timestamp
                are the same as with `json-string`. Nothing is dropped: a RecordType the tables do not know is mapped as
                family `general` and delivered, and counted by the schema-drift radar.

                - **ECS** ([Elastic Common Schema](https://www.elastic.co/guide/en/ecs/current/index.html) 8.17): the
                  fields below, then `o365.audit`, the original record. Its text is written into the value verbatim, so the
                  original bytes are in the value exactly as Microsoft sent them (numbers such as `2.50`, escapes such as
                  `\\u00e9` and field order included); a JSON parser of the value gives the original object. A record whose
                  text is not a JSON object (never seen) gets `event.original` (the text) instead.
                - **OCSF** ([Open Cybersecurity Schema Framework](https://schema.ocsf.io/1.3.0/) 1.3.0): the class of the
                  record's family, the attributes below, and `raw_data`: the original text as a JSON string, equal to the
                  original character for character once the string is read.

                Both are driven by resource tables in the plugin (`src/main/resources/io/github/auditlake/o365/mapping/`):
                `record-types.tsv` (RecordType to family), `families.tsv` (family to ECS category and OCSF class),
                `operations.tsv` (Operation to ECS event type and OCSF activity), `ecs.tsv` and `ocsf.tsv` (field rows).
                Adding a RecordType, an Operation or a field is a row. For each target the rows of the record's family
                come first, then the rows of family `*`; the first row that gives a target a value wins, later rows are
                fallbacks. A target ending in `[]` collects every value. Sources: a path (`A.B`; `A[]` every element of
                array `A`; `A[0]` its first; `A[Name=X]` the element whose `Name` is `X`), `=text` (a constant), or
                `$record_type_name` (the RecordType's name from the table).

                """);
        sb.append("## Record families\n\n");
        sb.append(
                "| family | RecordTypes | ECS event.kind / category / type | OCSF class | OCSF category | default activity |\n");
        sb.append("|---|---|---|---|---|---|\n");
        for (MappingTables.Family f : t.families().values()) {
            List<String> of = types.stream()
                    .filter(e -> e.family().equals(f.name()))
                    .map(e -> String.valueOf(e.value()))
                    .toList();
            String rts = f.name().equals(RecordTypes.GENERAL)
                    ? of.size() + " others, and every RecordType missing from the table"
                    : String.join(", ", of);
            sb.append("| `")
                    .append(f.name())
                    .append("` | ")
                    .append(rts)
                    .append(" | ")
                    .append(f.ecsKind())
                    .append(" / ")
                    .append(f.ecsCategory())
                    .append(" / ")
                    .append(f.ecsType())
                    .append(" | ")
                    .append(f.ocsfClassName())
                    .append(" (")
                    .append(f.ocsfClassUid())
                    .append(") | ")
                    .append(f.ocsfCategoryName())
                    .append(" (")
                    .append(f.ocsfCategoryUid())
                    .append(") | ")
                    .append(f.ocsfActivityName())
                    .append(" (")
                    .append(f.ocsfActivityId())
                    .append(") |\n");
        }
        sb.append("""

                Every OCSF record also gets `class_uid`, `class_name`, `category_uid`, `category_name`, `activity_id`,
                `activity_name`, `type_uid` (class_uid × 100 + activity_id), `type_name`, `severity_id` (1 Informational
                unless a row sets it) and `severity`. Every ECS record gets `event.kind`, `event.category` and `event.type`
                from the family and its Operation.

                Why these classes: mailbox audit records (Exchange items) carry neither sender nor recipients, which OCSF's
                Email Activity requires, so they are API Activity with the item as a resource; DLP rule matches are Data
                Security Findings; Entra sign-ins are Authentication; Entra directory changes are Account Change;
                SharePoint and OneDrive file, list and sharing operations are Web Resources Activity; everything else
                (Teams, Power BI, Copilot, admin cmdlets, unknown RecordTypes) is API Activity, with the Operation as
                `api.operation`.

                """);
        sb.append("## Operations\n\n");
        sb.append(
                "Matched ignoring case; `*` at the end matches a prefix. Rows of family `*` apply only to the families of the "
                        + "classes API Activity and Web Resources Activity.\n\n");
        sb.append("| family | Operation | ECS event.type | OCSF activity |\n|---|---|---|---|\n");
        for (MappingTables.Operation o : t.operations()) {
            sb.append("| `")
                    .append(o.family())
                    .append("` | `")
                    .append(o.pattern())
                    .append("` | ")
                    .append(o.ecsType())
                    .append(" | ")
                    .append(o.ocsfActivityName())
                    .append(" (")
                    .append(o.ocsfActivityId())
                    .append(") |\n");
        }
        for (MappingTables.Target target : MappingTables.Target.values()) {
            sb.append("\n## ")
                    .append(target == MappingTables.Target.ECS ? "ECS fields" : "OCSF attributes")
                    .append("\n\n");
            String fam = null;
            for (String family : families(t)) {
                List<MappingTables.FieldRow> rows = t.fields(target).stream()
                        .filter(r -> r.family().equals(family))
                        .toList();
                if (rows.isEmpty()) {
                    continue;
                }
                sb.append("### ")
                        .append(family.equals("*") ? "Every family (`*`)" : "`" + family + "`")
                        .append("\n\n");
                sb.append("| source | target | conversion |\n|---|---|---|\n");
                for (MappingTables.FieldRow r : rows) {
                    sb.append("| `")
                            .append(r.source().replace("|", "\\|"))
                            .append("` | `")
                            .append(r.target())
                            .append("` | ")
                            .append(r.conversion())
                            .append(" |\n");
                }
                sb.append('\n');
            }
            if (target == MappingTables.Target.ECS) {
                sb.append("Then `o365.audit`: the original record, verbatim.\n");
            } else {
                sb.append("Then `raw_data`: the original record's text.\n");
            }
        }
        sb.append("\n## Conversions\n\n| conversion | result |\n|---|---|\n");
        for (Conversion c : Conversion.values()) {
            sb.append("| ").append(c.tableName).append(" | ").append(c.doc).append(" |\n");
        }
        sb.append("""

                ## Schema drift

                Per stream (tenant and content type) the connector counts what the tables do not know: RecordTypes missing
                from `record-types.tsv`, Operations `operations.tsv` does not list for their family, and top-level fields
                no row reads and `known-fields.txt` does not list (fields only with `ecs` and `ocsf`, which parse each
                record). Each is logged once, at INFO, the first time a stream shows it (`new RecordType 463 first seen in
                Audit.General`), and counted in the plugin metrics `drift-record-types`, `drift-operations`,
                `drift-fields`, `drift-unknown-record-type-records-total` and `drift-forgotten-total` (tags `tenant`,
                `content-type`). Memory is bounded to 1000 values per kind and stream.

                ## RecordType table

                The plugin's table: `src/main/resources/io/github/auditlake/o365/mapping/record-types.tsv`, from
                Microsoft's [Office 365 Management Activity API schema](https://learn.microsoft.com/en-us/office/office-365-management-api/office-365-management-activity-api-schema#auditlogrecordtype)
                (the `AuditLogRecordType` list).
                """);
        sb.append("It holds ")
                .append(types.size())
                .append(" values, up to ")
                .append(types.stream().mapToInt(RecordTypes.Entry::value).max().orElse(0))
                .append(
                        ". The header `o365.record.type.name` (add `record.type.name` to `o365.headers`) carries the name.\n\n");
        sb.append("| value | name | family | workload |\n|---|---|---|---|\n");
        for (RecordTypes.Entry e : types) {
            sb.append("| ")
                    .append(e.value())
                    .append(" | ")
                    .append(e.name())
                    .append(" | ")
                    .append(e.family())
                    .append(" | ")
                    .append(e.workload())
                    .append(" |\n");
        }
        return sb.toString();
    }

    private static List<String> families(MappingTables t) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        out.add("*");
        out.addAll(t.families().keySet());
        return out;
    }
}
