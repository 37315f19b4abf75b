package io.github.auditlake.o365.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.engine.Emission;
import io.github.auditlake.o365.mapping.DriftRadar;
import io.github.auditlake.o365.metrics.EngineMetrics;
import io.github.auditlake.o365.records.RecordMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU per record of the record mapper in each value format, on one thread, over simulator records of the five
 * content types (a harness, not a test): {@code java -cp target/test-classes:target/classes:$(cat
 * target/test-classpath.txt) io.github.auditlake.o365.simulator.MappingCostBench [recordsPerType] [recordBytes]
 * [rounds]}. Prints, per format, the best round's nanoseconds per record.
 */
public final class MappingCostBench {
    private MappingCostBench() {}

    public static void main(String[] args) throws Exception {
        int perType = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int bytes = args.length > 1 ? Integer.parseInt(args[1]) : 1500;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        Instant t0 = Instant.parse("2026-11-20T10:00:00Z");
        ObjectMapper json = new ObjectMapper();
        List<Emission.Event> events = new ArrayList<>();
        for (ContentType type : ContentType.values()) {
            SimBlob blob = new SimBlob(
                    SimulatorMain.DEFAULT_TENANT,
                    type,
                    ContentStore.contentId(type, t0.minusSeconds(60), t0, 7, "na0010"),
                    t0,
                    t0,
                    t0.plus(Duration.ofDays(7)),
                    perType,
                    type.ordinal() * 31L + 5,
                    bytes,
                    null,
                    0,
                    null,
                    null);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            RecordGenerator.writeBody(blob, out, -1);
            StreamId stream = new StreamId(SimulatorMain.DEFAULT_TENANT, type);
            ContentBlob cb = new ContentBlob(type.wireName(), "b", "https://x/b", t0, t0.plus(Duration.ofDays(7)));
            for (JsonNode n : json.readTree(out.toByteArray())) {
                byte[] utf8 = json.writeValueAsBytes(n);
                AuditRecord r = AuditRecord.fromUtf8(
                        utf8,
                        n.path("Id").asText(null),
                        n.path("CreationTime").asText(null),
                        n.path("Workload").asText(null),
                        n.path("RecordType").isInt() ? n.get("RecordType").asInt() : null,
                        n.path("Operation").asText(null));
                r.json(); // decoded while fetching in the connector, off the task thread
                events.add(new Emission.Event(stream, cb, r, StreamCursor.startingAt(t0), false));
            }
        }
        long totalBytes =
                events.stream().mapToLong(e -> e.record().textLength()).sum();
        System.out.printf("%d records, %d bytes on average%n", events.size(), totalBytes / events.size());
        for (RecordMapper.ValueFormat f : RecordMapper.ValueFormat.values()) {
            RecordMapper m = new RecordMapper("audit", "hb", "skips", Integer.MAX_VALUE, new EngineMetrics())
                    .withFormat(f, RecordMapper.ALL_HEADERS)
                    .withDrift(new DriftRadar(e -> {}));
            long best = Long.MAX_VALUE;
            long sink = 0;
            for (int round = 0; round < rounds; round++) {
                long start = System.nanoTime();
                for (Emission.Event e : events) {
                    Object v = m.toRecord(e).value();
                    sink += v instanceof String s ? s.length() : 1;
                }
                best = Math.min(best, System.nanoTime() - start);
            }
            System.out.printf(
                    "%-12s %8.0f ns/record %10.0f records/s (checksum %d)%n",
                    f.configName(), (double) best / events.size(), events.size() * 1e9 / best, sink % 997);
        }
        System.out.println(new String(new byte[0], StandardCharsets.UTF_8));
    }
}
