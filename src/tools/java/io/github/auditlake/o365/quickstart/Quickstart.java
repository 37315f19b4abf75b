package io.github.auditlake.o365.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.AllowedPaths;
import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.EndpointAllowList;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.cluster.Classpaths;
import io.github.auditlake.o365.cluster.ProcessConnectWorker;
import io.github.auditlake.o365.cluster.ProcessKafka;
import io.github.auditlake.o365.config.ConfigValidator;
import io.github.auditlake.o365.config.DefaultApiFactory;
import io.github.auditlake.o365.config.O365SourceConfig;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The README's quickstart ({@code ./quickstart}): a Management API simulator (or Microsoft, with real credentials), a
 * KRaft broker and a Connect worker as child processes with the packaged plugin, the connector created over REST
 * from {@code config/quickstart-connector.json}, and the audit events printed as they arrive. Ctrl-C stops
 * everything; {@code --max-events N} / {@code --duration 60s} stop by themselves.
 */
public final class Quickstart {
    static final String CONNECTOR = "o365-quickstart";
    static final String SIM_TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final String SIM_CLIENT = "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69";
    static final String SIM_SECRET = "quickstart-secret";
    static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private static final String USAGE = String.join(
            "\n",
            "Usage: ./quickstart [options]",
            "  --max-events N        stop after N events, print totals, exit 0",
            "  --duration D          stop after D (e.g. 60s, 5m), print totals, exit 0",
            "  --api-url URL         collect from this Management API base URL instead of the simulator",
            "  --login-url URL       Entra login base URL that goes with --api-url",
            "  --lookback D          initial lookback (default 30m with the simulator, 1h otherwise)",
            "  --topic NAME          topic (default o365-audit)",
            "  --kafka-port N        broker port (default 19092; the controller uses N+1)",
            "  --connect-port N      Connect REST port (default 18083)",
            "  --sim-port N          simulator port (default 18365)",
            "  --quiet               only progress lines, not one line per event",
            "Real tenant: set O365_TENANT_ID, O365_CLIENT_ID and O365_CLIENT_SECRET (or",
            "O365_CLIENT_CERTIFICATE_PATH [+ O365_CLIENT_CERTIFICATE_PASSWORD]); optional O365_CLOUD",
            "(commercial, gcc, gcc-high, dod).");

    private final Map<String, String> opts;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile ManagementApiSimulator sim;
    private volatile ProcessKafka kafka;
    private volatile ProcessConnectWorker worker;
    private volatile KafkaConsumer<String, String> consumer;
    private final Thread main = Thread.currentThread();
    private volatile boolean finished;
    private volatile RunDir runDir;

    private long events;
    private final Set<String> blobs = new HashSet<>();
    private Instant newestContentCreated;

