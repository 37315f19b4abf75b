package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.ApiException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code o365-audit}: entry point. {@link #run(String[], CliContext)} parses and runs a command and returns its exit
 * code (0 success, 1 failure, 2 usage error) without exiting, so tests run the CLI in-process.
 */
public final class Main {
    /** Options whose value is a secret: masked on stderr even when the command line is wrong. */
    static final Set<String> SECRET_OPTIONS =
            Set.of("--client-secret", "--certificate-password", "--truststore-password");
    /** Environment variables holding secrets. */
    static final List<String> SECRET_ENV = List.of(
            CliSettings.ENV_CLIENT_SECRET,
            CliSettings.ENV_CERTIFICATE_PASSWORD,
            CliSettings.ENV_PROXY_PASSWORD,
            CliSettings.ENV_TRUSTSTORE_PASSWORD);

    private Main() {}

    /** How long Ctrl-C waits for a command that stops cleanly (an export saving its resume state). */
    static final long CANCEL_GRACE_MILLIS = 10_000;

    public static void main(String[] args) {
        CliContext ctx = CliContext.system();
        Thread main = Thread.currentThread();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            if (ctx.cancel()) {
                                try {
                                    main.join(CANCEL_GRACE_MILLIS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                        },
                        "o365-audit-interrupt"));
        int code = run(args, ctx);
        if (ctx.cancelled()) {
            return; // Ctrl-C: the JVM is already exiting (System.exit would wait for this hook forever)
        }
        System.exit(code);
    }

    /** Runs one command line; never calls {@link System#exit}. */
    static int run(String[] args, CliContext ctx) {
        registerSecrets(args, ctx);
        return commandLine(ctx).execute(args);
    }

    static CommandLine commandLine(CliContext ctx) {
        CommandLine cl = new CommandLine(new RootCommand(), new Factory(ctx));
        PrintWriter out = new PrintWriter(new OutputStreamWriter(ctx.out(), StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(ctx.errStream(), StandardCharsets.UTF_8), true);
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, argv) -> usageError(ex, ctx));
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> failure(ex, ctx));
        return cl;
    }

    private static void registerSecrets(String[] args, CliContext ctx) {
        for (String name : SECRET_ENV) {
            ctx.secret(ctx.env().get(name));
        }
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            for (String opt : SECRET_OPTIONS) {
                if (a.equals(opt) && i + 1 < args.length) {
                    ctx.secret(args[i + 1]);
                } else if (a.startsWith(opt + "=")) {
                    ctx.secret(a.substring(opt.length() + 1));
                }
            }
            // a proxy password in --proxy's user:password@, masked before anything can be said about the URL
            String proxyUrl = a.equals("--proxy") && i + 1 < args.length
                    ? args[i + 1]
                    : a.startsWith("--proxy=") ? a.substring("--proxy=".length()) : null;
            int from = proxyUrl == null ? -1 : proxyUrl.indexOf("://") < 0 ? 0 : proxyUrl.indexOf("://") + 3;
            int at = proxyUrl == null ? -1 : proxyUrl.lastIndexOf('@');
            if (proxyUrl != null && at > from && proxyUrl.substring(from, at).indexOf(':') >= 0) {
                String password = proxyUrl.substring(from, at)
                        .substring(proxyUrl.substring(from, at).indexOf(':') + 1);
                ctx.secret(password);
                try {
                    ctx.secret(java.net.URLDecoder.decode(password, StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    // not URL-encoded: the raw text is masked
                }
            }
        }
    }

    /**
     * A wrong command line: one line, exit 2. An unknown option is named as such even when picocli would first
     * complain about a missing required option, and only the option is named (never the values after it, which
     * may be a secret given to a misspelled option).
     */
    private static int usageError(ParameterException ex, CliContext ctx) {
        CommandLine cmd = ex.getCommandLine();
        String message = ex.getMessage();
        List<String> unmatched = cmd.getUnmatchedArguments();
        if (ex instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            unmatched = u.getUnmatched();
        }
        if (!unmatched.isEmpty()) {
            String first = unmatched.stream()
                    .filter(s -> s.startsWith("-"))
                    .findFirst()
                    .orElse(null);
            message = first != null
                    ? "Unknown option: '" + first + "'"
                    : "Unexpected argument: '" + unmatched.get(0) + "'";
        }
        ctx.error(message + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
        return CliException.USAGE;
    }

    /** A failure while running: one line (plus a stack trace with --verbose), exit 1 or 2. */
    private static int failure(Exception ex, CliContext ctx) {
        int code;
        if (brokenPipe(ex)) {
            return CliException.FAILURE; // the reader went away (e.g. `| head`): nothing to say
        }
        if (ex instanceof java.io.UncheckedIOException u) {
            ctx.error("cannot write the output: " + u.getCause().getMessage());
            code = CliException.FAILURE;
        } else if (ex instanceof CliException c) {
            ctx.error(c.getMessage());
            code = c.exitCode();
        } else if (TlsProblem.in(ex)) {
            ctx.error(TlsProblem.message("cannot connect", ex.getMessage()));
            code = CliException.FAILURE;
        } else if (ex instanceof ApiException a) {
            ctx.error(a.getMessage());
            code = CliException.FAILURE;
        } else if (ex instanceof java.nio.file.NoSuchFileException n) {
            ctx.error("no such file or directory: " + n.getFile());
            code = CliException.FAILURE;
        } else if (ex instanceof java.nio.file.AccessDeniedException n) {
            ctx.error("permission denied: " + n.getFile());
            code = CliException.FAILURE;
        } else if (ex instanceof java.nio.file.FileSystemException n) {
            ctx.error("cannot use " + n.getFile() + ": " + n.getReason());
            code = CliException.FAILURE;
        } else {
            ctx.error("unexpected error: " + ex.getClass().getSimpleName()
                    + (ex.getMessage() == null ? "" : ": " + ex.getMessage()));
            code = CliException.FAILURE;
        }
        if (ctx.verbose()) {
            StringWriter trace = new StringWriter();
            ex.printStackTrace(new PrintWriter(trace));
            ctx.info(trace.toString().stripTrailing());
        }
        return code;
    }

    /** True when writing failed because the reading end of the pipe was closed. */
    static boolean brokenPipe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.io.IOException
                    && c.getMessage() != null
                    && c.getMessage().toLowerCase(java.util.Locale.ROOT).contains("broken pipe")) {
                return true;
            }
        }
        return false;
    }

    /** Builds command objects, handing the {@link CliContext} to those whose constructor takes it. */
    private static final class Factory implements CommandLine.IFactory {
        private final CliContext ctx;

        Factory(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                var c = cls.getDeclaredConstructor(CliContext.class);
                c.setAccessible(true);
                return c.newInstance(ctx);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
        }
    }
}
