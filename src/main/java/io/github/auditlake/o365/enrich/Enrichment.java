package io.github.auditlake.o365.enrich;

import java.util.Map;

/**
 * One record's enrichment: the objects found for its fields, and why some of its GUIDs could not be looked up
 * (null when every GUID was answered, found or known to be unknown).
 */
public record Enrichment(Map<EnrichField, DirectoryObject> objects, Unenriched skipped) {
    public static final Enrichment NONE = new Enrichment(Map.of(), null);

    public Enrichment {
        objects = Map.copyOf(objects);
    }

    public boolean isEmpty() {
        return objects.isEmpty() && skipped == null;
    }
}
