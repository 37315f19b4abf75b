package io.github.auditlake.o365.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordTypesTest {
    /**
     * The number of values in Microsoft's AuditLogRecordType list as of the version the table was written from (its
     * last value 463 VivaGlintAgenticCampaign; the ranges 310-324 and 346-356 counted value by value).
     */
    static final int DOCUMENTED_VALUES = 257;

    @Test
    void theTableHoldsEveryDocumentedValueOnce() {
        List<RecordTypes.Entry> all = RecordTypes.standard().entries();
        assertEquals(DOCUMENTED_VALUES, all.size());
        Map<Integer, Integer> values = new HashMap<>();
        Map<String, Integer> names = new HashMap<>();
        for (RecordTypes.Entry e : all) {
            values.merge(e.value(), 1, Integer::sum);
            names.merge(e.name(), 1, Integer::sum);
        }
        values.forEach((v, n) -> assertEquals(1, n, "value " + v));
        names.forEach((v, n) -> assertEquals(1, n, "name " + v));
        assertEquals(463, all.stream().mapToInt(RecordTypes.Entry::value).max().orElse(0));
    }

    @Test
    void namesAndFamiliesOfWellKnownValues() {
        RecordTypes t = RecordTypes.standard();
        assertEquals("ExchangeAdmin", t.name(1));
        assertEquals("SharePointFileOperation", t.name(6));
        assertEquals("azure-ad-logon", t.family(15));
        assertEquals("dlp", t.family(13));
        assertEquals("CopilotInteraction", t.name(261));
        assertEquals("DisableCopilotPromptBook", t.name(324));
        assertEquals("VivaGlintFeedbackProgram", t.name(356));
        assertEquals("VivaGlintAgenticCampaign", t.name(463));
    }

    @Test
    void anUnknownValueHasNoNameAndTheGeneralFamily() {
        RecordTypes t = RecordTypes.standard();
        assertNull(t.get(12), "12 Sway was removed from the list");
        assertNull(t.name(999));
        assertNull(t.name(100_000));
        assertNull(t.name(null));
        assertEquals(RecordTypes.GENERAL, t.family(999));
        assertEquals(RecordTypes.GENERAL, t.family(-1));
    }

    @Test
    void everyFamilyOfTheTableHasAClassInBothMappings() {
        MappingTables m = MappingTables.standard();
        for (RecordTypes.Entry e : RecordTypes.standard().entries()) {
            assertTrue(m.families().containsKey(e.family()), e.toString());
        }
    }
}
