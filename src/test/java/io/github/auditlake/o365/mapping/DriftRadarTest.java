package io.github.auditlake.o365.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DriftRadarTest {
    static final String S = "t1|Audit.General";
    final List<DriftRadar.Event> events = new ArrayList<>();
    final DriftRadar radar = new DriftRadar(events::add);

    @Test
    void anUnknownRecordTypeIsReportedOnceAndEveryRecordIsCounted() {
        radar.observe(S, "Audit.General", 463, "UserLoggedIn", null);
        radar.observe(S, "Audit.General", 999, null, null);
        radar.observe(S, "Audit.General", 999, null, null);
        DriftRadar.StreamDrift d = radar.stream(S);
        assertEquals(2, d.unknownRecordTypeRecords.sum());
        assertEquals(1, d.distinct(DriftRadar.Kind.RECORD_TYPE));
        List<String> rt = events.stream()
                .filter(e -> e.kind() == DriftRadar.Kind.RECORD_TYPE)
                .map(DriftRadar.Event::message)
                .toList();
        assertEquals(List.of("new RecordType 999 first seen in Audit.General"), rt);
    }

    @Test
    void anOperationTheTableListsIsNoDriftAnUnlistedOneIsReportedOncePerStream() {
        radar.observe(S, "Audit.General", 6, "FileAccessed", null);
        radar.observe(S, "Audit.General", 6, "FileTeleported", null);
        radar.observe(S, "Audit.General", 6, "FileTeleported", null);
        radar.observe("t2|Audit.General", "Audit.General", 6, "FileTeleported", null);
        assertEquals(1, radar.stream(S).distinct(DriftRadar.Kind.OPERATION));
        assertEquals(1, radar.stream("t2|Audit.General").distinct(DriftRadar.Kind.OPERATION));
        assertEquals(
                List.of("new Operation FileTeleported (RecordType 6) first seen in Audit.General"),
                events.stream().map(DriftRadar.Event::message).distinct().toList());
        assertEquals(2, events.size());
    }

    @Test
    void onlyTopLevelFieldsNoMappingKnowsAreReported() throws Exception {
        ObjectNode tree = (ObjectNode)
                new ObjectMapper()
                        .readTree(
                                "{\"Id\":\"x\",\"ClientIP\":\"1.2.3.4\",\"MailboxGuid\":\"g\",\"Shiny\":1,\"Other\":{\"Deep\":1}}");
        radar.observe(S, "Audit.General", 2, null, tree);
        radar.observe(S, "Audit.General", 2, null, tree);
        assertEquals(
                List.of("Other", "Shiny"),
                radar.stream(S).seen(DriftRadar.Kind.FIELD).stream().sorted().toList());
        assertEquals(2, events.size());
    }

    @Test
    void memoryIsBoundedAndWhatIsNotRememberedIsCounted() {
        for (int i = 0; i < DriftRadar.MAX_REMEMBERED + 5; i++) {
            radar.observe(S, "Audit.General", 10_000 + i, null, null);
        }
        DriftRadar.StreamDrift d = radar.stream(S);
        assertEquals(
                DriftRadar.MAX_REMEMBERED, d.seen(DriftRadar.Kind.RECORD_TYPE).size());
        assertEquals(DriftRadar.MAX_REMEMBERED, d.distinct(DriftRadar.Kind.RECORD_TYPE));
        assertEquals(5, d.forgotten.sum());
        assertEquals(DriftRadar.MAX_REMEMBERED + 5, d.unknownRecordTypeRecords.sum(), "every record still counted");
        assertEquals(DriftRadar.MAX_REMEMBERED, events.size());
    }
}
