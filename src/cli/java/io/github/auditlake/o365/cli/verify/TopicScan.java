package io.github.auditlake.o365.cli.verify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads whole topics once: every partition from its beginning up to the end offset captured when the scan starts,
 * so a scan terminates even while the connector goes on writing. No consumer group (partitions are assigned, nothing
 * is committed); {@code read_committed} unless the client properties say otherwise, so an exactly-once connector's
 * aborted or open transactions are not read.
 */
final class TopicScan {
    /** A scan that makes no progress for this long fails (the broker is gone, or the ACLs forbid reading). */
    static final Duration STALL_LIMIT = Duration.ofSeconds(60);

    private final Properties clientProperties;

    /** @param clientProperties bootstrap servers and any client properties (security, timeouts) */
    TopicScan(Properties clientProperties) {
        this.clientProperties = clientProperties;
    }

    /** Records read per topic by the last scan. */
    static final class Counts {
        final Map<String, Long> records = new HashMap<>();
    }

    /**
     * Reads {@code topics} from the beginning to their end offsets at the start, handing each record to
     * {@code sink}.
     *
     * @throws VerifyException when a topic does not exist, or the scan stalls
     */
    Counts scan(Collection<String> topics, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        Properties p = new Properties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        p.putAll(clientProperties);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "o365-audit-verify");
        Counts counts = new Counts();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String topic : topics) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
                if (infos == null || infos.isEmpty()) {
                    throw new VerifyException("topic '" + topic + "' does not exist (or this client may not see it)");
                }
                infos.forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
                counts.records.put(topic, 0L);
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
            long lastProgress = System.nanoTime();
            long lastTotal = -1;
            while (true) {
                long total = 0;
                boolean done = true;
                for (TopicPartition tp : parts) {
                    long pos = consumer.position(tp, Duration.ofSeconds(30));
                    total += pos;
                    if (pos < end.get(tp)) {
                        done = false;
                    }
                }
                if (done) {
                    return counts;
                }
                if (total != lastTotal) {
                    lastTotal = total;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > STALL_LIMIT.toNanos()) {
                    throw new VerifyException("reading " + topics + " made no progress for " + STALL_LIMIT.toSeconds()
                            + " s (end offsets " + end + ")");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        counts.records.merge(r.topic(), 1L, Long::sum);
                        sink.accept(r);
                    }
                }
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new VerifyException("cannot read " + topics + " from Kafka: " + e.getMessage(), e);
        }
    }
}
