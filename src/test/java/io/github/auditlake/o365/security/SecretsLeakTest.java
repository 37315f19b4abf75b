package io.github.auditlake.o365.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.O365AuditSourceConnector;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.EndpointAllowList;
import io.github.auditlake.o365.api.TlsOrigin;
import io.github.auditlake.o365.api.TlsTrust;
import io.github.auditlake.o365.api.TunnelProxy;
import io.github.auditlake.o365.auth.ClientCredential;
import io.github.auditlake.o365.auth.MsalTokenProviderTest;
import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.config.DefaultApiFactory;
import io.github.auditlake.o365.config.O365SourceConfig;
import io.github.auditlake.o365.config.O365SourceTaskConfig;
import io.github.auditlake.o365.metrics.EngineMetrics;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.Faults;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.RecordedRequest;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import io.github.auditlake.o365.testkit.ConnectorConfigs;
import io.github.auditlake.o365.testkit.FakeTaskContext;
import io.github.auditlake.o365.testkit.WorkerAllowedPaths;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plants recognisable values for every kind of credential (client secret, PKCS#12 password, PEM private key as a file
 * and inline, proxy password and its Basic header, trust store password, an inline CA bundle, a federated assertion
 * file; client assertions and access tokens, managed-identity ones included, are collected
 * from what the simulator received), drives every path that could carry them (validate() with good and bad values, task start, poll and stop,
 * a failure of each error class, TRACE logging of everything, metrics, toString() of the config and settings
 * classes) and asserts that none appears in any log line, exception, message or string.
 */
class SecretsLeakTest {
    static final String TENANT = "5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    static final String CLIENT = "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69";
    /** The system-assigned managed identity of the simulated machine. */
    static final String MANAGED_IDENTITY = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

