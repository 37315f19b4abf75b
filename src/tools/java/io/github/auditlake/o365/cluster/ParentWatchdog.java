package io.github.auditlake.o365.cluster;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Optional;

/**
 * The main class of every child JVM that {@link JavaProcess} starts (broker, Connect worker, storage tool): runs the
 * real main class given as the first argument, and halts this JVM when the parent process (the test JVM or the
 * quickstart launcher) is gone, for example after {@code kill -9} of the parent, which runs no shutdown hook.
 *
 * <p>JDK classes only: it runs on the child's classpath (any Kafka version), copied there by {@link JavaProcess}
 * into its own directory, never with {@code target/test-classes}.
 */
public final class ParentWatchdog {
    /** System property of the child JVM: the pid of the parent to watch. */
    public static final String PARENT_PID = "o365.parent.pid";
    /** How often the child checks its parent. */
    static final long POLL_MS = 500;
    /** The exit status when the parent is gone. */
    static final int ORPHANED = 143;

    private ParentWatchdog() {}

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            System.err.println("usage: ParentWatchdog <main class> [args...] (with -D" + PARENT_PID + "=<pid>)");
            System.exit(2);
        }
        String pid = System.getProperty(PARENT_PID);
        if (pid != null && !pid.isBlank()) {
            watch(Long.parseLong(pid.trim()));
        }
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Starts a daemon thread that halts this JVM once {@code parentPid} is no longer alive. */
    static void watch(long parentPid) {
        Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
        Thread t = new Thread(
                () -> {
                    while (parent.map(ProcessHandle::isAlive).orElse(false)) {
                        try {
                            Thread.sleep(POLL_MS); // a liveness poll, not synchronisation
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    System.err.println("[parent-watchdog] parent process " + parentPid + " is gone; halting");
                    System.err.flush();
                    // halt, not exit: no graceful shutdown that could hang (e.g. a broker waiting for its controller)
                    Runtime.getRuntime().halt(ORPHANED);
                },
                "parent-watchdog");
        t.setDaemon(true);
        t.start();
    }
}
