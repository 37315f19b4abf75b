package io.github.auditlake.o365.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Jackson set up so that field names read from responses are never kept: Jackson's defaults intern every name in a
 * JVM-wide cache and merge each parser's table of names into its factory's for reuse, so long or many distinct names
 * from one response would stay in memory for the life of the worker.
 */
public final class BoundedJson {
    private BoundedJson() {}

    /**
     * A mapper for small, occasional bodies (listings, subscriptions, error bodies): names are neither interned nor
     * looked up in a table, so nothing of a body outlives its parse.
     */
    public static ObjectMapper uncachedNamesMapper() {
        return new ObjectMapper(JsonFactory.builder()
                .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                .build());
    }

    /**
     * For the hot path (audit records, one after another): factories whose names are never interned, each used for
     * about {@code bytesPerFactory} bytes of input and then replaced by a fresh one, so its table holds only names of
     * the last records parsed while repeated short names are still looked up rather than built again. Thread-safe
     * (a race only makes an extra factory).
     */
    public static final class RotatingFactory {
        private final Supplier<JsonFactory> make;
        private final long bytesPerFactory;
        private final AtomicLong parsed = new AtomicLong();
        private volatile JsonFactory current;

        /** @param make builds a factory; INTERN_FIELD_NAMES is disabled on what it returns */
        public RotatingFactory(Supplier<JsonFactory> make, long bytesPerFactory) {
            this.make = make;
            this.bytesPerFactory = bytesPerFactory;
            this.current = fresh();
        }

        private JsonFactory fresh() {
            JsonFactory f = make.get();
            f.disable(JsonFactory.Feature.INTERN_FIELD_NAMES);
            return f;
        }

        /** The factory to parse {@code bytes} more bytes with. */
        public JsonFactory forBytes(long bytes) {
            if (parsed.addAndGet(bytes) > bytesPerFactory) {
                parsed.set(bytes);
                current = fresh(); // drops the names seen so far
            }
            return current;
        }
    }
}
