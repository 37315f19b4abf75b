package io.github.auditlake.o365.testkit;

import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.AuditRecordStream;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.ledger.BlobDigest;
import io.github.auditlake.o365.ledger.LedgerEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes what the connector writes for a blob, without Connect: its records on the audit topic (key the record's
 * {@code Id}, value its original JSON as StringConverter writes it, headers {@code o365.tenant},
 * {@code o365.content.type}, {@code o365.content.id} and {@code o365.record.index} as SimpleHeaderConverter writes
 * them), then its ledger entry on the ledger topic. For tests of {@code verify} and its damage cases.
 */
public final class LedgerFixture implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final ManagementApi api;
    private final String tenant;
    private final java.util.List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();

    public LedgerFixture(String bootstrapServers, ManagementApi api, String tenant) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // a loaded test machine times requests out: an idempotent producer's retry of a batch the broker had already
        // appended then failed for good with OUT_OF_ORDER_SEQUENCE_NUMBER; a retried batch is at worst a duplicate
        // here, which verify tolerates (one batch in flight keeps the order)
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 60_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.api = api;
        this.tenant = tenant;
    }

    /** Fetches the blob, writes its records to {@code auditTopic}, then its entry to {@code ledgerTopic}. */
    public LedgerEntry deliver(ContentBlob blob, String auditTopic, String ledgerTopic) {
        BlobDigest digest = new BlobDigest();
        long index = 0;
        long skipped = 0;
        try (AuditRecordStream records = api.openBlob(blob)) {
            while (records.hasNext()) {
                AuditRecord r = records.next();
                long i = index++;
                if (r.problem() != null) {
                    skipped++;
                    continue;
                }
                byte[] value = r.utf8();
                RecordHeaders h = new RecordHeaders();
                h.add("o365.tenant", utf8(tenant));
                h.add("o365.content.type", utf8(blob.contentType()));
                h.add(LedgerEntry.HEADER_CONTENT_ID, utf8(blob.contentId()));
                h.add(LedgerEntry.HEADER_RECORD_INDEX, utf8(Long.toString(i)));
                sent.add(producer.send(new ProducerRecord<>(auditTopic, null, null, utf8(r.id()), value, h)));
                digest.add(value);
            }
        }
        LedgerEntry e = entry(blob, digest, LedgerEntry.Outcome.DELIVERED, null, skipped);
        write(ledgerTopic, e);
        return e;
    }

    /** Writes a skipped blob's entry (nothing delivered). */
    public LedgerEntry skip(ContentBlob blob, String ledgerTopic, String reason) {
        LedgerEntry e = entry(blob, new BlobDigest(), LedgerEntry.Outcome.SKIPPED, reason, 0);
        write(ledgerTopic, e);
        return e;
    }

    /** Writes any ledger entry as the connector's StringConverter would. */
    public void write(String ledgerTopic, LedgerEntry e) {
        sent.add(producer.send(new ProducerRecord<>(ledgerTopic, utf8(e.key()), utf8(e.toJson()))));
    }

    /** Flushes, and fails when any record was not written. */
    public void flush() {
        producer.flush();
        try {
            for (java.util.concurrent.Future<?> f : sent) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("a record was not written", e);
        }
        sent.clear();
    }

    private LedgerEntry entry(
            ContentBlob blob, BlobDigest d, LedgerEntry.Outcome outcome, String reason, long elementsSkipped) {
        return new LedgerEntry(
                tenant,
                blob.contentType(),
                blob.contentId(),
                blob.contentUri(),
                blob.contentCreated(),
                blob.contentExpiration(),
                blob.contentCreated(),
                Instant.now(),
                d.records(),
                d.bytes(),
                d.hex(),
                0,
                outcome,
                reason,
                elementsSkipped);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close();
    }
}
