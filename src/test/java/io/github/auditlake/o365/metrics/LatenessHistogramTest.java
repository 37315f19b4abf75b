package io.github.auditlake.o365.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LatenessHistogramTest {
    @Test
    void percentilesAreReadToWithinTenPercentAboveAndNeverAboveTheMaximum() {
        LatenessHistogram h = new LatenessHistogram();
        // 1..1000 seconds: p50 = 500 s, p90 = 900 s, p99 = 990 s
        for (int s = 1; s <= 1000; s++) {
            h.record(Duration.ofSeconds(s));
        }
        LatenessHistogram.Snapshot snap = h.snapshot();
        assertEquals(1000, snap.count());
        assertEquals(1_000_000, snap.maxMs());
        assertWithinTenPercentAbove(500_000, snap.p50Ms());
        assertWithinTenPercentAbove(900_000, snap.p90Ms());
        assertWithinTenPercentAbove(990_000, snap.p99Ms());
        assertTrue(snap.p99Ms() <= snap.maxMs());
    }

    static void assertWithinTenPercentAbove(long exact, long read) {
        assertTrue(read >= exact && read <= exact * 1.1, "read " + read + " for " + exact);
    }

    @Test
    void oneStragglerAmongManyPromptBlobsShowsInTheMaximumAndNotInTheMedian() {
        LatenessHistogram h = new LatenessHistogram();
        for (int i = 0; i < 200; i++) {
            h.record(Duration.ofSeconds(40));
        }
        h.record(Duration.ofHours(20));
        LatenessHistogram.Snapshot snap = h.snapshot();
        assertWithinTenPercentAbove(40_000, snap.p50Ms());
        assertWithinTenPercentAbove(40_000, snap.p99Ms());
        assertEquals(Duration.ofHours(20).toMillis(), snap.maxMs());
    }

    @Test
    void negativeLatenessCountsAsZeroAndBeyondTheLastBucketAsItsValue() {
        LatenessHistogram h = new LatenessHistogram();
        h.record(Duration.ofSeconds(-5));
        assertEquals(new LatenessHistogram.Snapshot(1, 0, 0, 0, 0), h.snapshot());
        h.record(Duration.ofDays(30));
        assertEquals(Duration.ofDays(30).toMillis(), h.snapshot().maxMs());
        assertEquals(Duration.ofDays(30).toMillis(), h.snapshot().p99Ms());
    }

    @Test
    void anEmptyHistogramReadsZero() {
        assertEquals(LatenessHistogram.Snapshot.EMPTY, new LatenessHistogram().snapshot());
    }

    @Test
    void engineMetricsGiveASnapshotPerContentTypeInNameOrder() {
        EngineMetrics m = new EngineMetrics();
        m.lateness("Audit.SharePoint").record(Duration.ofMinutes(90));
        m.lateness("Audit.Exchange").record(Duration.ofSeconds(30));
        m.lateness("Audit.Exchange").record(Duration.ofSeconds(50));
        Map<String, LatenessHistogram.Snapshot> all = m.latenessSnapshots();
        assertEquals(java.util.List.of("Audit.Exchange", "Audit.SharePoint"), java.util.List.copyOf(all.keySet()));
        assertEquals(2, all.get("Audit.Exchange").count());
        assertEquals(50_000, all.get("Audit.Exchange").maxMs());
        assertEquals(LatenessHistogram.Snapshot.EMPTY, m.latenessSnapshot("DLP.All"));
        assertTrue(m.summary().contains("Audit.SharePoint=n=1"), m.summary());
    }
}
