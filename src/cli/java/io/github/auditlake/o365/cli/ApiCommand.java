package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.client.ClientSettings;
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

    @Override
    public final Integer call() throws Exception {
        ctx.verbose(globals().verbose);
        return execute();
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
