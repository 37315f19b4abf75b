package io.github.auditlake.o365.records;

import io.github.auditlake.o365.engine.Emission;
import io.github.auditlake.o365.enrich.DirectoryObject;
import io.github.auditlake.o365.enrich.EnrichField;
import io.github.auditlake.o365.enrich.Enricher;
import io.github.auditlake.o365.enrich.Enrichment;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task's Graph enrichment: one {@link Enricher} per tenant (each tenant has its own directory). Enriches the
 * audit records of a poll's batch before they are handed to Connect, and attaches the result as headers
 * ({@code o365.actor.upn}, ..., {@code o365.enrich.skipped}) and, with the {@code struct} value format, as the
 * {@code enrichment} field. The value is otherwise untouched.
 */
public final class RecordEnrichment implements AutoCloseable {
    /** The header saying why a record's GUIDs were not (all) looked up. */
    public static final String SKIPPED_HEADER = "o365.enrich.skipped";

    private static final Logger LOG = LoggerFactory.getLogger(RecordEnrichment.class);

    private final Map<String, Enricher> byTenant;

    public RecordEnrichment(Map<String, Enricher> byTenant) {
        this.byTenant = Map.copyOf(byTenant);
    }

    public Map<String, Enricher> enrichers() {
        return byTenant;
    }

    /** The enrichment of each audit record of {@code batch}, by emission (identity), tenant by tenant. */
    public Map<Emission, Enrichment> enrich(List<Emission> batch) {
        Map<String, List<Emission.Event>> events = new LinkedHashMap<>();
        for (Emission e : batch) {
            if (e instanceof Emission.Event ev && ev.record().problem() == null) {
                events.computeIfAbsent(ev.stream().tenantId(), t -> new ArrayList<>())
                        .add(ev);
            }
        }
        Map<Emission, Enrichment> out = new IdentityHashMap<>();
        for (Map.Entry<String, List<Emission.Event>> t : events.entrySet()) {
            Enricher en = byTenant.get(t.getKey());
            if (en == null) {
                continue;
            }
            List<String> json = new ArrayList<>(t.getValue().size());
            t.getValue().forEach(ev -> json.add(ev.record().json()));
            List<Enrichment> result = en.enrich(json);
            for (int i = 0; i < result.size(); i++) {
                out.put(t.getValue().get(i), result.get(i));
            }
        }
        return out;
    }

    /** Adds {@code e} to {@code r}: headers, and the {@code enrichment} field of a struct value. */
    public static void attach(SourceRecord r, Enrichment e) {
        if (e == null || e.isEmpty()) {
            return;
        }
        for (Map.Entry<EnrichField, DirectoryObject> f : e.objects().entrySet()) {
            String prefix = f.getKey().headerPrefix();
            f.getValue().attributes().forEach((k, v) -> r.headers().addString(prefix + k, v));
        }
        if (e.skipped() != null) {
            r.headers().addString(SKIPPED_HEADER, e.skipped().label());
        }
        if (r.value() instanceof Struct s && s.schema().field("enrichment") != null) {
            s.put("enrichment", struct(e));
        }
    }

    static Struct struct(Enrichment e) {
        Struct s = new Struct(AuditStruct.ENRICHMENT);
        for (Map.Entry<EnrichField, DirectoryObject> f : e.objects().entrySet()) {
            Struct o = new Struct(AuditStruct.DIRECTORY_OBJECT);
            f.getValue().attributes().forEach(o::put);
            s.put(f.getKey().configName(), o);
        }
        if (e.skipped() != null) {
            s.put("skipped", e.skipped().label());
        }
        return s;
    }

    @Override
    public void close() {
        for (Enricher e : byTenant.values()) {
            try {
                e.close();
            } catch (RuntimeException ex) {
                LOG.warn("Closing the Graph enrichment client failed: {}", ex.getMessage());
            }
        }
    }
}
