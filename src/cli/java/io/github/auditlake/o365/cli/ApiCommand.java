package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.client.ClientSettings;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Base of the commands: the context, the global options and the settings resolved from them. */
abstract class ApiCommand implements Callable<Integer> {
    protected final CliContext ctx;

    @Spec
    CommandSpec spec;

    private CliSettings settings;

    ApiCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    /** The {@code --timeout} of a command that does not name one. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(15);

    @Override
    public final Integer call() throws Exception {
        ctx.verbose(globals().verbose);
        ctx.quiet(globals().quiet);
        String t = globals().timeout;
        Duration timeout = t == null ? defaultTimeout() : Times.duration(t, "--timeout");
        ctx.sleeper().timeout(timeout == null || timeout.isZero() ? null : timeout);
        int code;
        try {
            code = execute();
        } catch (RuntimeException e) {
            RuntimeException stop = stopped(e);
            throw stop != null ? stop : e;
        }
        RuntimeException stop = stopped(null);
        if (stop != null) {
            throw stop;
        }
        return code;
    }

    /** The failure to report when the waits were stopped (a TLS trust failure, the timeout), or null. */
    RuntimeException stopped(Throwable cause) {
        if (ctx.sleeper().tlsProblem() != null) {
            return CliException.failure(
                    TlsProblem.message("cannot connect", ctx.sleeper().tlsProblem()), cause);
        }
        if (ctx.sleeper().timedOut()) {
            return timedOut(cause);
        }
        return null;
    }

    /** The timeout without {@code --timeout}: {@link #DEFAULT_TIMEOUT}; null for none. */
    protected Duration defaultTimeout() {
        return DEFAULT_TIMEOUT;
    }

    /** The failure a command that ran past its {@code --timeout} reports (exit code 3). */
    CliException timedOut(Throwable cause) {
        Duration d = ctx.sleeper().timeout();
        String why = ctx.sleeper().lastWhy();
        return CliException.timeout(
                "timed out after " + Waits.human(d) + " (--timeout "
                        + (globals().timeout == null ? "default" : globals().timeout)
                        + ")" + (why == null ? "" : "; it was waiting for: " + why)
                        + ". Give a longer --timeout, or --timeout 0 for none",
                cause);
    }

    /** The command's work; returns the exit code. */
    protected abstract int execute() throws Exception;

    GlobalOptions globals() {
        return ((RootCommand) spec.root().userObject()).globals;
    }

    /** The settings, resolved once (options > environment > --config); --verbose says where each came from. */
    CliSettings settings() {
        if (settings == null) {
            settings = CliSettings.resolve(globals(), ctx);
            if (ctx.verbose()) {
                settings.describe().forEach(line -> ctx.debug("setting " + line));
            }
        }
        return settings;
    }

    /** Client settings with the request budget from --config, else the default. */
    ClientSettings clientSettings() {
        Integer rpm = settings().requestsPerMinute();
        return clientSettings(rpm == null ? CliSettings.KEY_REQUESTS_PER_MINUTE.defaultValue() : rpm);
    }

    ClientSettings clientSettings(int requestsPerMinute) {
        return settings().toClientSettings(ctx, requestsPerMinute);
    }

    ManagementApi openApi() {
        return ctx.createApi(clientSettings());
    }
}
