package io.github.auditlake.o365.cursor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.auditlake.o365.api.ContentType;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

class StreamIdTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";

    /**
     * Connect stores offsets under the serialized [connector, partition] key and looks them up by those bytes, after
     * rebuilding partitions it reads back as HashMaps. The partition must serialize to the same bytes either way, or
     * a restarted worker (another JVM) misses the stored offset and starts over.
     */
    @Test
    void partitionSerializesLikeTheMapConnectReadsBack() {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("schemas.enable", "false", "converter.type", "key"));
        for (ContentType t : ContentType.values()) {
            Map<String, String> partition = new StreamId(TENANT, t).partition();
            byte[] stored = c.fromConnectData("offsets", null, List.of("my-connector", partition));
            Object readBack = c.toConnectData("offsets", stored).value();
            byte[] again = c.fromConnectData("offsets", null, readBack);
            assertArrayEquals(stored, again, "key bytes of " + t);
            assertEquals(
                    "[\"my-connector\",{\"contentType\":\"" + t.wireName() + "\",\"tenant\":\"" + TENANT + "\"}]",
                    new String(stored),
                    "the same order in every JVM");
        }
    }

    @Test
    void parsesOnlyPartitionsOfThisConnector() {
        assertEquals(
                new StreamId(TENANT, ContentType.DLP_ALL),
                StreamId.fromPartition(Map.of("tenant", TENANT, "contentType", "DLP.All")));
        assertThrows(IllegalArgumentException.class, () -> StreamId.fromPartition(Map.of("tenant", TENANT)));
        assertThrows(
                IllegalArgumentException.class,
                () -> StreamId.fromPartition(Map.of("tenant", TENANT, "contentType", "Audit.Other")));
        assertEquals(new StreamId(TENANT, ContentType.EXCHANGE), StreamId.decode(TENANT + "|Audit.Exchange"));
    }
}
