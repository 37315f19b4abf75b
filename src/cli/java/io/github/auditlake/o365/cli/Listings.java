package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.Notification;
import io.github.auditlake.o365.cursor.WindowPlanner;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Listings over a range of any length: split into API windows of at most 24 hours (the engine's
 * {@link WindowPlanner#listings}), every page of each followed by the client, transient failures retried until the
 * window leaves the API's 7-day listing limit.
 */
final class Listings {
    private final ManagementApi api;
    private final CliContext ctx;
    private boolean clampNoted;

    Listings(ManagementApi api, CliContext ctx) {
        this.api = api;
        this.ctx = ctx;
    }

    /** Every blob of {@code range} for each type, once each (by contentId), in listing order. */
    List<ContentBlob> blobs(List<ContentType> types, Times.Window range) {
        Map<String, ContentBlob> byId = new LinkedHashMap<>();
        for (ContentType type : types) {
            for (WindowPlanner.Window w : WindowPlanner.listings(range.start(), range.end())) {
                Optional<Times.Window> listable = listable(w);
                if (listable.isEmpty()) {
                    continue;
                }
                Times.Window lw = listable.get();
                List<ContentBlob> page = Retrying.call(
                        ctx,
                        "Listing " + type + " " + lw,
                        deadline(lw),
                        () -> explain(type, () -> api.listAllContent(type, lw.start(), lw.end())));
                ctx.debug("listed " + page.size() + " blobs of " + type + " in " + lw);
                for (ContentBlob b : page) {
                    byId.putIfAbsent(b.contentId(), b);
                }
            }
        }
        return new ArrayList<>(byId.values());
    }

    /** Every webhook notification of {@code range} for each type. */
    List<Notification> notifications(List<ContentType> types, Times.Window range) {
        List<Notification> all = new ArrayList<>();
        for (ContentType type : types) {
            for (WindowPlanner.Window w : WindowPlanner.listings(range.start(), range.end())) {
                Optional<Times.Window> listable = listable(w);
                if (listable.isEmpty()) {
                    continue;
                }
                Times.Window lw = listable.get();
                all.addAll(Retrying.call(
                        ctx,
                        "Listing notifications of " + type + " " + lw,
                        deadline(lw),
                        () -> explain(type, () -> api.listNotifications(type, lw.start(), lw.end()))));
            }
        }
        return all;
    }

    private Optional<Times.Window> listable(WindowPlanner.Window w) {
        Optional<Times.Window> l =
                Times.listable(new Times.Window(w.start(), w.end()), ctx.clock().instant());
        if (l.isPresent() && !l.get().start().equals(w.start()) && !clampNoted) {
            clampNoted = true;
            ctx.info("note: listing from " + l.get().start() + " instead of " + w.start() + ": the API refuses "
                    + "starts at its 7-day limit, and content created before then expires within minutes");
        }
        return l;
    }

    /** A window can be listed until its start leaves the 7-day limit. */
    private static Instant deadline(Times.Window w) {
        return w.start().plus(WindowPlanner.API_RETENTION);
    }

    /** Adds the CLI's next step to a missing or disabled subscription. */
    static <T> T explain(ContentType type, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (ApiException e) {
            if (e.kind() == ErrorKind.RESUBSCRIBE) {
                throw withStartAdvice(type, e);
            }
            throw e;
        }
    }

    /** A missing or disabled subscription's error (AF20022, AF20023) with the command that starts it. */
    static ApiException withStartAdvice(ContentType type, ApiException e) {
        return new ApiException(
                e.kind(),
                e.httpStatus(),
                e.errorCode().orElse(null),
                e.getMessage() + " Run: o365-audit subscriptions start --content-type " + type.wireName(),
                e.retryAfter().orElse(null),
                e.serverDate().orElse(null),
                e);
    }
}
