package io.github.auditlake.o365.history;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.auditlake.o365.api.ContentType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ContentTypeTableTest {
    @ParameterizedTest
    @CsvSource({
        "1,Exchange,Audit.Exchange",
        "2,Exchange,Audit.Exchange",
        "50,Exchange,Audit.Exchange",
        "6,OneDrive,Audit.SharePoint",
        "14,SharePoint,Audit.SharePoint",
        "8,AzureActiveDirectory,Audit.AzureActiveDirectory",
        "15,AzureActiveDirectory,Audit.AzureActiveDirectory",
        "13,Exchange,DLP.All",
        "11,SharePoint,DLP.All",
        "11,OneDrive,DLP.All",
        "25,MicrosoftTeams,Audit.General",
        "20,PowerBI,Audit.General",
        "9999,Exchange,Audit.Exchange",
        "9999,OneDrive,Audit.SharePoint",
        "9999,Copilot,Audit.General",
        "-1,,Audit.General"
    })
    void recordTypeThenWorkloadThenGeneral(int type, String workload, String expected) {
        assertEquals(ContentType.fromWireName(expected).orElseThrow(), ContentTypeTable.contentType(type, workload));
    }
}
