package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.ServiceClock;
import io.github.auditlake.o365.api.Sleeper;
import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.client.ManagementApis;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What a CLI run touches outside itself: stdout, stderr, the environment, the clock, sleeping, randomness, whether
 * stderr is a terminal, and how a {@link ManagementApi} is built. Tests pass their own; {@link #system()} is the
 * real thing. Everything the CLI writes to stderr goes through {@link #error}, {@link #warn} or {@link #info}, which
 * mask every secret registered with {@link #secret(String)}.
 */
final class CliContext {
    static final String PROGRAM = "o365-audit";

    private final OutputStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final Clock clock;
    private final Waits sleeper;
    private final Random random;
    private final boolean interactive;
    private final Function<ClientSettings, ManagementApi> apiFactory;
    private final ServiceClock serviceClock;
    private final Set<String> secrets = ConcurrentHashMap.newKeySet();
    private volatile boolean verbose;
    private volatile boolean quiet;
    private volatile boolean cancelled;
    private volatile Runnable onCancel;
    private volatile Function<String, String> console = prompt -> null;

    CliContext(
            OutputStream out,
            OutputStream err,
            Map<String, String> env,
            Clock clock,
            Sleeper sleeper,
            Random random,
            boolean interactive,
            Function<ClientSettings, ManagementApi> apiFactory) {
        this(out, err, env, clock, sleeper, random, interactive, apiFactory, null);
    }

    /**
     * @param serviceClock the service's time as the client and the export's engine see it; null: learned from the
     *                     service's {@code Date} headers (tests with a simulated clock pass one fixed to it, since a
     *                     local simulator's {@code Date} headers carry the real time)
     */
    CliContext(
            OutputStream out,
            OutputStream err,
            Map<String, String> env,
            Clock clock,
            Sleeper sleeper,
            Random random,
            boolean interactive,
            Function<ClientSettings, ManagementApi> apiFactory,
            ServiceClock serviceClock) {
        this.out = Objects.requireNonNull(out, "out");
        this.err = new PrintStream(Objects.requireNonNull(err, "err"), true, StandardCharsets.UTF_8);
        this.env = Map.copyOf(env);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = new Waits(this, Objects.requireNonNull(sleeper, "sleeper"));
        this.random = Objects.requireNonNull(random, "random");
        this.interactive = interactive;
        this.apiFactory = Objects.requireNonNull(apiFactory, "apiFactory");
        this.serviceClock = serviceClock;
    }

    /** The real process: System.out/err (unbuffered descriptors; the CLI buffers itself), env, wall clock. */
    static CliContext system() {
        CliContext ctx = new CliContext(
                new FileOutputStream(FileDescriptor.out),
                new FileOutputStream(FileDescriptor.err),
                System.getenv(),
                Clock.systemUTC(),
                Sleeper.SYSTEM,
                new Random(),
                System.console() != null,
                ManagementApis::create);
        return ctx.console(prompt -> {
            java.io.Console c = System.console();
            return c == null ? null : c.readLine("%s", prompt);
        });
    }

    /**
     * How to ask the person at the terminal: prompt (written to the terminal) to the answered line, or null when
     * there is no terminal to ask (stdin or stdout redirected, as under cron).
     */
    CliContext console(Function<String, String> console) {
        this.console = Objects.requireNonNull(console, "console");
        return this;
    }

    /** The answer to {@code prompt}, or null when there is no terminal to ask. */
    String ask(String prompt) {
        err.flush();
        return console.apply(prompt);
    }

    /** Raw stdout: data (records, tables, JSON). The caller buffers and flushes. */
    OutputStream out() {
        return out;
    }

    Map<String, String> env() {
        return env;
    }

    Clock clock() {
        return clock;
    }

    /** The service's time to use, or null to learn it from the service's {@code Date} headers. */
    ServiceClock serviceClock() {
        return serviceClock;
    }

    /** Every wait: said on stderr when long (unless {@link #quiet()}), bounded by {@code --timeout}. */
    Waits sleeper() {
        return sleeper;
    }

    /** {@code --quiet}: no wait notices and no progress on stderr (errors and warnings still). */
    boolean quiet() {
        return quiet;
    }

    void quiet(boolean q) {
        quiet = q;
    }

    /**
     * Asks the running command to stop (Ctrl-C): a command that can stop cleanly registered with
     * {@link #onCancel(Runnable)}; returns true when one did, false when there is nothing to wait for.
     */
    boolean cancel() {
        cancelled = true;
        Runnable r = onCancel;
        if (r != null) {
            r.run();
            return true;
        }
        return false;
    }

    boolean cancelled() {
        return cancelled;
    }

    /** Registers (or with null, removes) what a cancel does for the running command. */
    void onCancel(Runnable r) {
        onCancel = r;
    }

    Random random() {
        return random;
    }

    /** True when stderr is a terminal (progress lines are shown only then). */
    boolean interactive() {
        return interactive;
    }

    ManagementApi createApi(ClientSettings settings) {
        return apiFactory.apply(settings);
    }

    boolean verbose() {
        return verbose;
    }

    void verbose(boolean v) {
        verbose = v;
    }

    /** Registers a secret value: it is masked in everything written to stderr from now on. */
    void secret(String value) {
        if (value != null && value.length() >= 3) {
            secrets.add(value);
        }
    }

    /** {@code text} with every registered secret replaced by {@code ***}. */
    String redact(String text) {
        if (text == null) {
            return null;
        }
        String r = text;
        for (String s : secrets) {
            r = r.replace(s, "***");
        }
        return r;
    }

    /** {@code o365-audit: <message>} on stderr. */
    void error(String message) {
        err.println(PROGRAM + ": " + redact(Wording.forTerminal(message)));
    }

    /** {@code o365-audit: warning: <message>} on stderr. */
    void warn(String message) {
        err.println(PROGRAM + ": warning: " + redact(Wording.forTerminal(message)));
    }

    /** A plain line on stderr (summaries, notes). */
    void info(String message) {
        err.println(redact(message));
    }

    /** A line on stderr only with {@code --verbose}. */
    void debug(String message) {
        if (verbose) {
            err.println(PROGRAM + ": " + redact(message));
        }
    }

    /** Raw text on stderr without a newline (the progress line); nothing is added. */
    void progress(String text) {
        err.print(redact(text));
        err.flush();
    }

    PrintStream errStream() {
        return err;
    }
}
