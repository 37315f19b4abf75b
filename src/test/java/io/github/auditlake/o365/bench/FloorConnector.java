package io.github.auditlake.o365.bench;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceConnector;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.apache.kafka.connect.storage.Converter;

/**
 * The "Connect floor" of the throughput benchmark: a trivial source connector whose one task emits pre-built records
 * (the keys, values and headers our connector wrote, read back from its topic and turned back into Connect data with
 * the same converters at start-up, the headers with the schemas our connector gives them; the same topic shape, one source partition per stream and an offset map of the
 * same shape per record) as fast as the worker takes them. What it costs is what Connect itself costs: the worker's
 * loop, converters, header converter, producer. Loaded by the benchmark worker from its own small jar
 * ({@link #writeJar}) beside the plugin; not part of the plugin.
 */
public final class FloorConnector extends SourceConnector {
    static final String SAMPLE = "floor.sample.file";
    static final String RECORDS = "floor.records";
    static final String TOPIC = "topic";
    static final String BATCH = "floor.batch.max.records";
    /** Converters the task uses once, at start, to turn the sample's bytes back into Connect data. */
    static final String KEY_CONVERTER = "floor.key.converter";

    static final String VALUE_CONVERTER = "floor.value.converter";
    static final String SCHEMAS = "floor.value.converter.schemas.enable";
    static final String TENANT = "floor.tenant";

    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        this.props = props;
    }

    @Override
    public Class<? extends Task> taskClass() {
        return FloorTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return List.of(props);
    }

    @Override
    public void stop() {}

    @Override
    public ConfigDef config() {
        return new ConfigDef();
    }

    @Override
    public String version() {
        return "bench";
    }

    /** Writes the sample (key, value and header bytes of each record) for {@link FloorTask}. */
    static void writeSample(Path file, List<Benchmarks.Sample> sample) throws IOException {
        try (DataOutputStream out =
                new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(sample.size());
            for (Benchmarks.Sample s : sample) {
                bytes(out, s.key());
                bytes(out, s.value());
                out.writeInt(s.headers().length);
                for (org.apache.kafka.common.header.Header h : s.headers()) {
                    out.writeUTF(h.key());
                    bytes(out, h.value());
                }
            }
        }
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b == null ? -1 : b.length);
        if (b != null) {
            out.write(b);
        }
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** A plugin jar with the floor's classes and its service entry, in {@code dir/floor/}: a plugin.path entry. */
    static Path writeJar(Path dir) throws IOException {
        Path jar = dir.resolve("floor").resolve("bench-floor.jar");
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (Class<?> c : List.of(FloorConnector.class, FloorTask.class)) {
                String name = c.getName().replace('.', '/') + ".class";
                out.putNextEntry(new JarEntry(name));
                try (InputStream in = c.getClassLoader().getResourceAsStream(name)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("META-INF/services/org.apache.kafka.connect.source.SourceConnector"));
            out.write((FloorConnector.class.getName() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return dir;
    }

    /** Emits the pre-built records round-robin until {@link #RECORDS} were returned, then idles. */
    public static final class FloorTask extends SourceTask {
        private List<SourceRecord> records;
        private long left;
        private int next;
        private int batch;

        @Override
        public String version() {
            return "bench";
        }

        @Override
        public void start(Map<String, String> props) {
            String topic = props.get(TOPIC);
            left = Long.parseLong(props.get(RECORDS));
            batch = Integer.parseInt(props.getOrDefault(BATCH, "2000"));
            try {
                Converter key = (Converter)
                        Class.forName(props.get(KEY_CONVERTER)).getConstructor().newInstance();
                key.configure(Map.of("schemas.enable", "false"), true);
                Converter value = (Converter) Class.forName(props.get(VALUE_CONVERTER))
                        .getConstructor()
                        .newInstance();
                value.configure(Map.of("schemas.enable", props.getOrDefault(SCHEMAS, "false")), false);
                records = load(Path.of(props.get(SAMPLE)), topic, props.get(TENANT), key, value);
            } catch (IOException | ReflectiveOperationException e) {
                throw new IllegalStateException("cannot load the floor's sample: " + e, e);
            }
        }

        /**
         * One source partition per content type (as our connector: tenant + content type) and, per record, an offset
         * map of our connector's shape (version, high watermark, delivered set, blob in progress).
         */
        private static List<SourceRecord> load(Path file, String topic, String tenant, Converter key, Converter value)
                throws IOException {
            List<SourceRecord> out = new ArrayList<>();
            Map<String, Map<String, String>> partitions = new HashMap<>();
            try (DataInputStream in =
                    new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
                int n = in.readInt();
                for (int i = 0; i < n; i++) {
                    byte[] k = bytes(in);
                    byte[] v = bytes(in);
                    int hn = in.readInt();
                    ConnectHeaders h = new ConnectHeaders();
                    String contentType = "Audit.General";
                    for (int j = 0; j < hn; j++) {
                        String hk = in.readUTF();
                        byte[] hv = bytes(in);
                        h.add(hk, asOurs(hk, hv));
                        if (hk.equals("o365.content.type") && hv != null) {
                            contentType = new String(hv, java.nio.charset.StandardCharsets.UTF_8);
                        }
                    }
                    SchemaAndValue kv = key.toConnectData(topic, k);
                    SchemaAndValue vv = value.toConnectData(topic, v);
                    Map<String, String> partition =
                            partitions.computeIfAbsent(contentType, ct -> Map.of("tenant", tenant, "contentType", ct));
                    Map<String, Object> offset = new LinkedHashMap<>();
                    offset.put("v", 2L);
                    offset.put("hw", 1_795_000_000_000L + i);
                    offset.put("done", "q2Vx0b7c");
                    offset.put("blob.id", "20261129230000000000000000000000000000000000$" + i / 1000);
                    offset.put("blob.records", (long) (i % 1000 + 1));
                    offset.put("blob.last", String.valueOf(kv.value()));
                    out.add(new SourceRecord(
                            partition, offset, topic, null, kv.schema(), kv.value(), vv.schema(), vv.value(), null, h));
                }
            }
            return out;
        }

        /**
         * A header as our connector builds it: its schema, not the one the header converter infers from the text (it
         * reads a creation time as a timestamp and an index as the smallest integer that holds it, whose conversion
         * back to text on every send would bill the floor for work our connector does not do).
         */
        static SchemaAndValue asOurs(String key, byte[] written) {
            if (written == null) {
                return SchemaAndValue.NULL;
            }
            // the header converter wrote each value as its text
            String text = new String(written, java.nio.charset.StandardCharsets.UTF_8);
            return switch (key) {
                case "o365.record.index" ->
                    new SchemaAndValue(org.apache.kafka.connect.data.Schema.INT64_SCHEMA, Long.parseLong(text));
                case "o365.record.type" ->
                    new SchemaAndValue(org.apache.kafka.connect.data.Schema.INT32_SCHEMA, Integer.parseInt(text));
                default -> new SchemaAndValue(org.apache.kafka.connect.data.Schema.STRING_SCHEMA, text);
            };
        }

        @Override
        public List<SourceRecord> poll() throws InterruptedException {
            if (left <= 0) {
                Thread.sleep(200); // done: idle without spinning (this is benchmark code, not a test)
                return null;
            }
            int n = (int) Math.min(batch, left);
            List<SourceRecord> b = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                b.add(records.get(next));
                next = (next + 1) % records.size();
            }
            left -= n;
            return b;
        }

        @Override
        public void stop() {}
    }
}
