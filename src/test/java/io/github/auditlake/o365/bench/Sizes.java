package io.github.auditlake.o365.bench;

import java.time.Duration;
import java.util.List;

/**
 * Sizes of every scenario: the full run ({@link #full()}) and the tiny smoke run the test suite uses so the harness
 * cannot rot ({@link #smoke()}).
 */
record Sizes(
        String name,
        // throughput
        int throughputRecords,
        int recordBytes,
        int recordsPerBlob,
        int multiTasks,
        // backfill
        Duration backfillSpan,
        int backfillBlobsPerHour,
        int backfillRecordsPerBlob,
        int backfillRequestsPerMinute,
        int backfillTasks,
        int backfillFetchConcurrency,
        // memory
        List<Long> memorySingleBlobBytes,
        int memoryConcurrentBlobs,
        long memoryConcurrentBlobBytes,
        String memoryHeap,
        // freshness
        int freshnessBlobsPerHour,
        int freshnessRecordsPerBlob,
        Duration freshnessWarmup,
        Duration freshnessMeasure,
        long pollIntervalMs,
        // one worker for all scenarios (smoke) instead of a fresh one per run
        boolean shareWorker,
        Duration scenarioTimeout) {

    static Sizes full() {
        return new Sizes(
                "full",
                1_000_000,
                1500,
                1000,
                5,
                Duration.ofDays(1),
                6,
                50,
                600,
                5,
                4,
                List.of(64L << 20, 256L << 20, 520L << 20),
                4,
                200L << 20,
                "256m",
                720,
                20,
                Duration.ofSeconds(20),
                Duration.ofSeconds(90),
                2000,
                false,
                Duration.ofMinutes(10));
    }

    static Sizes smoke() {
        return new Sizes(
                "smoke",
                2_000,
                1500,
                200,
                5,
                Duration.ofHours(1),
                1,
                20,
                1800,
                5,
                4,
                List.of(2L << 20, 6L << 20),
                2,
                2L << 20,
                "256m",
                1800,
                10,
                Duration.ofSeconds(6),
                Duration.ofSeconds(3),
                1000,
                true,
                Duration.ofSeconds(60));
    }
}
