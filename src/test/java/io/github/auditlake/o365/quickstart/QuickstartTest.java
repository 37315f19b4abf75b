package io.github.auditlake.o365.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.AllowedPaths;
import io.github.auditlake.o365.api.EndpointAllowList;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.testkit.ConnectorConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart launcher's options, per-run directories, port holders and credential check (no Kafka). */
class QuickstartTest {
    /** A certificate the operator names: its directory is added to the worker's allowed directories, not replacing any. */
    @Test
    void theCertificatesDirectoryIsAllowedOnTheWorkerItStarts() {
        String before = System.getProperty(AllowedPaths.PROPERTY);
        try {
            System.setProperty(AllowedPaths.PROPERTY, "/etc/kafka/secrets");
            Quickstart.allowDirectory(Path.of("/home/op/certs"));
            assertEquals("/etc/kafka/secrets,/home/op/certs", System.getProperty(AllowedPaths.PROPERTY));
        } finally {
            if (before == null) {
                System.clearProperty(AllowedPaths.PROPERTY);
            } else {
                System.setProperty(AllowedPaths.PROPERTY, before);
            }
        }
    }

    @Test
    void anUnknownOptionIsNamedAsUnknown() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Quickstart.parse(new String[] {"--x"}));
        assertEquals("Unknown option --x", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Quickstart.parse(new String[] {"--kafka-port"}));
        assertEquals("Missing value for --kafka-port", e.getMessage());
        assertEquals(
                Map.of("quiet", "true", "max-events", "5"),
                Quickstart.parse(new String[] {"--quiet", "--max-events=5"}));
    }

    static Map<String, Integer> ports(int kafka, int connect) {
        Map<String, Integer> p = new LinkedHashMap<>();
        p.put("Kafka broker (--kafka-port)", kafka);
        p.put("Connect REST API (--connect-port)", connect);
        return p;
    }

    @Test
    void runsOnDifferentPortsUseDifferentDirectoriesAndTheSamePortsAreRefused(@TempDir Path root) {
        Optional<RunDir> a = RunDir.acquire(root, ports(19092, 18083));
        Optional<RunDir> b = RunDir.acquire(root, ports(29092, 28083));
        assertTrue(a.isPresent() && b.isPresent());
        try {
            assertNotEquals(a.get().dir(), b.get().dir());
            assertTrue(RunDir.acquire(root, ports(19092, 18083)).isEmpty(), "a second run on the same ports");
        } finally {
            a.get().close();
            b.get().close();
        }
        Optional<RunDir> again = RunDir.acquire(root, ports(19092, 18083));
        assertTrue(again.isPresent(), "free again once the first run ended");
        again.get().close();
    }

    @Test
    void aTakenPortIsAttributedToTheLiveProcessOfTheRunThatRecordedIt(@TempDir Path project) {
        Path root = project.resolve("target/quickstart");
        RunDir run = RunDir.acquire(root, ports(19092, 18083)).orElseThrow();
        try {
            long me = ProcessHandle.current().pid();
            run.writePid("launcher", me);
            run.writePid("worker", me);
            String h = RunDir.holderOf(root, 18083).orElseThrow();
            assertTrue(h.contains("Connect worker (pid " + me + ")") && h.contains("ports-19092-18083"), h);
            assertTrue(RunDir.holderOf(root, 12345).isEmpty(), "a port no run recorded");
            assertTrue(
                    RunDir.holderOf(root, 19092).orElseThrow().contains("launcher is pid " + me),
                    "the broker pid is not recorded: the launcher is named");
        } finally {
            run.close();
        }
        assertTrue(RunDir.holderOf(root, 18083).isEmpty(), "pid files go with the run");
        assertTrue(Files.isDirectory(run.dir()), "the logs stay");
    }

    @Test
    void wrongCredentialsAreReportedInOneLineBeforeKafkaStarts() {
        String tenant = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
        String client = "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69";
        try (ManagementApiSimulator sim = ManagementApiSimulator.builder()
                .tenant(TenantSpec.of(tenant)
                        .app(AppSpec.of(client).secret("right").roles(AppSpec.ROLE_READ))
                        .subscribedAll(true))
                .build()
                .start()) {
            String allow = System.getProperty(EndpointAllowList.PROPERTY);
            Map<String, String> c = ConnectorConfigs.forSimulator(sim.baseUrl())
                    .tenant(tenant)
                    .client(client, "wrong")
                    .build();
            try {
                System.setProperty(EndpointAllowList.PROPERTY, sim.baseUrl().substring("http://".length()));
                String problem = Quickstart.preflight(c);
                assertNotNull(problem, "wrong secret accepted");
                assertTrue(problem.startsWith("Sign-in to " + sim.baseUrl()), problem);
                assertTrue(problem.contains("client secret"), "the connector's own advice: " + problem);
                assertFalse(problem.contains("\n") || problem.contains("Exception"), problem);
                c.put("o365.client.secret", "right");
                assertEquals(null, Quickstart.preflight(c));
            } finally {
                if (allow == null) {
                    System.clearProperty(EndpointAllowList.PROPERTY);
                } else {
                    System.setProperty(EndpointAllowList.PROPERTY, allow);
                }
            }
        }
    }
}
