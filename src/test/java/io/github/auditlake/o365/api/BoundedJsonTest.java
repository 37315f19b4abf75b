package io.github.auditlake.o365.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.core.JsonFactory;
import org.junit.jupiter.api.Test;

/** Field names read from responses are never kept beyond their parse (or the last MiB of records). */
class BoundedJsonTest {
    @Test
    void theMapperOfListingsAndErrorBodiesNeitherInternsNorCachesNames() {
        JsonFactory f = BoundedJson.uncachedNamesMapper().getFactory();
        assertFalse(f.isEnabled(JsonFactory.Feature.INTERN_FIELD_NAMES));
        assertFalse(f.isEnabled(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES));
    }

    @Test
    void aRotatingFactoryNeverInternsAndIsReplacedAfterItsBudget() {
        BoundedJson.RotatingFactory factories = new BoundedJson.RotatingFactory(JsonFactory::new, 1000);
        JsonFactory first = factories.forBytes(600);
        assertFalse(first.isEnabled(JsonFactory.Feature.INTERN_FIELD_NAMES));
        assertSame(first, factories.forBytes(400), "within the budget: the same factory and its names");
        JsonFactory second = factories.forBytes(1);
        assertNotSame(first, second, "past the budget: a fresh factory, the names seen so far dropped");
        assertFalse(second.isEnabled(JsonFactory.Feature.INTERN_FIELD_NAMES));
    }
}