    static final String SECRET = "PLANTED-client-secret-4f1d";
    static final String WRONG_SECRET = "PLANTED-wrong-secret-77aa";
    static final String P12_PASSWORD = "PLANTED-p12-password-3e9c";
    static final String PROXY_PASSWORD = "PLANTED-proxy-password-1b2c";
    static final String TRUST_PASSWORD = "PLANTED-truststore-password-8d";
    static final String PROXY_AUTHORIZATION = okhttp3.Credentials.basic("bob", PROXY_PASSWORD);
    /** A federated assertion (not a valid one: the simulator refuses it). */
    static final String ASSERTION = "eyJhbGciOiJSUzI1NiJ9.eyJQTEFOVEVEIjoiYXNzZXJ0aW9uIn0.PLANTEDsignature";
    /** A JSON Web Token (access token or client assertion) anywhere in a text. */
    static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]+");

    @TempDir
    static Path dir;

    static final List<String> captured = new CopyOnWriteArrayList<>();
    static Capture appender;
    static Level rootLevelBefore;
    static Path p12;
    static Path pem;
    static String pemKeyLine;
    static WorkerAllowedPaths allowedPaths;

    /** Collects every log event of the connector, MSAL and OkHttp at TRACE (not the simulator's: it plays Microsoft). */
    static final class Capture extends AbstractAppender {
        Capture() {
            super("secrets-capture", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent e) {
            if (e.getLoggerName().startsWith("io.github.auditlake.o365.simulator")) {
                return;
            }
            StringBuilder sb = new StringBuilder(e.getLoggerName())
                    .append(' ')
                    .append(e.getMessage().getFormattedMessage());
            if (e.getThrown() != null) {
                StringWriter w = new StringWriter();
                e.getThrown().printStackTrace(new PrintWriter(w));
                sb.append('\n').append(w);
            }
            captured.add(sb.toString());
        }
    }

    @BeforeAll
    static void captureEverythingAtTrace() throws Exception {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        appender = new Capture();
        appender.start();
        cfg.addAppender(appender);
        LoggerConfig root = cfg.getRootLogger();
        rootLevelBefore = root.getLevel();
        root.addAppender(appender, Level.ALL, null);
        root.setLevel(Level.ALL);
        for (String name : List.of("io.github.auditlake.o365", "com.microsoft.aad.msal4j", "okhttp3")) {
            LoggerConfig lc = cfg.getLoggerConfig(name);
            if (lc.getName().equals(name)) {
                lc.setLevel(Level.ALL);
                lc.addAppender(appender, Level.ALL, null);
            }
        }
        ctx.updateLoggers();
        p12 = MsalTokenProviderTest.pkcs12(dir);
        Path p12WithPlantedPassword = dir.resolve("planted.p12");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(p12)) {
            ks.load(in, "changeit".toCharArray());
        }
        ks.setKeyEntry(
                "app",
                ks.getKey("app", "changeit".toCharArray()),
                P12_PASSWORD.toCharArray(),
                ks.getCertificateChain("app"));
        try (var out = Files.newOutputStream(p12WithPlantedPassword)) {
            ks.store(out, P12_PASSWORD.toCharArray());
        }
        p12 = p12WithPlantedPassword;
        Path pemDir = Files.createDirectories(dir.resolve("pem"));
        pem = MsalTokenProviderTest.pem(pemDir, MsalTokenProviderTest.pkcs12(pemDir));
        pemKeyLine = Files.readAllLines(pem).get(1);
        // the worker operator allows the directory of the certificate, trust store and assertion files
        allowedPaths = WorkerAllowedPaths.allow(dir);
    }

    @AfterAll
    static void restoreLogging() {
        allowedPaths.close();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        cfg.getRootLogger().removeAppender(appender.getName());
        cfg.getRootLogger().setLevel(rootLevelBefore);
        for (String name : List.of("io.github.auditlake.o365", "com.microsoft.aad.msal4j", "okhttp3")) {
            LoggerConfig lc = cfg.getLoggerConfig(name);
            if (lc.getName().equals(name)) {
                lc.removeAppender(appender.getName());
                lc.setLevel(name.startsWith("io.github") ? Level.INFO : Level.WARN);
            }
        }
        ctx.updateLoggers();
        appender.stop();
    }

    static X509Certificate cert(Path p12, String password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(p12)) {
            ks.load(in, password.toCharArray());
        }
        return (X509Certificate) ks.getCertificate("app");
    }

    static Map<String, String> props(ManagementApiSimulator sim) {
        return ConnectorConfigs.forSimulator(sim.baseUrl())
                .tenant(TENANT)
                .clientId(CLIENT)
                .lookback(Duration.ofHours(3))
                .noHeartbeats()
                .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
                .with("o365.retry.max.attempts", "3")
                .build();
    }

    @Test
    void noPlantedCredentialAppearsInLogsErrorsMetricsOrStrings() throws Exception {
        SimClock clock = SimClock.system();
        AppSpec secretApp = AppSpec.of(CLIENT)
                .secret(SECRET)
                .certificate(cert(p12, P12_PASSWORD))
                .roles(AppSpec.ROLE_READ, AppSpec.ROLE_READ_DLP);
        String noRoleTenant = "5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4c";
        List<String> texts = new ArrayList<>();
        try (TlsOrigin origin = new TlsOrigin(Files.createDirectories(dir.resolve("origin")));
                ManagementApiSimulator sim = ManagementApiSimulator.builder()
                        .clock(clock)
                        .seed(3)
                        .pageSize(20)
                        .tenant(TenantSpec.of(TENANT)
                                .app(secretApp)
                                .app(AppSpec.of(MANAGED_IDENTITY).systemAssignedIdentity())
                                .volumeAll(Volume.of(4, 5))
                                .backfill(Duration.ofHours(3)))
                        .tenant(TenantSpec.of(noRoleTenant)
                                .app(AppSpec.of(CLIENT).secret(SECRET).noRoles()))
                        .build()
                        .start()) {
            O365AuditSourceConnector connector = new O365AuditSourceConnector();

            // validate(): good secret, wrong secret, good certificate, wrong certificate password, proxy password
            Map<String, String> good = props(sim);
            good.put("o365.client.secret", SECRET);
            texts.add(describe(connector.validate(good)));
            Map<String, String> wrong = props(sim);
            wrong.put("o365.client.secret", WRONG_SECRET);
            String wrongErrors = describe(connector.validate(wrong));
            assertTrue(wrongErrors.contains("o365.client.secret"), wrongErrors);
            texts.add(wrongErrors);
            Map<String, String> certificate = props(sim);
            certificate.put("o365.client.certificate.path", p12.toString());
            certificate.put("o365.client.certificate.password", P12_PASSWORD);
            texts.add(describe(connector.validate(certificate)));
            Map<String, String> badCertPassword = new HashMap<>(certificate);
            badCertPassword.put("o365.client.certificate.password", P12_PASSWORD + "-nope");
            texts.add(describe(connector.validate(badCertPassword)));
            Map<String, String> pemCert = props(sim);
            pemCert.put("o365.client.certificate.path", pem.toString());
            texts.add(describe(connector.validate(pemCert)));
            Map<String, String> proxied = new HashMap<>(good);
            proxied.put("o365.http.proxy.url", "http://127.0.0.1:1");
            proxied.put("o365.http.proxy.user", "bob");
            proxied.put("o365.http.proxy.password", PROXY_PASSWORD);
            proxied.put("o365.tls.truststore.path", p12.toString());
            proxied.put("o365.tls.truststore.password", TRUST_PASSWORD);
            texts.add(describe(connector.validate(proxied)));
            // in-config PEMs: the key and certificate, and a CA bundle (its lines must not be logged either)
            Map<String, String> inlinePem = props(sim);
            inlinePem.put("o365.client.certificate.pem", Files.readString(pem));
            inlinePem.put("o365.tls.ca.pem", origin.caPem());
            texts.add(describe(connector.validate(inlinePem)));
            Map<String, String> inlineBroken = new HashMap<>(inlinePem);
            inlineBroken.put(
                    "o365.client.certificate.pem", Files.readString(pem).replace("-----END PRIVATE", "--"));
            texts.add(describe(connector.validate(inlineBroken)));

            // a federated assertion file, accepted by the directory list and refused by the simulator
            Path assertionFile = Files.writeString(dir.resolve("azure-identity-token"), ASSERTION);
            Map<String, String> federated = props(sim);
            federated.put("o365.auth.method", "workload-identity");
            federated.put("o365.client.assertion.file", assertionFile.toString());
            String federatedErrors = describe(connector.validate(federated));
            assertTrue(federatedErrors.contains("o365.client.assertion.file ["), federatedErrors);
            texts.add(federatedErrors);

            // an authenticating proxy on the wire: CONNECT with the password, a 407 from the origin inside the tunnel
            String allowBefore = System.getProperty(EndpointAllowList.PROPERTY);
            try (TunnelProxy proxy = new TunnelProxy(origin.port(), PROXY_AUTHORIZATION)) {
                System.setProperty(
                        EndpointAllowList.PROPERTY, allowBefore + "," + TlsOrigin.HOST + ":" + origin.port());
                origin.handler(ex -> {
                    ex.getResponseHeaders().add("Proxy-Authenticate", "Basic realm=\"phish\"");
                    TlsOrigin.send(ex, 407, "");
                });
                String url = "https://" + TlsOrigin.HOST + ":" + origin.port();
                Map<String, String> tunnelled = new HashMap<>(good);
                tunnelled.put("o365.api.url", url);
                tunnelled.put("o365.login.url", url);
                tunnelled.put("o365.tls.ca.pem", origin.caPem());
                tunnelled.put("o365.http.proxy.url", "http://127.0.0.1:" + proxy.port());
                tunnelled.put("o365.http.proxy.user", "bob");
                tunnelled.put("o365.http.proxy.password", PROXY_PASSWORD);
                texts.add(describe(connector.validate(tunnelled)));
                Map<String, String> badProxyPassword = new HashMap<>(tunnelled);
                badProxyPassword.put("o365.http.proxy.password", WRONG_SECRET);
                texts.add(describe(connector.validate(badProxyPassword)));
                assertTrue(
                        proxy.seen().stream().anyMatch(x -> PROXY_AUTHORIZATION.equals(x.proxyAuthorization())),
                        "the proxy was used with its password: " + proxy.seen());
            } finally {
                System.setProperty(EndpointAllowList.PROPERTY, allowBefore);
            }
            Map<String, String> userInfo = new HashMap<>(good);
            userInfo.put("o365.http.proxy.url", "http://bob:" + PROXY_PASSWORD + "@127.0.0.1:1");
            texts.add(describe(connector.validate(userInfo)));

            // managed identity: the machine's identity, then one it does not have
            Map<String, String> managed = props(sim);
            managed.remove("o365.client.id");
            managed.remove("o365.login.url");
            managed.put("o365.auth.method", "managed-identity");
            managed.put("o365.managed.identity.endpoint", sim.identityEndpoint());
            texts.add(describe(connector.validate(managed)));
            Map<String, String> unknownIdentity = new HashMap<>(managed);
            unknownIdentity.put("o365.managed.identity.client.id", "11111111-2222-4333-8444-555555555555");
            String identityErrors = describe(connector.validate(unknownIdentity));
            assertTrue(identityErrors.contains("Identity not found"), identityErrors);
            texts.add(identityErrors);

            // toString() of every config and settings class
            texts.add(new O365SourceConfig(proxied).toString());
            texts.add(String.valueOf(new O365SourceConfig(proxied).values()));
            texts.add(ClientSettings.builder()
                    .tenantId(TENANT)
                    .clientId(CLIENT)
                    .clientSecret(SECRET)
                    .proxy("127.0.0.1", 1)
                    .proxyCredentials("bob", PROXY_PASSWORD)
                    .allowList(EndpointAllowList.of("*"))
                    .tlsTrust(new TlsTrust(p12, TRUST_PASSWORD, "PKCS12", null))
                    .build()
                    .toString());
            texts.add(ClientCredential.secret(SECRET).toString());
            texts.add(ClientCredential.certificate(p12, P12_PASSWORD).toString());
            texts.add(ClientCredential.certificatePem(Files.readString(pem), P12_PASSWORD)
                    .toString());
            texts.add(ClientCredential.assertionFile(assertionFile).toString());
            texts.add(new O365SourceConfig(inlinePem).toString());
            texts.add(new TlsTrust(null, null, null, null, origin.caPem()).toString());
            texts.add(ClientSettings.builder()
                    .tenantId(TENANT)
                    .credential(ClientCredential.managedIdentity(null))
                    .identityEndpoint(sim.identityEndpoint())
                    .build()
                    .toString());

            // the task: start, poll, stop (secret), then (certificate), then (managed identity)
            for (Map<String, String> base : List.of(good, certificate, managed)) {
                Map<String, String> task = new HashMap<>(base);
                task.put(O365SourceTaskConfig.TASK_STREAMS_CONFIG, TENANT + "|" + ContentType.EXCHANGE.wireName());
                task.put(O365SourceTaskConfig.TASK_REQUESTS_PER_MINUTE_CONFIG, "100000");
                TaskRun run = TaskRun.start(task, clock);
                List<SourceRecord> got = run.pollUntilRecords(1, Duration.ofSeconds(60));
                assertFalse(got.isEmpty());
                texts.add(run.metrics().summary());
                texts.add(got.get(0).toString());
                run.stop();
            }

            // each error class fails the task or is retried; its messages are checked too
            Map<String, String> noRole = props(sim);
            noRole.put("o365.tenant.id", noRoleTenant);
            noRole.put("o365.client.secret", SECRET);
            noRole.put(O365SourceTaskConfig.TASK_STREAMS_CONFIG, noRoleTenant + "|Audit.Exchange");
            noRole.put(O365SourceTaskConfig.TASK_REQUESTS_PER_MINUTE_CONFIG, "100000");
            texts.add(TaskRun.start(noRole, clock).failure(Duration.ofSeconds(60))); // permission (AF10001)
            Map<String, String> badSecretTask = new HashMap<>(noRole);
            badSecretTask.put("o365.tenant.id", TENANT);
            badSecretTask.put("o365.client.secret", WRONG_SECRET);
            badSecretTask.put(O365SourceTaskConfig.TASK_STREAMS_CONFIG, TENANT + "|Audit.Exchange");
            texts.add(TaskRun.start(badSecretTask, clock).failure(Duration.ofSeconds(60))); // authentication
            Map<String, String> faulty = new HashMap<>(good);
            faulty.put(O365SourceTaskConfig.TASK_STREAMS_CONFIG, TENANT + "|Audit.SharePoint");
            faulty.put(O365SourceTaskConfig.TASK_REQUESTS_PER_MINUTE_CONFIG, "100000");
            faulty.put("o365.fetch.concurrency", "1");
            TaskRun run = TaskRun.start(faulty, clock); // transient
            int first = run.pollUntilRecords(1, Duration.ofSeconds(60)).size();
            sim.faults()
                    .rate(Faults.Kind.HTTP_500, 0.3)
                    .rate(Faults.Kind.THROTTLE, 0.2)
                    .rate(Faults.Kind.TRUNCATED_BODY, 0.1)
                    .rate(Faults.Kind.RESET_MID_BODY, 0.1);
            run.pollUntilRecords(first + 10, Duration.ofSeconds(60));
            run.stop();
            sim.faults().clear();

            Set<String> tokens = new HashSet<>();
            for (RecordedRequest r : sim.requests()) {
                r.header("Authorization")
                        .filter(h -> h.startsWith("Bearer "))
                        .map(h -> h.substring(7))
                        .ifPresent(tokens::add);
            }
            assertFalse(tokens.isEmpty(), "the simulator saw bearer tokens");
            assertTrue(
                    sim.requests().stream()
                            .anyMatch(
                                    r -> r.path().equals(ManagementApiSimulator.IMDS_TOKEN_PATH) && r.status() == 200),
                    "a managed-identity token was issued (and is among the planted tokens)");

            List<String> everything = new ArrayList<>(captured);
            everything.addAll(texts);
            assertTrue(everything.stream().anyMatch(l -> l.contains("TRACE") || !l.isEmpty()), "logs captured");
            assertTrue(captured.size() > 50, "TRACE logging captured: " + captured.size());
            List<String> planted = new ArrayList<>(List.of(
                    SECRET,
                    WRONG_SECRET,
                    P12_PASSWORD,
                    PROXY_PASSWORD,
                    PROXY_AUTHORIZATION.substring("Basic ".length()),
                    TRUST_PASSWORD,
                    pemKeyLine,
                    origin.caPem().split("\n")[1],
                    ASSERTION));
            planted.addAll(tokens);
            for (String line : everything) {
                for (String p : planted) {
                    assertFalse(
                            line.contains(p),
                            "a planted credential leaked (" + abbreviate(p) + ") in: " + abbreviate(line));
                }
                assertFalse(JWT.matcher(line).find(), "a token or client assertion leaked in: " + abbreviate(line));
            }
        }
    }

    static String abbreviate(String s) {
        return s.length() > 400 ? s.substring(0, 400) + "..." : s;
    }

    static String describe(Config c) {
        StringBuilder sb = new StringBuilder();
        // the error messages the connector wrote (the values are the caller's own input, echoed by Connect)
        c.configValues()
                .forEach(v -> sb.append(v.name())
                        .append(' ')
                        .append(v.errorMessages())
                        .append('\n'));
        return sb.toString();
    }

    /** A task on the real client, polled from the test thread. */
    static final class TaskRun {
        final io.github.auditlake.o365.O365AuditSourceTaskAccess task;

        private TaskRun(io.github.auditlake.o365.O365AuditSourceTaskAccess task) {
            this.task = task;
        }

        static TaskRun start(Map<String, String> props, SimClock clock) {
            return new TaskRun(io.github.auditlake.o365.O365AuditSourceTaskAccess.start(
                    props, new DefaultApiFactory(), new FakeTaskContext(false)));
        }

        List<SourceRecord> pollUntilRecords(int n, Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            List<SourceRecord> out = new ArrayList<>();
            while (out.size() < n) {
                assertTrue(System.nanoTime() < deadline, "no records in time");
                List<SourceRecord> b = task.poll();
                if (b != null) {
                    out.addAll(b);
                }
            }
            return out;
        }

        /** Polls until the task fails; returns the failure's full text (message and stack trace). */
        String failure(Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                while (System.nanoTime() < deadline) {
                    try {
                        task.poll();
                    } catch (RuntimeException e) {
                        StringWriter w = new StringWriter();
                        e.printStackTrace(new PrintWriter(w));
                        return w.toString();
                    }
                }
                throw new AssertionError("the task did not fail");
            } finally {
                task.stop();
            }
        }

        EngineMetrics metrics() {
            return task.metrics();
        }

        void stop() {
            task.stop();
        }
    }
}
