package io.github.auditlake.o365.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Damages a topic for tests of {@code o365-audit verify}: copies every record of a source topic into a new topic (same
 * partition, key, timestamp and headers), dropping, altering or duplicating the records a {@link Damage} picks. The
 * source stays as it was, so one run of a connector serves several kinds of damage; verify is then pointed at the
 * copy ({@code --ledger-topic}, {@code --data-topic}).
 */
public final class TopicDamage {
    private TopicDamage() {}

    /** What becomes of one record: zero, one or more records to write in its place. */
    @FunctionalInterface
    public interface Damage {
        List<ProducerRecord<byte[], byte[]>> apply(ConsumerRecord<byte[], byte[]> r, String targetTopic);
    }

    /** Copies unchanged. */
    public static Damage none() {
        return (r, t) -> List.of(copy(r, t, r.value()));
    }

    /** Drops the records {@code which} picks (e.g. all of one blob, or one ledger entry). */
    public static Damage drop(Predicate<ConsumerRecord<byte[], byte[]>> which) {
        return (r, t) -> which.test(r) ? List.of() : List.of(copy(r, t, r.value()));
    }

    /** Writes the records {@code which} picks twice (an at-least-once redelivery). */
    public static Damage duplicate(Predicate<ConsumerRecord<byte[], byte[]>> which) {
        return (r, t) ->
                which.test(r) ? List.of(copy(r, t, r.value()), copy(r, t, r.value())) : List.of(copy(r, t, r.value()));
    }

    /**
     * Changes one byte of the value of the records {@code which} picks: the first ASCII letter at or after the middle
     * of the value has its lowest bit flipped (another letter), so the value stays readable text.
     */
    public static Damage alterOneByte(Predicate<ConsumerRecord<byte[], byte[]>> which) {
        return (r, t) ->
                which.test(r) ? List.of(copy(r, t, oneByteChanged(r.value()))) : List.of(copy(r, t, r.value()));
    }

    /** The record's header {@code name} equals {@code value} (UTF-8 text). */
    public static Predicate<ConsumerRecord<byte[], byte[]>> header(String name, String value) {
        return r -> {
            Header h = r.headers().lastHeader(name);
            return h != null && h.value() != null && new String(h.value(), StandardCharsets.UTF_8).equals(value);
        };
    }

    /** The record's key (UTF-8 text) equals {@code key}. */
    public static Predicate<ConsumerRecord<byte[], byte[]>> key(String key) {
        return r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals(key);
    }

    static byte[] oneByteChanged(byte[] value) {
        byte[] v = value.clone();
        for (int i = v.length / 2; i < v.length; i++) {
            if ((v[i] >= 'b' && v[i] <= 'y') || (v[i] >= 'B' && v[i] <= 'Y')) {
                v[i] = (byte) (v[i] ^ 0x01);
                if (v[i] == '@' || v[i] == '`') { // 'a'^1 is '`': keep to letters
                    v[i] = (byte) (v[i] + 2);
                }
                return v;
            }
        }
        throw new IllegalArgumentException("no letter to change in the second half of the value");
    }

    private static ProducerRecord<byte[], byte[]> copy(ConsumerRecord<byte[], byte[]> r, String topic, byte[] value) {
        return new ProducerRecord<>(topic, r.partition(), r.timestamp(), r.key(), value, r.headers());
    }

    /**
     * Copies {@code source} (up to its end offsets now) into {@code target}, created with the same number of
     * partitions, applying {@code damage}.
     *
     * @return records read from the source
     */
    public static long rewrite(String bootstrapServers, String source, String target, Damage damage) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // on a loaded machine an idempotent producer's retry of a batch the broker had appended failed for good
        // (OUT_OF_ORDER_SEQUENCE_NUMBER); one batch in flight keeps the order, and a retried batch is at worst a
        // duplicate, which verify tolerates
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 60_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
        Properties a = new Properties();
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        long read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
                Admin admin = Admin.create(a)) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            List<PartitionInfo> infos = consumer.partitionsFor(source, Duration.ofSeconds(30));
            admin.createTopics(List.of(new NewTopic(target, infos.size(), (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            awaitLeaders(admin, target, infos.size());
            List<TopicPartition> parts = new ArrayList<>();
            infos.forEach(i -> parts.add(new TopicPartition(source, i.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("copying " + source + " did not reach " + end + " in 60 s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    read++;
                    for (ProducerRecord<byte[], byte[]> out : damage.apply(r, target)) {
                        sent.add(producer.send(out));
                    }
                }
            }
            producer.flush();
            for (java.util.concurrent.Future<?> f : sent) {
                f.get(60, TimeUnit.SECONDS); // a record that was not written fails the copy, never a silent loss
            }
            return read;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while copying " + source, e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot copy " + source + " to " + target, e);
        }
    }

    /**
     * Waits (at most 30 s) until every partition of a new topic has a leader: an idempotent producer that sends
     * before can loop on OUT_OF_ORDER_SEQUENCE_NUMBER until its batches expire (see {@link ProcessKafka}).
     */
    static void awaitLeaders(Admin admin, String topic, int partitions)
            throws InterruptedException, java.util.concurrent.ExecutionException,
                    java.util.concurrent.TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            var d = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(topic);
            if (d != null
                    && d.partitions().size() == partitions
                    && d.partitions().stream()
                            .allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + topic + " has partitions without a leader after 30 s");
            }
            Thread.sleep(50); // polling the broker's metadata with a deadline, not synchronisation by sleep
        }
    }
}
