package io.github.auditlake.o365.enrich;

import io.github.auditlake.o365.testkit.ManualClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A directory in memory: known objects, scripted failures, and a service time that advances the manual clock. */
final class FakeDirectory implements DirectoryApi {
    final Map<String, DirectoryObject> objects = new HashMap<>();
    /** Service principals by app id. */
    final Map<String, DirectoryObject> apps = new HashMap<>();
    /** Per-query failures inside the next $batch answers (in query order; null: that query answers). */
    final Deque<DirectoryException> queryFailures = new ArrayDeque<>();

    final List<List<String>> appCalls = new ArrayList<>();
    final Deque<DirectoryException> failures = new ArrayDeque<>();
    final List<List<String>> calls = new ArrayList<>();
    final List<Duration> timeouts = new ArrayList<>();
    final ManualClock clock;
    Duration serviceTime = Duration.ZERO;

    FakeDirectory(ManualClock clock) {
        this.clock = clock;
    }

    FakeDirectory user(String id, String upn) {
        objects.put(id, new DirectoryObject(id, ObjectKind.USER, upn, "Name of " + upn, "Dept", "Title", null));
        return this;
    }

    @Override
    public List<DirectoryObject> getByIds(List<String> ids, Set<ObjectKind> types, Duration timeout)
            throws DirectoryException {
        calls.add(List.copyOf(ids));
        timeouts.add(timeout);
        if (serviceTime.compareTo(timeout) > 0) {
            clock.advance(timeout);
            throw new DirectoryException(Unenriched.TIMEOUT, null, "timed out after " + timeout);
        }
        clock.advance(serviceTime);
        DirectoryException f = failures.poll();
        if (f != null) {
            throw f;
        }
        List<DirectoryObject> out = new ArrayList<>();
        for (String id : ids) {
            DirectoryObject o = objects.get(id);
            if (o != null && types.contains(o.kind())) {
                out.add(o);
            }
        }
        return out;
    }

    FakeDirectory app(String appId, String objectId, String name) {
        apps.put(appId, new DirectoryObject(objectId, ObjectKind.SERVICE_PRINCIPAL, null, name, null, null, appId));
        return this;
    }

    @Override
    public AppIdAnswer servicePrincipalsByAppId(List<String> appIds, Duration timeout) throws DirectoryException {
        if (appIds.size() > MAX_APP_IDS) {
            throw new IllegalArgumentException("too many app ids: " + appIds.size());
        }
        appCalls.add(List.copyOf(appIds));
        timeouts.add(timeout);
        if (serviceTime.compareTo(timeout) > 0) {
            clock.advance(timeout);
            throw new DirectoryException(Unenriched.TIMEOUT, null, "timed out after " + timeout);
        }
        clock.advance(serviceTime);
        DirectoryException f = failures.poll();
        if (f != null) {
            throw f;
        }
        Map<String, DirectoryObject> found = new HashMap<>();
        Map<String, DirectoryException> failed = new HashMap<>();
        for (int from = 0; from < appIds.size(); from += APP_IDS_PER_QUERY) {
            DirectoryException q = queryFailures.poll();
            for (String a : appIds.subList(from, Math.min(appIds.size(), from + APP_IDS_PER_QUERY))) {
                if (q != null) {
                    failed.put(a, q);
                } else if (apps.containsKey(a)) {
                    found.put(a, apps.get(a));
                }
            }
        }
        return new AppIdAnswer(found, failed);
    }

    @Override
    public void close() {}
}
