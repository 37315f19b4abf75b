package io.github.auditlake.o365.cli.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.connect.converters.ByteArrayConverter;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.storage.Converter;
import org.apache.kafka.connect.storage.StringConverter;
import org.junit.jupiter.api.Test;

/** The original JSON bytes come back from every form the connector's value formats and converters write. */
class ValueBytesTest {
    static final String RECORD =
            "{\"Id\":\"v-1\",\"CreationTime\":\"2026-11-29T10:00:00\",\"UserId\":\"caf\u00e9@contoso.example\","
                    + "\"Note\":\"a \\\"quoted\\\" word\"}";
    static final byte[] ORIGINAL = RECORD.getBytes(StandardCharsets.UTF_8);

    private static byte[] convert(Converter c, Map<String, ?> config, Schema schema, Object value) {
        c.configure(config, false);
        return c.fromConnectData("t", schema, value);
    }

    @Test
    void jsonStringThroughStringConverterIsTheRawText() {
        byte[] v = convert(new StringConverter(), Map.of(), Schema.STRING_SCHEMA, RECORD);
        assertArrayEquals(ORIGINAL, ValueBytes.unwrap(v));
    }

    @Test
    void jsonBytesThroughByteArrayConverterIsTheRawBytes() {
        byte[] v = convert(new ByteArrayConverter(), Map.of(), Schema.BYTES_SCHEMA, ORIGINAL);
        assertArrayEquals(ORIGINAL, ValueBytes.unwrap(v));
    }

    @Test
    void jsonStringThroughJsonConverterWithoutSchemasIsAJsonString() {
        byte[] v = convert(new JsonConverter(), Map.of("schemas.enable", "false"), Schema.STRING_SCHEMA, RECORD);
        assertArrayEquals(ORIGINAL, ValueBytes.unwrap(v));
    }

    @Test
    void jsonStringThroughJsonConverterWithSchemasIsAnEnvelope() {
        byte[] v = convert(new JsonConverter(), Map.of("schemas.enable", "true"), Schema.STRING_SCHEMA, RECORD);
        assertArrayEquals(ORIGINAL, ValueBytes.unwrap(v));
    }

    @Test
    void jsonBytesThroughJsonConverterAreBase64WithOrWithoutTheEnvelope() {
        for (String schemas : new String[] {"true", "false"}) {
            byte[] v = convert(new JsonConverter(), Map.of("schemas.enable", schemas), Schema.BYTES_SCHEMA, ORIGINAL);
            assertArrayEquals(ORIGINAL, ValueBytes.unwrap(v), "schemas.enable=" + schemas);
        }
    }

    @Test
    void theStructFormatThroughJsonConverterGivesItsRawField() {
        org.apache.kafka.connect.data.Schema schema = org.apache.kafka.connect.data.SchemaBuilder.struct()
                .name("io.github.auditlake.o365.AuditRecord")
                .field("Id", Schema.OPTIONAL_STRING_SCHEMA)
                .field("Raw", Schema.STRING_SCHEMA)
                .build();
        org.apache.kafka.connect.data.Struct s = new org.apache.kafka.connect.data.Struct(schema)
                .put("Id", "v-1")
                .put("Raw", RECORD);
        byte[] v = convert(new JsonConverter(), Map.of("schemas.enable", "true"), schema, s);
        assertArrayEquals(ORIGINAL, ValueBytes.unwrap(v));
    }

    @Test
    void aSchemaRegistryValueIsRefusedNotMisread() {
        byte[] avro = {0, 0, 0, 0, 7, 2, 'x'};
        assertThrows(IllegalArgumentException.class, () -> ValueBytes.unwrap(avro));
        assertThrows(IllegalArgumentException.class, () -> ValueBytes.unwrap(new byte[0]));
    }
}
