package io.github.auditlake.o365.api;

import java.util.List;
import java.util.Optional;

/**
 * One page of a content (or notification) listing.
 *
 * @param blobs       the blobs on this page, in the order the service returned them (may be empty)
 * @param nextPageUri the {@code NextPageUri} header exactly as the service sent it, if any
 */
public record ContentPage(List<ContentBlob> blobs, Optional<String> nextPageUri) {
    public ContentPage {
        blobs = List.copyOf(blobs);
        nextPageUri = nextPageUri == null ? Optional.empty() : nextPageUri;
    }
}
