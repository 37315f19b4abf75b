package io.github.auditlake.o365.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.auditlake.o365.api.ContentBlob;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

/** The read-ahead slot a buffer holds while it waits behind its stream's head. */
class BlobBufferTest {
    static final Instant CREATED = Instant.parse("2026-11-20T10:00:00Z");

    final MemoryBudget.Account account = new MemoryBudget(1 << 20).open();
    final MemoryBudget.StreamHold hold = new MemoryBudget.StreamHold();
    final Semaphore slots = new Semaphore(1);

    static ContentBlob blob(String id) {
        return new ContentBlob(
                "Audit.Exchange", id, "https://example.test/" + id, CREATED, CREATED.plusSeconds(7 * 86_400));
    }

    BlobBuffer readAhead(String id) {
        return BlobBuffer.readAhead(blob(id), 0, null, account, hold, slots);
    }

    @Test
    void aBlobAheadTakesASlotAndNoneIsLeftForTheNext() {
        assertNotNull(readAhead("a"));
        assertEquals(0, slots.availablePermits());
        assertNull(readAhead("b"), "no slot free: the blob waits to be fetched");
    }

    @Test
    void aBufferGivesItsSlotBackOnceWhenItBecomesTheHeadAndIsThenCancelled() {
        BlobBuffer b = readAhead("a");
        b.makeHead();
        assertEquals(1, slots.availablePermits(), "the head needs no slot: another blob may be fetched ahead");
        b.cancel();
        b.makeHead();
        assertEquals(1, slots.availablePermits(), "released once, not once per call");
    }

    @Test
    void aBufferCancelledTwiceGivesItsSlotBackOnce() {
        BlobBuffer b = readAhead("a");
        b.cancel();
        b.cancel();
        assertEquals(1, slots.availablePermits());
        assertNotNull(readAhead("b"), "the slot serves the next blob");
        assertEquals(0, slots.availablePermits());
    }

    @Test
    void theCurrentBlobTakesNoSlotAndGivesNoneBack() {
        BlobBuffer head = new BlobBuffer(blob("a"), 0, null, account, hold);
        head.makeHead();
        head.cancel();
        assertEquals(1, slots.availablePermits());
    }
}
