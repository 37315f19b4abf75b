package io.github.auditlake.o365.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The Office 365 Management Activity API for one tenant (reference section 2). Implementations add
 * {@code PublisherIdentifier} to every call, retry transient failures within a bounded budget, keep under the
 * request budget, and throw {@link ApiException} (classified) for everything else.
 *
 * <p>Knows nothing of Kafka Connect. Thread-safe: blobs may be fetched concurrently.
 */
public interface ManagementApi extends AutoCloseable {

    /** Upper bound on pages followed for one listing; a guard against a service that loops. */
    int MAX_PAGES = 10_000;

    String tenantId();

    /** The service's time as learned from its responses, or null when this client does not track it. */
    default ServiceClock serviceClock() {
        return null;
    }

    /**
     * Starts (or updates) a subscription. An already-enabled subscription (AF20024) is success and returns
     * the current state.
     *
     * @param webhook the webhook to register, or {@code null} for none
     */
    Subscription startSubscription(ContentType type, WebhookRequest webhook);

    void stopSubscription(ContentType type);

    List<Subscription> listSubscriptions();

    /** First page of blobs with {@code start <= contentCreated < end}; both must lie within the API's bounds. */
    ContentPage listContent(ContentType type, Instant start, Instant end);

    /** A following page, from the {@code NextPageUri} of the previous one (used exactly as given). */
    ContentPage listContentPage(String nextPageUri);

    /**
     * Every blob of a window, all pages followed (past empty pages that still carry a next-page link), with a
     * guard against loops (the same link twice, or more than {@link #MAX_PAGES} pages).
     */
    default List<ContentBlob> listAllContent(ContentType type, Instant start, Instant end) {
        List<ContentBlob> all = new ArrayList<>();
        ContentPage page = listContent(type, start, end);
        Set<String> seen = new HashSet<>();
        int pages = 1;
        while (true) {
            all.addAll(page.blobs());
            if (page.nextPageUri().isEmpty()) {
                return all;
            }
            String next = page.nextPageUri().get();
            if (!seen.add(next) || ++pages > MAX_PAGES) {
                throw new ApiException(
                        ErrorKind.TRANSIENT,
                        "Listing " + type + " [" + start + ", " + end + ") loops: NextPageUri repeats or exceeds "
                                + MAX_PAGES + " pages");
            }
            page = listContentPage(next);
        }
    }

    /** Opens a blob for streaming. The caller must close the stream. */
    AuditRecordStream openBlob(ContentBlob blob);

    /** Webhook delivery history for a window (all pages). */
    List<Notification> listNotifications(ContentType type, Instant start, Instant end);

    /** DLP sensitive type friendly names; {@code language} may be {@code null} (service default en-US). */
    List<SensitiveType> dlpSensitiveTypes(String language);

    @Override
    void close();

    /** A webhook to register with {@link #startSubscription}. */
    record WebhookRequest(String address, String authId, Instant expiration) {}
}
