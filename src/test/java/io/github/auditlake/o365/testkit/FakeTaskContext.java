package io.github.auditlake.o365.testkit;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.source.TransactionContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;

/** A task context with an in-memory offset store and an optional recording transaction context. */
public final class FakeTaskContext implements SourceTaskContext {
    public final Map<Map<String, Object>, Map<String, Object>> offsets = new HashMap<>();
    public final RecordingTransactions transactions;

    public FakeTaskContext(boolean connectorBoundaries) {
        this.transactions = connectorBoundaries ? new RecordingTransactions() : null;
    }

    @SuppressWarnings("unchecked")
    public void store(SourceRecord r) {
        offsets.put((Map<String, Object>) r.sourcePartition(), (Map<String, Object>) r.sourceOffset());
    }

    @Override
    public Map<String, String> configs() {
        return Map.of();
    }

    @Override
    public OffsetStorageReader offsetStorageReader() {
        return new OffsetStorageReader() {
            @Override
            public <T> Map<String, Object> offset(Map<String, T> partition) {
                return offsets.get(partition);
            }

            @Override
            public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                Map<Map<String, T>, Map<String, Object>> out = new HashMap<>();
                for (Map<String, T> p : partitions) {
                    out.put(p, offsets.get(p));
                }
                return out;
            }
        };
    }

    @Override
    public TransactionContext transactionContext() {
        return transactions;
    }

    @Override
    public PluginMetrics pluginMetrics() {
        return null;
    }

    /** Records where the task asked for transaction commits. */
    public static final class RecordingTransactions implements TransactionContext {
        public final List<SourceRecord> commitsOn = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void commitTransaction() {
            throw new AssertionError("the task commits on a record");
        }

        @Override
        public void commitTransaction(SourceRecord record) {
            commitsOn.add(record);
        }

        @Override
        public void abortTransaction() {
            throw new AssertionError("unexpected abort");
        }

        @Override
        public void abortTransaction(SourceRecord record) {
            throw new AssertionError("unexpected abort");
        }
    }
}
