package io.github.auditlake.o365.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written fast path for {@code yyyy-MM-ddTHH:mm:ss} agrees with {@code LocalDateTime.parse}. */
class CreationTimeParseTest {

    private static Long reference(String s) {
        try {
            return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    @Test
    void agreesWithLocalDateTimeParse() {
        Random r = new Random(1);
        for (int i = 0; i < 20_000; i++) {
            String s = String.format(
                    "%04d-%02d-%02dT%02d:%02d:%02d",
                    1970 + r.nextInt(100),
                    1 + r.nextInt(13),
                    1 + r.nextInt(31),
                    r.nextInt(25),
                    r.nextInt(61),
                    r.nextInt(61));
            assertEquals(reference(s), RecordMapper.creationTimeMillis(s), s);
        }
    }

    @Test
    void invalidAndOtherShapes() {
        for (String s : new String[] {
            "2024-02-30T00:00:00",
            "2023-02-29T10:00:00",
            "2024-13-01T00:00:00",
            "2024-01-01T24:00:00",
            "2024-01-01T23:60:00",
            "2024-01-01T23:59:60",
            "2024-01-01 23:59:59",
            "2024-01-0xT23:59:59",
            "+024-01-01T23:59:59"
        }) {
            assertNull(RecordMapper.creationTimeMillis(s), s);
        }
        assertEquals(reference("2024-02-29T23:59:59"), RecordMapper.creationTimeMillis("2024-02-29T23:59:59"));
        assertEquals(
                LocalDateTime.parse("2024-03-01T12:00:00.123")
                        .toInstant(ZoneOffset.UTC)
                        .toEpochMilli(),
                RecordMapper.creationTimeMillis("2024-03-01T12:00:00.123"));
        assertEquals(1_709_294_400_000L, RecordMapper.creationTimeMillis("2024-03-01T12:00:00Z"));
    }
}
