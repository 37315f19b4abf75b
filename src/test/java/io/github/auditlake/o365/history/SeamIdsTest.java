package io.github.auditlake.o365.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SeamIdsTest {
    static final Instant SEAM = Instant.parse("2024-01-08T00:00:00Z");

    private static HistoryRecord rec(String id, Instant t) {
        return new HistoryRecord(id, t, "{}", 2, "Exchange", ContentType.EXCHANGE);
    }

    @Test
    void aRecordBothSourcesGiveIsDeliveredOnce() {
        SeamIds s = new SeamIds(SEAM);
        s.listed("a", "2024-01-07T23:59:00");
        assertTrue(s.isDuplicate(rec("a", SEAM.minusSeconds(60))));
        assertEquals(1, s.duplicates());
    }

    @Test
    void onlyRecordsCreatedBeforeTheSeamAreRemembered() {
        SeamIds s = new SeamIds(SEAM);
        s.listed("late", "2024-01-07T23:59:00.1234567");
        s.listed("after", "2024-01-08T00:00:00");
        assertEquals(1, s.size());
        assertFalse(s.isDuplicate(rec("after", SEAM.minusSeconds(1))));
    }

    @Test
    void aRecordOnlyAuditSearchGivesIsDelivered() {
        SeamIds s = new SeamIds(SEAM);
        s.listed("a", "2024-01-07T23:00:00");
        assertFalse(s.isDuplicate(rec("b", SEAM.minusSeconds(60))));
        assertEquals(0, s.duplicates());
    }

    @Test
    void aRecordWithoutAReadableTimeIsRemembered() {
        SeamIds s = new SeamIds(SEAM);
        s.listed("x", "not a time");
        assertTrue(s.isDuplicate(rec("x", SEAM.minusSeconds(5))));
    }
}
