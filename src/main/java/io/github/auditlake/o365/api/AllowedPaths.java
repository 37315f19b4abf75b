package io.github.auditlake.o365.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The directories a connector may read files from (certificate, CA bundle, trust store, federated assertion): the
 * worker operator's decision, never the connector configuration's. Read on the worker from the JVM system property
 * {@value #PROPERTY} or, when it is not set, the environment variable {@value #ENV}: comma-separated absolute
 * directories, with the semantics of Kafka's {@code allowed.paths} of its file config providers (KIP-993): a file is
 * allowed when it lies inside one of them; an entry that is relative or does not exist is an error. Unset or empty:
 * no file may be read, except the file named by the worker's own {@value #FEDERATED_TOKEN_FILE_ENV} (Azure workload
 * identity), which is always allowed.
 *
 * <p>Paths are compared after resolving symbolic links ({@link Path#toRealPath}) on both sides, so neither
 * {@code ..} nor a link leads out of an allowed directory. Only regular files of at most {@value #MAX_FILE_BYTES}
 * bytes are read ({@code /proc}, {@code /sys} and {@code /dev} never, nor FIFOs or devices anywhere), and a read
 * never takes more than that many bytes, so it cannot hang on an endless file or exhaust the heap. A refusal for a
 * file outside the allowed directories says the same whether the file exists or not.
 *
 * <p>Read at every check (not cached), so an operator's change applies to the next validation or task start.
 */
public final class AllowedPaths {
    public static final String ENV = "O365_ALLOWED_PATHS";
    public static final String PROPERTY = "o365.allowed.paths";
    /** Set by Azure workload identity on the worker: the projected token file, always allowed. */
    public static final String FEDERATED_TOKEN_FILE_ENV = "AZURE_FEDERATED_TOKEN_FILE";
    /** The largest file read: 1 MiB (certificates, CA bundles and assertions are a few kilobytes). */
    public static final int MAX_FILE_BYTES = 1024 * 1024;

    /** Never read, whatever the list says: kernel and device file systems. */
    private static final List<Path> NEVER = List.of(Path.of("/proc"), Path.of("/sys"), Path.of("/dev"));

    /**
     * Any directory: for the operator's own CLI, where the person naming the file is the operator. Only regular files
     * within the size cap are still read.
     */
    public static final AllowedPaths ANY = new AllowedPaths(null, () -> null, "(any directory: operator tool)");

    /** The entries, or null for any directory. */
    private final Supplier<String> entries;

    private final Supplier<String> federatedTokenFile;
    private final String description;

    private AllowedPaths(Supplier<String> entries, Supplier<String> federatedTokenFile, String description) {
        this.entries = entries;
        this.federatedTokenFile = federatedTokenFile;
        this.description = description;
    }

    /** The worker's list: the system property if set, else the environment variable. */
    public static AllowedPaths fromEnvironment() {
        return from(System::getProperty, System::getenv);
    }

    /** Explicit property and environment lookups (tests). */
    public static AllowedPaths from(Function<String, String> properties, Function<String, String> env) {
        return new AllowedPaths(
                () -> WorkerProperty.read(properties, env, PROPERTY, ENV),
                () -> env.apply(FEDERATED_TOKEN_FILE_ENV),
                "the worker's " + ENV + " / -D" + PROPERTY);
    }

    /** A fixed list of directories, e.g. {@code "/etc/kafka/secrets"}; no federated token file. */
    public static AllowedPaths of(String entries) {
        Objects.requireNonNull(entries, "entries");
        return new AllowedPaths(() -> entries, () -> null, "[" + entries + "]");
    }

    /** True when this is {@link #ANY}. */
    public boolean anyDirectory() {
        return entries == null;
    }

    /**
     * The allowed directories, as real paths.
     *
     * @throws IllegalArgumentException when an entry is relative, malformed or does not exist (an operator error)
     */
    public List<Path> directories() {
        List<Path> out = new ArrayList<>();
        String s = entries == null ? "" : entries.get();
        if (s == null || s.isBlank()) {
            return out;
        }
        for (String raw : s.split(",", -1)) {
            String e = raw.trim();
            Path p;
            try {
                p = Path.of(e);
            } catch (InvalidPathException ex) {
                throw listError("the entry '" + e + "' is not a path");
            }
            if (e.isEmpty() || !p.isAbsolute()) {
                throw listError("the entry '" + e + "' is not an absolute path");
            }
            try {
                out.add(p.normalize().toRealPath());
            } catch (IOException ex) {
                throw listError("the directory " + p.normalize() + " does not exist or cannot be resolved");
            }
        }
        return out;
    }

    private static IllegalArgumentException listError(String why) {
        return new IllegalArgumentException("The worker's list of allowed directories (" + ENV + " or -D" + PROPERTY
                + ") is invalid: " + why + "; it must be comma-separated absolute directories that exist. The worker "
                + "operator must correct it on every worker");
    }

    /**
     * Reads {@code file}, the value of {@code setting}, if this policy allows it.
     *
     * @param setting the configuration key naming the file, for messages (e.g. {@code o365.tls.ca.pem.path})
     * @throws IllegalArgumentException with a message for the user: outside the allowed directories (the same
     *     message whether the file exists or not), or, for an allowed path, what is wrong with it
     */
    public byte[] read(String setting, String file) {
        Path real = resolve(setting, file);
        try (InputStream in = Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS)) {
            byte[] b = in.readNBytes(MAX_FILE_BYTES + 1);
            if (b.length > MAX_FILE_BYTES) {
                throw tooLarge(setting, file);
            }
            return b;
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    setting + ": the file " + file + " cannot be read on this worker ("
                            + e.getClass().getSimpleName() + ")",
                    e);
        }
    }

    /**
     * Checks that {@code file} may be read and is a regular file within the size cap; returns its real path.
     *
     * @throws IllegalArgumentException as {@link #read}
     */
    public Path resolve(String setting, String file) {
        Path p;
        try {
            p = Path.of(file.trim());
        } catch (InvalidPathException e) {
            throw notAllowed(setting);
        }
        if (anyDirectory()) {
            p = p.toAbsolutePath();
        } else if (!p.isAbsolute()) {
            throw notAllowed(setting);
        }
        Path normalized = p.normalize();
        Path federated = federatedTokenFile();
        boolean isFederated = federated != null && federated.equals(normalized);
        // the worker's own federated token file needs no list (and a broken list does not break it)
        List<Path> dirs = anyDirectory() || isFederated ? List.of() : directories();
        if (!anyDirectory() && !isFederated && !inside(normalized, dirs, true)) {
            throw notAllowed(setting);
        }
        Path real;
        try {
            real = normalized.toRealPath();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(setting + ": the file " + file + " does not exist on this worker (it "
                    + "must exist on every worker)");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(
                    setting + ": the file " + file + " cannot be read on this worker (permission denied)");
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + ": the file " + file + " cannot be resolved on this worker ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (!anyDirectory() && !isFederated && !inside(real, dirs, false) && !isFederatedReal(real, federated)) {
            throw notAllowed(setting);
        }
        for (Path never : NEVER) {
            if (real.startsWith(never)) {
                throw notRegular(setting, file);
            }
        }
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + ": the file " + file + " cannot be read on this worker ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (!a.isRegularFile()) {
            throw notRegular(setting, file);
        }
        if (a.size() > MAX_FILE_BYTES) {
            throw tooLarge(setting, file);
        }
        return real;
    }

    private Path federatedTokenFile() {
        String f = federatedTokenFile.get();
        if (f == null || f.isBlank()) {
            return null;
        }
        try {
            Path p = Path.of(f.trim());
            return p.isAbsolute() ? p.normalize() : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static boolean isFederatedReal(Path real, Path federated) {
        if (federated == null) {
            return false;
        }
        try {
            return federated.toRealPath().equals(real);
        } catch (IOException e) {
            return false;
        }
    }

    /** Inside a directory: by real path; {@code lexical} also accepts the path as written under a listed entry. */
    private boolean inside(Path p, List<Path> dirs, boolean lexical) {
        for (Path d : dirs) {
            if (p.startsWith(d) && !p.equals(d)) {
                return true;
            }
        }
        if (lexical) {
            String s = entries == null ? "" : entries.get();
            for (String raw : s == null ? new String[0] : s.split(",")) {
                try {
                    Path d = Path.of(raw.trim()).normalize();
                    if (d.isAbsolute() && p.startsWith(d) && !p.equals(d)) {
                        return true;
                    }
                } catch (InvalidPathException e) {
                    // reported by directories()
                }
            }
        }
        return false;
    }

    private static IllegalArgumentException notAllowed(String setting) {
        return new IllegalArgumentException(setting + " is not in a directory the worker allows, so it is not read. "
                + "Which directories connectors may read is the worker operator's decision: they list them in the "
                + "environment variable " + ENV + " (or the JVM system property -D" + PROPERTY + ") on every worker, "
                + "comma-separated absolute directories. Certificates and CA bundles can also be given in the "
                + "configuration itself (o365.client.certificate.pem, o365.tls.ca.pem), with a config provider.");
    }

    private static IllegalArgumentException notRegular(String setting, String file) {
        return new IllegalArgumentException(
                setting + ": " + file + " is not a regular file (devices, FIFOs, /proc, /sys and /dev are never read)");
    }

    private static IllegalArgumentException tooLarge(String setting, String file) {
        return new IllegalArgumentException(setting + ": the file " + file + " is larger than " + MAX_FILE_BYTES
                + " bytes, the limit for files " + "a connector reads");
    }

    @Override
    public String toString() {
        return "AllowedPaths" + description;
    }
}
