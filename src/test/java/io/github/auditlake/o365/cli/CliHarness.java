package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.ServiceClock;
import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.client.ManagementApis;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Runs the CLI in-process against an in-process Management API simulator: a {@link SimClock} that sleeping advances
 * (no real waits) and that is also the service's time (the simulator's {@code Date} headers carry the real time),
 * captured stdout and stderr, and an environment map.
 */
final class CliHarness implements AutoCloseable {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final String CLIENT = "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69";
    static final String SECRET = "cli-Secret~Value.123";
    static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    final SimClock clock;
    final ManagementApiSimulator sim;
    final Map<String, String> env = new HashMap<>();
    Function<ClientSettings, ManagementApi> apiFactory = ManagementApis::create;
    boolean interactive;
    /** The terminal's answer to a prompt (prompts are recorded in {@link #prompts}); null: no terminal. */
    Function<String, String> console = prompt -> null;

    final List<String> prompts = new ArrayList<>();
    /** The context of the run in progress (or the last run): a test cancels it as Ctrl-C would. */
    volatile CliContext context;

    /** The result of one run. */
    record Run(int code, String out, String err) {
        List<String> lines() {
            return out.isEmpty()
                    ? List.of()
                    : Arrays.asList(out.split("\n", -1))
                            .subList(
                                    0,
                                    out.endsWith("\n") ? out.split("\n", -1).length - 1 : out.split("\n", -1).length);
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout ---\n" + abbreviate(out) + "\n--- stderr ---\n" + err;
        }

        private static String abbreviate(String s) {
            return s.length() > 4000 ? s.substring(0, 4000) + "... (" + s.length() + " chars)" : s;
        }
    }

    CliHarness(TenantSpec tenant) {
        this(tenant, SimClock.fixed(NOW));
    }

    CliHarness(TenantSpec tenant, SimClock clock) {
        this(tenant, clock, 7);
    }

    /** @param pageSize blobs per listing page (the service's is 600; 7 makes the tests follow pages) */
    CliHarness(TenantSpec tenant, SimClock clock, int pageSize) {
        this.clock = clock;
        this.sim = ManagementApiSimulator.builder()
                .clock(clock)
                .seed(11)
                .pageSize(pageSize)
                .tenant(tenant)
                .build()
                .start();
        env.put("O365_TENANT_ID", TENANT);
        env.put("O365_CLIENT_ID", CLIENT);
        env.put("O365_CLIENT_SECRET", SECRET);
        env.put("O365_API_URL", sim.baseUrl());
        env.put("O365_LOGIN_URL", sim.baseUrl());
    }

    /** A tenant with the CLI's app, all subscriptions on, {@code blobsPerHour} x 5 records of every type. */
    static TenantSpec tenant(int blobsPerHour) {
        return TenantSpec.of(TENANT)
                .app(AppSpec.of(CLIENT).secret(SECRET))
                .subscribedAll(true)
                .volumeAll(Volume.of(blobsPerHour, 5))
                .backfill(Duration.ofDays(4));
    }

    Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext ctx = new CliContext(
                out,
                err,
                env,
                clock,
                clock::advance,
                new Random(5),
                interactive,
                apiFactory,
                ServiceClock.fixedTo(clock));
        context = ctx;
        ctx.console(prompt -> {
            prompts.add(prompt);
            return console.apply(prompt);
        });
        int code = Main.run(args, ctx);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Runs {@code verify} for this harness's tenant: the entry point for end-to-end tests (a connector wrote the
     * ledger and the audit topics on {@code bootstrapServers}); {@code extra} adds options such as {@code --data},
     * {@code --ledger-topic}, {@code --data-topic} or {@code --json}.
     */
    Run verify(String bootstrapServers, Instant start, Instant end, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "verify",
                "--bootstrap-server",
                bootstrapServers,
                "--start",
                start.toString(),
                "--end",
                end.toString()));
        args.addAll(Arrays.asList(extra));
        return run(args.toArray(String[]::new));
    }

    /** Record ids of every blob the simulator lists for {@code [from, to)}, each blob once, with repeats. */
    List<String> recordIdsOfBlobs(ContentType type, Instant from, Instant to) {
        List<String> ids = new ArrayList<>();
        sim.visibleBlobs(TENANT, type, from, to).forEach(b -> ids.addAll(b.recordIds()));
        return ids;
    }

    @Override
    public void close() {
        sim.close();
    }
}
