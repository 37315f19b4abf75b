package io.github.auditlake.o365.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The one-pass reader agrees with Jackson on everything it takes, and leaves to Jackson what it does not (so the
 * stream's behaviour, errors included, is Jackson's there).
 */
class TopLevelFieldsTest {
    private final JsonAuditRecordStream jackson =
            new JsonAuditRecordStream(new ByteArrayInputStream("[]".getBytes(StandardCharsets.UTF_8)), null, "t");

    private static final String AUDIT = "{\"CreationTime\":\"2024-03-01T10:11:15\",\"Id\":\"a1b2-c3\","
            + "\"Operation\":\"FileAccessed\",\"OrganizationId\":\"org\",\"RecordType\":6,\"UserKey\":\"u\","
            + "\"UserType\":0,\"Version\":1,\"Workload\":\"SharePoint\",\"ClientIP\":\"10.0.0.1\","
            + "\"ObjectId\":\"https://x/y caf\u00e9 \u4e2d\ud83d\ude00\",\"Flag\":true,\"Nothing\":null,"
            + "\"Ratio\":-1.5e-3,\"Nested\":{\"Id\":\"no\",\"RecordType\":7,\"L\":[1,{\"a\":[]},\"s\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"]},"
            + "\"Empty\":{},\"EmptyList\":[ ]}";

    @Test
    void readsTheFiveTopLevelFieldsAsJacksonDoes() throws IOException {
        AuditRecord fast = TopLevelFields.read(utf8(AUDIT));
        assertNotNull(fast, "a plain record takes the fast path");
        assertEquals(jackson.readWithJackson(utf8(AUDIT)), fast);
        assertEquals("a1b2-c3", fast.id());
        assertEquals("2024-03-01T10:11:15", fast.creationTime());
        assertEquals("SharePoint", fast.workload());
        assertEquals("FileAccessed", fast.operation());
        assertEquals(6, fast.recordType());
    }

    @Test
    void keepsTheOriginalBytes() {
        byte[] b = utf8(AUDIT);
        assertSame(b, TopLevelFields.read(b).utf8(), "the value goes out as served, not copied");
    }

    @Test
    void scalarsOfEveryKindAgreeWithJackson() throws IOException {
        List<String> values = List.of(
                "\"x\"",
                "\"\"",
                "12",
                "-0",
                "0",
                "1.25",
                "-3E+7",
                "2147483647",
                "2147483648",
                "-2147483648",
                "-2147483649",
                "99999999999",
                "true",
                "false",
                "null",
                "\" 25 \"",
                "\"+7\"",
                "\"007\"",
                "\"x1\"",
                "{}",
                "[]",
                "{\"a\":1}",
                "[1,2]",
                "\"\u00e9\"");
        List<String> names = List.of("Id", "CreationTime", "Workload", "RecordType", "Operation", "Other");
        for (String name : names) {
            for (String v : values) {
                String r = "{\"Id\":\"before\",\"RecordType\":3,\"" + name + "\":" + v + "}";
                AuditRecord fast = TopLevelFields.read(utf8(r));
                assertNotNull(fast, r);
                assertEquals(jackson.readWithJackson(utf8(r)), fast, r);
            }
        }
    }

    @Test
    void leavesToJacksonWhatItDoesNotTake() throws IOException {
        for (String r : List.of(
                "[1]",
                "42",
                "\"text\"",
                "{\"I\\u0064\":\"escaped-name\"}",
                "{\"Id\":\"esc\\u0061ped\"}",
                "{\"RecordType\":\"\\u0032\"}",
                "{\"caf\u00e9\":1,\"Id\":\"x\"}",
                "{\"Id\":\"x\",\"d\":" + "[".repeat(TopLevelFields.MAX_DEPTH + 1)
                        + "]".repeat(TopLevelFields.MAX_DEPTH + 1) + "}",
                "{\"n\":1" + "0".repeat(TopLevelFields.MAX_NUMBER_LENGTH) + "}")) {
            assertNull(TopLevelFields.read(utf8(r)), r);
            assertNotNull(jackson.readWithJackson(utf8(r)), r); // valid: Jackson reads it
        }
    }

    @Test
    void syntaxErrorsAreLeftToJackson() {
        for (String r : List.of(
                "{\"Id\":1,}",
                "{\"Id\":01}",
                "{\"Id\":1.}",
                "{\"Id\":.5}",
                "{\"Id\":+1}",
                "{\"Id\":-}",
                "{\"Id\":1e}",
                "{\"Id\":tru}",
                "{\"Id\":truex}",
                "{\"Id\":NaN}",
                "{\"Id\":'a'}",
                "{Id:1}",
                "{\"Id\" 1}",
                "{\"Id\":1 \"x\":2}",
                "{\"a\":\"bad \\x escape\"}",
                "{\"a\":\"short \\u12\"}",
                "{\"a\":\"tab\there\"}",
                "{\"a\":[1 2]}",
                "{\"a\":[1,]}",
                "{\"a\":{\"b\"}}",
                "{\"a\":1}x",
                "{\"a\":1} {}",
                "{\"a\":1/*c*/}")) {
            assertNull(TopLevelFields.read(utf8(r)), r);
            jacksonRejects(utf8(r), r);
        }
    }

    @Test
    void malformedUtf8IsLeftToJackson() {
        byte[][] bad = {
            {(byte) 0x80}, // a continuation byte alone
            {(byte) 0xc3}, // a lead byte at the end of the string
            {(byte) 0xc3, 'a'}, // a lead byte without its continuation
            {(byte) 0xc0, (byte) 0xaf}, // overlong
            {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // a surrogate
            {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
            {(byte) 0xff}
        };
        for (byte[] seq : bad) {
            byte[] r = concat(utf8("{\"Id\":\"x\",\"a\":\""), seq, utf8("\"}"));
            assertNull(TopLevelFields.read(r), java.util.Arrays.toString(seq));
        }
    }

    /**
     * Random records and random damage to them: whenever the fast path answers, Jackson reads the same record with
     * the same fields; whenever Jackson rejects the bytes, the fast path has answered null.
     */
    @Test
    void agreesWithJacksonOnRandomRecordsAndTheirDamagedForms() {
        Random rnd = new Random(20261206);
        int fastTaken = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] whole = utf8(randomRecord(rnd));
            byte[] r = round % 2 == 1 ? damage(whole, rnd) : whole;
            AuditRecord fast = TopLevelFields.read(r);
            AuditRecord slow;
            try {
                slow = jackson.readWithJackson(r);
            } catch (IOException | RuntimeException e) {
                assertNull(fast, () -> "Jackson rejects, the fast path took: " + new String(r, StandardCharsets.UTF_8));
                continue;
            }
            if (fast != null) {
                fastTaken++;
                assertEquals(slow, fast, new String(r, StandardCharsets.UTF_8));
            }
        }
        // most undamaged records take the fast path (those with escapes in the five values do not)
        if (fastTaken < 5_000) {
            fail("the fast path took only " + fastTaken + " of 20,000 records");
        }
    }

    /**
     * The stream reads plain records straight from its read buffer, topping it up when a record goes on past it:
     * whatever sizes the body's reads come in, every record is the one Jackson reads from its bytes.
     */
    @Test
    void recordsReadFromTheBodyMatchJacksonWhateverTheReadSizes() throws IOException {
        Random rnd = new Random(7);
        List<byte[]> records = new ArrayList<>();
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 3_000; i++) {
            String r = randomRecord(rnd);
            records.add(utf8(r));
            body.append(i == 0 ? "" : rnd.nextBoolean() ? "," : " ,\n").append(r);
        }
        body.append(']');
        byte[] all = utf8(body.toString());
        java.io.InputStream uneven = new ByteArrayInputStream(all) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + rnd.nextInt(300)));
            }
        };
        List<AuditRecord> read = new ArrayList<>();
        try (JsonAuditRecordStream s = new JsonAuditRecordStream(uneven, null, "t")) {
            s.forEachRemaining(read::add);
        }
        assertEquals(records.size(), read.size());
        for (int i = 0; i < records.size(); i++) {
            assertEquals(jackson.readWithJackson(records.get(i)), read.get(i), "record " + i);
        }
    }

    @Test
    void recurringWorkloadsAndOperationsOfABlobAreOneStringInstanceEach() {
        String a = "{\"Id\":\"1\",\"Workload\":\"Exchange\",\"Operation\":\"Send\"}";
        String b = "{\"Id\":\"2\",\"Workload\":\"Exchange\",\"Operation\":\"MailItemsAccessed\"}";
        String c = "{\"Id\":\"3\",\"Workload\":\"Exchange\",\"Operation\":\"Send\"}";
        List<AuditRecord> records = new ArrayList<>();
        try (JsonAuditRecordStream s = new JsonAuditRecordStream(
                new ByteArrayInputStream(utf8("[" + a + "," + b + "," + c + "]")), null, "t")) {
            s.forEachRemaining(records::add);
        }
        assertSame(records.get(0).workload(), records.get(1).workload());
        assertSame(records.get(0).operation(), records.get(2).operation());
        assertEquals("MailItemsAccessed", records.get(1).operation());
        assertEquals("Send", records.get(2).operation());
        // a table of a few short values: a long one is a new string each time, equal all the same
        TopLevelFields.Recurring recurring = new TopLevelFields.Recurring();
        byte[] text = utf8("x".repeat(TopLevelFields.Recurring.MAX_LENGTH + 1));
        String first = recurring.string(text, 0, text.length);
        String second = recurring.string(text, 0, text.length);
        assertEquals(first, second);
        org.junit.jupiter.api.Assertions.assertNotSame(first, second);
    }

    private void jacksonRejects(byte[] r, String what) {
        try {
            jackson.readWithJackson(r);
        } catch (IOException | RuntimeException expected) {
            return;
        }
        fail("Jackson accepted " + what);
    }

    private static String randomRecord(Random rnd) {
        StringBuilder sb = new StringBuilder("{");
        String[] names = {"Id", "CreationTime", "Workload", "RecordType", "Operation", "UserId", "Nested", "X"};
        int fields = 1 + rnd.nextInt(8);
        for (int f = 0; f < fields; f++) {
            if (f > 0) {
                sb.append(rnd.nextInt(4) == 0 ? " , " : ",");
            }
            sb.append('"').append(names[rnd.nextInt(names.length)]).append("\":");
            randomValue(sb, rnd, 0);
        }
        return sb.append('}').toString();
    }

    private static void randomValue(StringBuilder sb, Random rnd, int depth) {
        switch (rnd.nextInt(depth > 3 ? 6 : 8)) {
            case 0 -> randomString(sb, rnd);
            case 1 -> sb.append(rnd.nextInt(2_000_000) - 1_000_000);
            case 2 -> sb.append(rnd.nextBoolean() ? "true" : "false");
            case 3 -> sb.append("null");
            case 4 -> sb.append(rnd.nextLong());
            case 5 ->
                sb.append(rnd.nextInt(1000))
                        .append('.')
                        .append(rnd.nextInt(1000))
                        .append("e-2");
            case 6 -> {
                sb.append('{');
                int n = rnd.nextInt(3);
                for (int i = 0; i < n; i++) {
                    sb.append(i > 0 ? "," : "").append("\"k").append(i).append("\":");
                    randomValue(sb, rnd, depth + 1);
                }
                sb.append('}');
            }
            default -> {
                sb.append('[');
                int n = rnd.nextInt(3);
                for (int i = 0; i < n; i++) {
                    sb.append(i > 0 ? ", " : "");
                    randomValue(sb, rnd, depth + 1);
                }
                sb.append(']');
            }
        }
    }

    private static void randomString(StringBuilder sb, Random rnd) {
        String[] parts = {"a", "Z9", " ", "\\\"", "\\\\", "\\n", "\\u00e9", "\u00e9", "\u4e2d", "\ud83d\ude00", "2024-"
        };
        sb.append('"');
        int n = rnd.nextInt(5);
        for (int i = 0; i < n; i++) {
            sb.append(parts[rnd.nextInt(parts.length)]);
        }
        sb.append('"');
    }

    private static byte[] damage(byte[] r, Random rnd) {
        byte[] d = r.clone();
        byte[] pool = {
            '"',
            '\\',
            '{',
            '}',
            '[',
            ']',
            ',',
            ':',
            ' ',
            '0',
            '1',
            '-',
            '.',
            'e',
            't',
            'n',
            'u',
            '\t',
            0x01,
            (byte) 0x80,
            (byte) 0xc3,
            (byte) 0xe4,
            (byte) 0xff
        };
        int edits = 1 + rnd.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int at = rnd.nextInt(d.length);
            switch (rnd.nextInt(3)) {
                case 0 -> d[at] = pool[rnd.nextInt(pool.length)];
                case 1 -> d = concat(java.util.Arrays.copyOf(d, at), java.util.Arrays.copyOfRange(d, at + 1, d.length));
                default ->
                    d = concat(
                            java.util.Arrays.copyOf(d, at),
                            new byte[] {pool[rnd.nextInt(pool.length)]},
                            java.util.Arrays.copyOfRange(d, at, d.length));
            }
            if (d.length == 0) {
                d = new byte[] {'{'};
            }
        }
        return d;
    }

    private static byte[] concat(byte[]... parts) {
        List<byte[]> l = new ArrayList<>(List.of(parts));
        int n = l.stream().mapToInt(p -> p.length).sum();
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : l) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
