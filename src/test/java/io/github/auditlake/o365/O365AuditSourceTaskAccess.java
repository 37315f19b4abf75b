package io.github.auditlake.o365;

import io.github.auditlake.o365.api.Sleeper;
import io.github.auditlake.o365.config.ApiFactory;
import io.github.auditlake.o365.metrics.EngineMetrics;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;

/** Test access to a task built with an injected API factory (for tests outside this package). */
public final class O365AuditSourceTaskAccess {
    private final O365AuditSourceTask task;

    private O365AuditSourceTaskAccess(O365AuditSourceTask task) {
        this.task = task;
    }

    public static O365AuditSourceTaskAccess start(
            Map<String, String> props, ApiFactory apis, SourceTaskContext context) {
        O365AuditSourceTask t = new O365AuditSourceTask(apis, Clock.systemUTC(), Sleeper.SYSTEM);
        t.initialize(context);
        t.start(props);
        return new O365AuditSourceTaskAccess(t);
    }

    public List<SourceRecord> poll() throws InterruptedException {
        return task.poll();
    }

    /** What the worker calls once the broker acknowledged {@code r}: returns its bytes to the memory budget. */
    public void commitRecord(SourceRecord r) {
        task.commitRecord(r, null);
    }

    public EngineMetrics metrics() {
        return task.metrics();
    }

    public void stop() {
        task.stop();
    }
}
