package io.github.auditlake.o365.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SeamIdsTest {
    static final Instant SEAM = Instant.parse("2024-01-08T00:00:00Z");

    private static HistoryRecord rec(String id, Instant t) {
        return new HistoryRecord(id, t, "{}", 2, "Exchange", ContentType.EXCHANGE);
    }

    @Test
    void aRecordBothSourcesGiveIsDeliveredOnce() {
        SeamIds s = new SeamIds(SEAM, Duration.ofHours(2));
        s.delivered(rec("a", SEAM.minusSeconds(60)));
        s.delivered(rec("old", SEAM.minus(Duration.ofHours(3))));
        assertEquals(1, s.size(), "only Ids close to the seam are remembered");
        assertTrue(s.isDuplicate("a", SEAM.minusSeconds(60)));
        assertEquals(1, s.duplicates());
    }

    @Test
    void aRecordAuditSearchDidNotGiveIsDelivered() {
        SeamIds s = new SeamIds(SEAM, Duration.ofHours(2));
        assertFalse(s.isDuplicate("b", SEAM.minusSeconds(60)));
        assertEquals(1, s.unmatchedRecent());
        assertFalse(s.isDuplicate("c", SEAM.minus(Duration.ofHours(5))));
        assertEquals(1, s.unmatchedOld());
    }

    @Test
    void recordsFromTheSeamOnAreNeverDuplicates() {
        SeamIds s = new SeamIds(SEAM, Duration.ofHours(2));
        s.delivered(rec("a", SEAM.minusSeconds(60)));
        assertFalse(s.isDuplicate("a", SEAM));
        assertEquals(0, s.duplicates());
    }
}
