package io.github.auditlake.o365.records;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.BoundedJson;
import java.io.IOException;
import java.util.Date;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;

/**
 * The {@code struct} value format: the Management API's common schema as a Connect Struct, plus the original JSON
 * text in {@code Raw}, so nothing is lost. Every field is optional (records that lack one, or hold another type, get
 * null; {@code Raw} always has everything). Schema {@value #NAME}, version {@value #VERSION}.
 *
 * <p>Version 2 added the optional {@code enrichment} field (Graph enrichment, {@code o365.enrich.enabled}): null
 * when enrichment is off or found nothing; a version-1 reader ignores it (a backward-compatible change).
 */
public final class AuditStruct {
    public static final String NAME = "io.github.auditlake.o365.AuditRecord";
    public static final int VERSION = 2;
    /** One resolved directory object of the {@code enrichment} field. */
    public static final Schema DIRECTORY_OBJECT = SchemaBuilder.struct()
            .name("io.github.auditlake.o365.DirectoryObject")
            .optional()
            .doc("A directory object Microsoft Graph resolved: its id, type and attributes")
            .field("id", Schema.OPTIONAL_STRING_SCHEMA)
            .field("type", Schema.OPTIONAL_STRING_SCHEMA)
            .field("upn", Schema.OPTIONAL_STRING_SCHEMA)
            .field("displayName", Schema.OPTIONAL_STRING_SCHEMA)
            .field("department", Schema.OPTIONAL_STRING_SCHEMA)
            .field("jobTitle", Schema.OPTIONAL_STRING_SCHEMA)
            .field("appId", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    /** The optional {@code enrichment} field: actor, target, group, app and team, and why some were not looked up. */
    public static final Schema ENRICHMENT = SchemaBuilder.struct()
            .name("io.github.auditlake.o365.Enrichment")
            .optional()
            .doc("Who is behind the record's GUIDs, from Microsoft Graph (o365.enrich.enabled)")
            .field("actor", DIRECTORY_OBJECT)
            .field("target", DIRECTORY_OBJECT)
            .field("group", DIRECTORY_OBJECT)
            .field("app", DIRECTORY_OBJECT)
            .field("team", DIRECTORY_OBJECT)
            .field("skipped", Schema.OPTIONAL_STRING_SCHEMA)
            .build();

    public static final Schema SCHEMA = SchemaBuilder.struct()
            .name(NAME)
            .version(VERSION)
            .doc("Office 365 Management Activity API common schema (AuditRecord) and the original JSON text")
            .field("Id", Schema.OPTIONAL_STRING_SCHEMA)
            .field("RecordType", Schema.OPTIONAL_INT32_SCHEMA)
            .field("CreationTime", Timestamp.builder().optional().build())
            .field("Operation", Schema.OPTIONAL_STRING_SCHEMA)
            .field("OrganizationId", Schema.OPTIONAL_STRING_SCHEMA)
            .field("UserType", Schema.OPTIONAL_INT32_SCHEMA)
            .field("UserKey", Schema.OPTIONAL_STRING_SCHEMA)
            .field("Workload", Schema.OPTIONAL_STRING_SCHEMA)
            .field("ResultStatus", Schema.OPTIONAL_STRING_SCHEMA)
            .field("ObjectId", Schema.OPTIONAL_STRING_SCHEMA)
            .field("UserId", Schema.OPTIONAL_STRING_SCHEMA)
            .field("ClientIP", Schema.OPTIONAL_STRING_SCHEMA)
            .field("Scope", Schema.OPTIONAL_INT32_SCHEMA)
            .field("Raw", Schema.STRING_SCHEMA)
            .field("enrichment", ENRICHMENT)
            .build();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Names of records are never interned, and not kept beyond the last MiB of records (see {@link BoundedJson}). */
    private static final BoundedJson.RotatingFactory FACTORIES =
            new BoundedJson.RotatingFactory(JsonFactory::new, 1024 * 1024);

    private static final String[] STRINGS = {
        "Operation", "OrganizationId", "UserKey", "Workload", "ResultStatus", "ObjectId", "UserId", "ClientIP"
    };

    private AuditStruct() {}

    public static Struct of(AuditRecord r) {
        Struct s = new Struct(SCHEMA);
        s.put("Raw", r.json());
        s.put("Id", r.id());
        s.put("RecordType", r.recordType());
        Long t = RecordMapper.kafkaTimestamp(r.creationTime());
        s.put("CreationTime", t == null ? null : new Date(t));
        JsonNode n;
        byte[] utf8 = r.utf8(); // the original bytes: no decoding to characters and back
        try (JsonParser p = FACTORIES.forBytes(utf8.length).createParser(utf8)) {
            n = JSON.readTree(p);
        } catch (IOException e) {
            return s;
        }
        if (n == null) {
            return s;
        }
        for (String f : STRINGS) {
            JsonNode v = n.get(f);
            s.put(f, v == null || v.isNull() ? null : v.isValueNode() ? v.asText() : v.toString());
        }
        s.put("UserType", intOrNull(n.get("UserType")));
        s.put("Scope", intOrNull(n.get("Scope")));
        return s;
    }

    private static Integer intOrNull(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isInt()) {
            return v.intValue();
        }
        if (v.isTextual()) {
            try {
                return Integer.valueOf(v.asText().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}