    private Quickstart(Map<String, String> opts) {
        this.opts = opts;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "\n\n" + USAGE);
            System.exit(2);
            return;
        }
        if (o.containsKey("help")) {
            System.out.println(USAGE);
            return;
        }
        if (Runtime.version().feature() < 17) {
            System.err.println("Java 17 or later is needed; this is " + Runtime.version());
            System.exit(1);
        }
        int rc;
        Quickstart q = new Quickstart(o);
        try {
            rc = q.run();
        } catch (Failure e) {
            System.err.println("quickstart: " + e.getMessage());
            rc = 1;
        } catch (RuntimeException e) {
            if (!q.stopping.get() || q.finished) {
                throw e;
            }
            // Ctrl-C during start-up: the shutdown hook is stopping what was started, and whatever was being waited
            // for failed because of it; its stack trace (and a child's log tail, with its classpath) is no news
            System.err.println("quickstart: stopped during start-up");
            return;
        }
        if (q.stopping.get() && !q.finished) {
            return; // Ctrl-C: the JVM is already exiting (System.exit would wait for the shutdown hook forever)
        }
        System.exit(rc);
    }

    /** Options that take a value. */
    static final Set<String> VALUE_OPTIONS = Set.of(
            "max-events",
            "duration",
            "api-url",
            "login-url",
            "lookback",
            "topic",
            "kafka-port",
            "connect-port",
            "sim-port");

    static Map<String, String> parse(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        Set<String> flags = Set.of("help", "quiet");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + a);
            }
            String k = a.substring(2);
            if (k.equals("h")) {
                k = "help";
            }
            int eq = k.indexOf('=');
            String name = eq > 0 ? k.substring(0, eq) : k;
            if (!flags.contains(name) && !VALUE_OPTIONS.contains(name)) {
                throw new IllegalArgumentException("Unknown option --" + name);
            }
            if (eq > 0) {
                if (flags.contains(name)) {
                    throw new IllegalArgumentException("Option --" + name + " takes no value");
                }
                o.put(name, k.substring(eq + 1));
            } else if (flags.contains(k)) {
                o.put(k, "true");
            } else if (i + 1 < args.length) {
                o.put(k, args[++i]);
            } else {
                throw new IllegalArgumentException("Missing value for --" + k);
            }
        }
        return o;
    }

    static Duration duration(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        long n = Long.parseLong(t.replaceAll("[a-z]+$", ""));
        if (t.endsWith("ms")) {
            return Duration.ofMillis(n);
        } else if (t.endsWith("h")) {
            return Duration.ofHours(n);
        } else if (t.endsWith("m")) {
            return Duration.ofMinutes(n);
        }
        return Duration.ofSeconds(n);
    }

    private int intOpt(String k, int def) {
        return opts.containsKey(k) ? Integer.parseInt(opts.get(k)) : def;
    }

    private int run() throws Exception {
        int kafkaPort = intOpt("kafka-port", 19092);
        int connectPort = intOpt("connect-port", 18083);
        int simPort = intOpt("sim-port", 18365);
        String env = System.getenv("O365_TENANT_ID");
        boolean real = env != null && !env.isBlank();
        boolean custom = opts.containsKey("api-url");
        boolean simulated = !real && !custom;
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("Kafka broker (--kafka-port)", kafkaPort);
        ports.put("Kafka controller (--kafka-port + 1)", kafkaPort + 1);
        ports.put("Connect REST API (--connect-port)", connectPort);
        if (simulated) {
            ports.put("simulator (--sim-port)", simPort);
        }
        Path root = Classpaths.projectDir().resolve("target/quickstart");
        List<String> taken = new ArrayList<>();
        ports.forEach((what, port) -> {
            if (!Classpaths.isFree(port)) {
                taken.add("  port " + port + " for the " + what + " is in use"
                        + RunDir.holderOf(root, port).map(h -> ", by " + h).orElse(""));
            }
        });
        if (!taken.isEmpty()) {
            System.err.println("Cannot start:\n" + String.join("\n", taken)
                    + "\nStop whatever uses it (another ./quickstart?) or pick other ports with the options shown.");
            return 1;
        }
        Path pluginDir = Classpaths.projectDir().resolve("target/plugin");
        if (!Files.isDirectory(pluginDir)) {
            System.err.println("No plugin in " + pluginDir + ": build it with ./mvnw -DskipTests package");
            return 1;
        }
        // One data directory per set of ports: two quickstarts on different ports never share files.
        Optional<RunDir> acquired = RunDir.acquire(root, ports);
        if (acquired.isEmpty()) {
            System.err.println("Cannot start: another ./quickstart with the same ports is starting or running ("
                    + RunDir.pathFor(root, ports)
                    + " is locked). Stop it, or pick other ports with the options shown.");
            return 1;
        }
        runDir = acquired.get();
        Path work = runDir.dir();
        String rel = Classpaths.projectDir().relativize(work).toString();
        runDir.writePid("launcher", ProcessHandle.current().pid());
        Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "quickstart-shutdown"));
        String topic = opts.getOrDefault("topic", "o365-audit");
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("TOPIC", topic);
        vars.put("CLOUD", System.getenv().getOrDefault("O365_CLOUD", "commercial"));
        if (simulated) {
            Duration lookback = duration(opts.getOrDefault("lookback", "30m"));
            step("Starting the Management API simulator on port " + simPort);
            sim = ManagementApiSimulator.builder()
                    .bind("127.0.0.1", simPort)
                    .tenant(TenantSpec.of(SIM_TENANT)
                            .domain("contoso.example")
                            .app(AppSpec.of(SIM_CLIENT)
                                    .secret(SIM_SECRET)
                                    .roles(AppSpec.ROLE_READ, AppSpec.ROLE_READ_DLP))
                            .subscribedAll(true)
                            .volumeAll(Volume.of(60, 10))
                            .backfill(lookback))
                    .build()
                    .start();
            // The worker may send the (simulated) secret only to this simulator: the endpoint allow-list.
            System.setProperty(EndpointAllowList.PROPERTY, "127.0.0.1:" + simPort);
            vars.put("TENANT_ID", SIM_TENANT);
            vars.put("CLIENT_ID", SIM_CLIENT);
            vars.put("CLIENT_SECRET", SIM_SECRET);
            vars.put("API_URL", sim.baseUrl());
            vars.put("LOGIN_URL", sim.baseUrl());
            vars.put("LOOKBACK_MS", Long.toString(lookback.toMillis()));
        } else {
            vars.put("TENANT_ID", require("O365_TENANT_ID", real ? env : System.getenv("O365_TENANT_ID")));
            vars.put("CLIENT_ID", require("O365_CLIENT_ID", System.getenv("O365_CLIENT_ID")));
            vars.put("CLIENT_SECRET", System.getenv().getOrDefault("O365_CLIENT_SECRET", ""));
            String certificate = System.getenv().getOrDefault("O365_CLIENT_CERTIFICATE_PATH", "");
            if (!certificate.isBlank()) {
                // The operator named this file: the worker this launcher starts may read its directory (the
                // connector reads files only from the worker's allowed directories).
                java.nio.file.Path cert =
                        java.nio.file.Path.of(certificate.trim()).toAbsolutePath();
                certificate = cert.toString();
                allowDirectory(cert.getParent());
            }
            vars.put("CLIENT_CERTIFICATE_PATH", certificate);
            vars.put(
                    "CLIENT_CERTIFICATE_PASSWORD",
                    System.getenv().getOrDefault("O365_CLIENT_CERTIFICATE_PASSWORD", ""));
            vars.put("API_URL", opts.getOrDefault("api-url", ""));
            if (custom) {
                // The operator typed these URLs: allow their hosts on the worker this launcher starts.
                List<String> hosts = new ArrayList<>();
                for (String k : List.of("api-url", "login-url")) {
                    if (opts.containsKey(k)) {
                        java.net.URI u = java.net.URI.create(opts.get(k));
                        hosts.add(u.getPort() > 0 ? u.getHost() + ":" + u.getPort() : u.getHost());
                    }
                }
                System.setProperty(EndpointAllowList.PROPERTY, String.join(",", hosts));
            }
            vars.put("LOGIN_URL", opts.getOrDefault("login-url", ""));
            vars.put(
                    "LOOKBACK_MS",
                    Long.toString(duration(opts.getOrDefault("lookback", "1h")).toMillis()));
            step("Collecting from " + (custom ? opts.get("api-url") : "Microsoft (" + vars.get("CLOUD") + ")")
                    + " for tenant " + vars.get("TENANT_ID"));
        }

        if (!simulated) {
            // Wrong credentials end here, in seconds, with the connector's own advice: before Kafka starts.
            step("Checking the credentials: sign-in and list of subscriptions");
            String problem = preflight(connectorConfig(vars));
            if (problem != null) {
                throw new Failure(problem);
            }
        }
        step("Starting a Kafka broker (KRaft) on port " + kafkaPort + "  [log: " + rel + "/kafka/logs/broker.log]");
        long t = System.nanoTime();
        kafka = ProcessKafka.start(work.resolve("kafka"), kafkaPort, kafkaPort + 1, START_TIMEOUT);
        runDir.writePid("broker", kafka.process().pid());
        step("  ready in " + ms(t));
        kafka.createTopic(topic, 3);
        step("Starting a Kafka Connect worker on port " + connectPort + " with plugin.path=target/plugin" + "  [log: "
                + rel + "/connect/logs/connect.log]");
        t = System.nanoTime();
        Classpaths.deleteTree(work.resolve("connect"));
        worker = ProcessConnectWorker.builder(work.resolve("connect"), kafka.bootstrapServers())
                .restPort(connectPort)
                .groupId("quickstart")
                .pluginPath(pluginDir)
                .start(START_TIMEOUT);
        runDir.writePid("worker", worker.process().pid());
        step("  ready in " + ms(t));

        Map<String, String> config = connectorConfig(vars);
        step("Creating connector " + CONNECTOR + ": PUT " + worker.restUrl() + "/connectors/" + CONNECTOR
                + "/config  (from config/quickstart-connector.json)");
        worker.putConnector(CONNECTOR, config, START_TIMEOUT);
        worker.awaitRunning(CONNECTOR, START_TIMEOUT);
        step("Connector RUNNING. Audit events from topic " + topic + " (Ctrl-C to stop):");
        if (!opts.containsKey("quiet")) {
            System.out.printf(
                    "%-8s %-26s %-12s %-28s %-34s %s%n", "UTC", "content type", "workload", "operation", "user", "id");
        }
        consume(topic);
        if (!stopping.get()) { // bounded run ended (else the shutdown hook prints the totals and cleans up)
            finished = true;
            printTotals();
            shutdown();
        }
        return 0;
    }

    /**
     * Signs in and lists the subscriptions through the connector's own client, as {@code validate()} does; returns
     * null when that works (or failed only transiently), else the one-line advice to print.
     */
    static String preflight(Map<String, String> connectorConfig) {
        O365SourceConfig config;
        try {
            config = new O365SourceConfig(connectorConfig);
        } catch (RuntimeException e) {
            return "the configuration is not valid: " + e.getMessage();
        }
        try (ManagementApi api = new DefaultApiFactory().create(config, 60, true)) {
            api.listSubscriptions();
            return null;
        } catch (ApiException e) {
            if (e.kind() == ErrorKind.TRANSIENT && !ConfigValidator.isUnreachable(e)) {
                System.out.println(">>   (could not check: " + e.getMessage() + "; going on)");
                return null;
            }
            String m = String.valueOf(e.getMessage());
            return m.endsWith("; will retry") ? m.substring(0, m.length() - "; will retry".length()) : m;
        } catch (RuntimeException e) {
            return "the credential check failed: " + e.getMessage();
        }
    }

    /**
     * Adds {@code dir} to this JVM's allowed directories ({@code -Do365.allowed.paths}, which the worker it starts
     * receives as {@code O365_ALLOWED_PATHS}), keeping those the operator set already.
     */
    static void allowDirectory(java.nio.file.Path dir) {
        String current = System.getProperty(AllowedPaths.PROPERTY);
        if (current == null || current.isBlank()) {
            current = System.getenv(AllowedPaths.ENV);
        }
        System.setProperty(
                AllowedPaths.PROPERTY, current == null || current.isBlank() ? dir.toString() : current + "," + dir);
    }

    /** A failure the user can act on: printed as one line, without a stack trace. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message, null, false, false);
        }
    }

    private static String require(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new Failure(name + " is not set");
        }
        return value;
    }

    /** {@code config/quickstart-connector.json} with the {@code ${VAR}} placeholders filled; empty values dropped. */
    static Map<String, String> connectorConfig(Map<String, String> vars) throws Exception {
        JsonNode json = new ObjectMapper()
                .readTree(Files.readString(Classpaths.projectDir().resolve("config/quickstart-connector.json")));
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String v = e.getValue().asText();
            for (Map.Entry<String, String> var : vars.entrySet()) {
                v = v.replace("${" + var.getKey() + "}", var.getValue());
            }
            v = v.replaceAll("\\$\\{[A-Z_]+}", "");
            if (!v.isEmpty()) {
                out.put(e.getKey(), v);
            }
        }
        return out;
    }

    private void consume(String topic) {
        long maxEvents = opts.containsKey("max-events") ? Long.parseLong(opts.get("max-events")) : Long.MAX_VALUE;
        long deadline = opts.containsKey("duration")
                ? System.nanoTime() + duration(opts.get("duration")).toNanos()
                : Long.MAX_VALUE;
        boolean quiet = opts.containsKey("quiet");
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "quickstart-printer");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        ObjectMapper json = new ObjectMapper();
        long nextProgress = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        try {
            consumer.subscribe(List.of(topic));
            while (events < maxEvents && System.nanoTime() < deadline && !stopping.get()) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (events >= maxEvents) {
                        break;
                    }
                    events++;
                    String contentId = header(r, "o365.content.id");
                    if (contentId != null) {
                        blobs.add(contentId);
                    }
                    String created = header(r, "o365.content.created");
                    if (created != null) {
                        Instant c = Instant.parse(created);
                        if (newestContentCreated == null || c.isAfter(newestContentCreated)) {
                            newestContentCreated = c;
                        }
                    }
                    if (!quiet) {
                        printEvent(json, r);
                    }
                }
                if (System.nanoTime() >= nextProgress) {
                    nextProgress = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                    System.out.println("-- " + progress());
                }
            }
        } catch (WakeupException e) {
            // Ctrl-C
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void printEvent(ObjectMapper json, ConsumerRecord<String, String> r) {
        String when = "";
        String workload = "";
        String operation = "";
        String user = "";
        try {
            JsonNode n = json.readTree(r.value());
            when = n.path("CreationTime").asText("");
            workload = n.path("Workload").asText("");
            operation = n.path("Operation").asText("");
            user = n.path("UserId").asText("");
        } catch (Exception e) {
            operation = "(not JSON)";
        }
        if (when.length() >= 19) {
            when = when.substring(11, 19);
        }
        System.out.printf(
                "%-8s %-26s %-12s %-28s %-34s %s%n",
                when, header(r, "o365.content.type"), cut(workload, 12), cut(operation, 28), cut(user, 34), r.key());
    }

    private static String cut(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "~";
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private String progress() {
        String lag = newestContentCreated == null
                ? "n/a"
                : Duration.between(newestContentCreated, Instant.now()).toSeconds() + " s";
        return String.format(
                "%s UTC events: %d, blobs: %d, lag (now - newest contentCreated): %s",
                TIME.format(Instant.now()), events, blobs.size(), lag);
    }

    private void printTotals() {
        System.out.println("== Totals: " + progress());
    }

    private static void step(String s) {
        System.out.println(">> " + s);
    }

    private static String ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000 + " ms";
    }

    /** Deletes the connector, stops the worker, the broker and the simulator. Idempotent; also the shutdown hook. */
    private void shutdown() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        if (sim == null && kafka == null && worker == null) { // stopped before anything was started
            if (runDir != null) {
                runDir.close();
            }
            return;
        }
        if (!finished) {
            KafkaConsumer<String, String> c = consumer;
            if (c != null) {
                c.wakeup();
            }
            System.out.println();
            printTotals();
        }
        step("Stopping: deleting the connector, stopping the worker, the broker"
                + (sim != null ? " and the simulator" : ""));
        if (worker != null) {
            if (worker.process().isAlive()) {
                worker.deleteConnector(CONNECTOR);
            }
            worker.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (sim != null) {
            sim.close();
        }
        if (runDir != null) {
            runDir.close();
        }
        step("Stopped.");
    }
}
