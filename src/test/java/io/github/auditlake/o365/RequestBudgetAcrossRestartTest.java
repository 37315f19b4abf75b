package io.github.auditlake.o365;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.config.DefaultApiFactory;
import io.github.auditlake.o365.config.O365SourceTaskConfig;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.RecordedRequest;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import io.github.auditlake.o365.testkit.ConnectorConfigs;
import io.github.auditlake.o365.testkit.FakeTaskContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * The request budget holds in every 60-second window as the simulator counts requests, also across a task that dies
 * and is replaced at once (a crash, a rebalance): the new task does not spend a fresh minute's budget on top of its
 * predecessor's. Real time (about 65 s), one tenant, a backlog that keeps the budget saturated.
 */
class RequestBudgetAcrossRestartTest {
    static final String TENANT = "8e4d2b3c-6f70-4b9c-8d1e-2f3a4b5c6d70";
    static final String CLIENT = "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69";
    static final int BUDGET = 120;

    @Test
    void theBudgetHoldsInEverySixtySecondWindowAcrossATaskRestart() throws Exception {
        try (ManagementApiSimulator sim = ManagementApiSimulator.builder()
                .clock(SimClock.system())
                .seed(5)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret("s3cret"))
                        .volumeAll(Volume.of(200, 1))
                        .backfill(Duration.ofHours(6)))
                .build()
                .start()) {
            Map<String, String> props = ConnectorConfigs.forSimulator(sim.baseUrl())
                    .tenant(TENANT)
                    .client(CLIENT, "s3cret")
                    .contentTypes(ContentType.EXCHANGE)
                    .lookback(Duration.ofHours(6))
                    .with("o365.requests.per.minute", Integer.toString(BUDGET))
                    .noHeartbeats()
                    .with(O365SourceTaskConfig.TASK_STREAMS_CONFIG, TENANT + "|Audit.Exchange")
                    .build();
            FakeTaskContext ctx = new FakeTaskContext(false);
            long restartAt = runFor(props, ctx, Duration.ofSeconds(15));
            runFor(props, ctx, Duration.ofSeconds(50));

            List<Long> arrivals = sim.requests().stream()
                    .filter(RecordedRequest::isApi)
                    .map(RecordedRequest::wallStartNanos)
                    .sorted()
                    .toList();
            assertTrue(arrivals.size() > BUDGET, "the budget was saturated: " + arrivals.size() + " requests");
            int worst = 0;
            for (int i = 0; i < arrivals.size(); i++) {
                long end = arrivals.get(i) + Duration.ofSeconds(60).toNanos();
                int n = 0;
                for (int j = i; j < arrivals.size() && arrivals.get(j) < end; j++) {
                    n++;
                }
                worst = Math.max(worst, n);
            }
            long straddling = arrivals.stream()
                    .filter(a -> a >= restartAt - Duration.ofSeconds(15).toNanos()
                            && a < restartAt + Duration.ofSeconds(45).toNanos())
                    .count();
            System.out.println("budget " + BUDGET + "/min: worst 60 s window " + worst + " requests; the window "
                    + "straddling the restart " + straddling);
            assertTrue(worst <= BUDGET, "a 60 s window held " + worst + " requests, over the budget of " + BUDGET);
        }
    }

    /** Runs a task for {@code d} of real time, storing its offsets in {@code ctx}; returns when it stopped. */
    static long runFor(Map<String, String> props, FakeTaskContext ctx, Duration d) throws Exception {
        O365AuditSourceTaskAccess task = O365AuditSourceTaskAccess.start(props, new DefaultApiFactory(), ctx);
        long end = System.nanoTime() + d.toNanos();
        try {
            while (System.nanoTime() < end) {
                List<SourceRecord> batch = task.poll();
                if (batch != null) {
                    batch.forEach(ctx::store);
                }
            }
        } finally {
            task.stop();
        }
        return System.nanoTime();
    }
}
