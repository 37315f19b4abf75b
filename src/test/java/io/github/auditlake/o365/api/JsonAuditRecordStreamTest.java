package io.github.auditlake.o365.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonAuditRecordStreamTest {

    private static List<AuditRecord> readAll(String body) {
        return readAll(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<AuditRecord> readAll(InputStream in) {
        List<AuditRecord> out = new ArrayList<>();
        try (JsonAuditRecordStream s = new JsonAuditRecordStream(in, null, "test blob")) {
            s.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void preservesExactTextAndExtractsTopLevelFields() {
        String r1 = "{\"CreationTime\":\"2024-03-01T10:11:15\",\"Id\":\"a1\",\"Operation\":\"Update\","
                + "\"Nested\":{\"Id\":\"nested-id\",\"Operation\":\"no\"},\"Workload\":\"AzureActiveDirectory\","
                + "\"RecordType\":8,\"Name\":\"caf\\u00e9 \\\"q\\\" \u00e9\u4e2d\ud83d\ude00\","
                + "\"Props\":[{\"Value\":\"{\\\"User-Agent\\\":\\\"Mozilla/5.0\\\"}\"}]}";
        String r2 =
                "{ \"Id\" : \"a2\" ,\n  \"RecordType\" : \"25\", \"Workload\":null, \"Extra\": [1, [2, {\"Id\":3}]] }";
        String body = "\ufeff".substring(1) + "  [\n" + r1 + " ,\r\n\t " + r2 + "\n]  \n";
        List<AuditRecord> records = readAll(body);
        assertEquals(2, records.size());
        assertEquals(r1, records.get(0).json());
        assertEquals("a1", records.get(0).id());
        assertEquals("2024-03-01T10:11:15", records.get(0).creationTime());
        assertEquals("Update", records.get(0).operation());
        assertEquals("AzureActiveDirectory", records.get(0).workload());
        assertEquals(8, records.get(0).recordType());
        assertEquals(r2, records.get(1).json());
        assertEquals("a2", records.get(1).id());
        assertEquals(25, records.get(1).recordType());
        assertNull(records.get(1).workload());
        assertNull(records.get(1).operation());
    }

    @Test
    void recordsAreCutExactlyWhateverTheReadBoundaries() {
        // one byte per read: every escape, quote and bracket falls on a read boundary once
        String r1 = "{\"Id\":\"a\\\"}\\\\\",\"S\":\"]}[{\\u00e9\",\"N\":{\"x\":[1,\"}\"]}}";
        String r2 = "\"a string element with \\\" and ] }\"";
        String body = " [" + r1 + " ,\n" + r2 + ", 42 ,{\"Id\":\"b\"}] ";
        InputStream oneByteAtATime =
                new java.io.FilterInputStream(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))) {
                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        return super.read(b, off, Math.min(len, 1));
                    }
                };
        List<AuditRecord> records = readAll(oneByteAtATime);
        assertEquals(4, records.size());
        assertEquals(r1, records.get(0).json());
        assertEquals("a\"}\\", records.get(0).id());
        assertEquals(r2, records.get(1).json());
        assertEquals("42", records.get(2).json());
        assertEquals("b", records.get(3).id());
    }

    @Test
    void emptyArray() {
        assertTrue(readAll("[]").isEmpty());
        assertTrue(readAll(" [ \n ] ").isEmpty());
    }

    @Test
    void recordsLargerThanTheParserBuffer() {
        StringBuilder big = new StringBuilder("{\"Id\":\"big\",\"Blob\":\"");
        for (int i = 0; i < 100_000; i++) {
            big.append("\\u00e9x");
        }
        big.append("\"}");
        String small = "{\"Id\":\"s\"}";
        List<AuditRecord> records = readAll("[" + small + "," + big + "," + small + "]");
        assertEquals(3, records.size());
        assertEquals(big.toString(), records.get(1).json());
        assertEquals(small, records.get(2).json());
    }

    @Test
    void truncatedBodyIsTransient() {
        String body = "[{\"Id\":\"1\"},{\"Id\":\"2\",\"X\":\"abc";
        JsonAuditRecordStream s = new JsonAuditRecordStream(
                new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), null, "test blob");
        assertTrue(s.hasNext());
        assertEquals("1", s.next().id());
        ApiException e = assertThrows(ApiException.class, s::hasNext);
        assertEquals(ErrorKind.TRANSIENT, e.kind());
        assertFalse(s.hasNext());
        s.close();
    }

    @Test
    void missingClosingBracketIsTransient() {
        ApiException e = assertThrows(ApiException.class, () -> readAll("[{\"Id\":\"1\"}"));
        assertEquals(ErrorKind.TRANSIENT, e.kind());
    }

    @Test
    void connectionResetIsTransient() {
        InputStream resetting = new InputStream() {
            private final byte[] data = "[{\"Id\":\"1\"},{\"Id\":\"2\"".getBytes(StandardCharsets.UTF_8);
            private int pos;

            @Override
            public int read() throws IOException {
                if (pos < data.length) {
                    return data[pos++];
                }
                throw new java.net.SocketException("Connection reset");
            }
        };
        ApiException e = assertThrows(ApiException.class, () -> readAll(resetting));
        assertEquals(ErrorKind.TRANSIENT, e.kind());
        assertTrue(e.getMessage().contains("Connection reset") || e.getCause() != null);
    }

    @Test
    void notAnArrayIsTransient() {
        assertEquals(
                ErrorKind.TRANSIENT,
                assertThrows(ApiException.class, () -> readAll("{\"error\":{\"code\":\"AF50000\"}}"))
                        .kind());
        assertEquals(
                ErrorKind.TRANSIENT,
                assertThrows(ApiException.class, () -> readAll("")).kind());
    }

    @Test
    void closesUnderlyingResource() {
        boolean[] closed = {false};
        JsonAuditRecordStream s =
                new JsonAuditRecordStream(new ByteArrayInputStream("[]".getBytes()), () -> closed[0] = true, "t");
        s.close();
        assertTrue(closed[0]);
    }

    @Test
    void oddButValidRecordsAreDeliveredNotFailed() {
        String bigType = "{\"Id\":\"t\",\"RecordType\":99999999999}";
        String deep = "{\"Id\":\"d\",\"x\":" + "[".repeat(1500) + "]".repeat(1500) + "}";
        String longName = "{\"Id\":\"n\",\"" + "k".repeat(60_000) + "\":1}";
        List<AuditRecord> records = readAll("[" + bigType + "," + deep + "," + longName + "]");
        assertEquals(3, records.size());
        assertEquals("t", records.get(0).id());
        assertNull(records.get(0).recordType(), "a RecordType beyond int is unknown, not fatal");
        assertEquals(deep, records.get(1).json());
        assertEquals(longName, records.get(2).json());
    }

    @Test
    void elementsThatAreNotObjectsAreHandedOnAsProblemsWithTheirRawText() {
        List<AuditRecord> records = readAll("[{\"Id\":\"a\"}, 42, \"text\", [1, {\"b\":2}], null, {\"Id\":\"c\"}]");
        assertEquals(6, records.size());
        assertNull(records.get(0).problem());
        assertEquals("42", records.get(1).json());
        assertTrue(
                records.get(1).problem().contains("not an audit record"),
                records.get(1).problem());
        assertEquals("\"text\"", records.get(2).json());
        assertEquals("[1, {\"b\":2}]", records.get(3).json());
        assertEquals("null", records.get(4).json());
        assertEquals("c", records.get(5).id());
        assertNull(records.get(5).problem());
    }

    private static List<AuditRecord> readAll(String body, int maxRecordBytes) {
        List<AuditRecord> out = new ArrayList<>();
        try (JsonAuditRecordStream s = new JsonAuditRecordStream(
                new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), null, "test blob", maxRecordBytes)) {
            s.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void aRecordLargerThanTheLimitIsCountedNotReadAndTheRestOfTheBlobIsDelivered() {
        String small = "{\"Id\":\"s\",\"Text\":\"caf\u00e9\"}";
        String idFirst = "{\"Id\":\"big-1\",\"x\":\"" + "\\\"}]".repeat(2000) + "\"}";
        String idLate = "{\"x\":[" + "{\"a\":\"}\"},".repeat(300) + "1],\"Id\":\"big-2\"}";
        String bigString = "\"" + "y".repeat(5000) + "\"";
        String exactlyAtLimit = "{\"Id\":\"edge\",\"p\":\"" + "z".repeat(1024 - 20) + "\"}";
        assertEquals(1024, exactlyAtLimit.length());
        List<AuditRecord> records = readAll(
                "[" + small + ",\n" + idFirst + " , " + small + "," + idLate + "," + bigString + "," + exactlyAtLimit
                        + "]",
                1024);
        assertEquals(6, records.size());
        assertEquals(small, records.get(0).json());
        AuditRecord first = records.get(1);
        assertTrue(first.isTooLarge());
        assertEquals("big-1", first.id(), "an Id before the limit is found");
        assertEquals(idFirst.length(), first.size(), "the exact size, counted while skipping");
        assertTrue(first.problem().contains("o365.record.max.bytes (1024)"), first.problem());
        assertEquals(small, records.get(2).json(), "the scanner resumes right after the large record");
        assertTrue(records.get(3).isTooLarge());
        assertNull(records.get(3).id(), "an Id after the limit is not looked for");
        assertEquals(idLate.length(), records.get(3).size());
        assertTrue(records.get(4).isTooLarge());
        assertEquals(bigString.length(), records.get(4).size());
        assertFalse(records.get(5).isTooLarge(), "a record of exactly the limit is read");
        assertEquals(exactlyAtLimit, records.get(5).json());
    }

    @Test
    void theLimitCountsUtf8Bytes() {
        String r = "{\"Id\":\"u\",\"t\":\"" + "\u00e9".repeat(600) + "\"}";
        List<AuditRecord> records = readAll("[" + r + "]", 1024);
        assertTrue(records.get(0).isTooLarge(), "600 characters of two bytes each");
        assertEquals(r.getBytes(StandardCharsets.UTF_8).length, records.get(0).size());
        assertEquals("u", records.get(0).id());
    }

    @Test
    void eachStreamHasItsOwnFactoryWhichNeverInternsNames() {
        com.fasterxml.jackson.core.JsonFactory f = JsonAuditRecordStream.factory(1_000_000);
        assertFalse(f.isEnabled(com.fasterxml.jackson.core.JsonFactory.Feature.INTERN_FIELD_NAMES));
        assertEquals(1_000_000, f.streamReadConstraints().getMaxNameLength());
        assertTrue(f != JsonAuditRecordStream.factory(1_000_000), "no factory (and symbol table) is shared");
    }

    @Test
    void aSyntaxErrorInsideARecordIsTransient() {
        for (String body : List.of("[{\"Id\":\"1\"]", "[{\"Id\":1}}]", "[{\"Id\":1},]", "[1 2]", "[,]", "[{}] x")) {
            ApiException e = assertThrows(ApiException.class, () -> readAll(body), body);
            assertEquals(ErrorKind.TRANSIENT, e.kind(), body);
        }
    }
}
