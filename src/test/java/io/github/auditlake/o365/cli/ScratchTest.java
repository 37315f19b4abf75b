package io.github.auditlake.o365.cli;

import org.junit.jupiter.api.Test;

class ScratchTest {
    @Test
    void show() {
        try (CliHarness cli = new CliHarness(CliHarness.tenant(1))) {
            for (String[] a : new String[][] {
                {"content", "get", "20261128000000000000000$nope$audit_exchange$Audit_Exchange"},
                {"subscriptions", "list"},
                {"content", "list", "--content-type", "exchange", "--start", "-3h"},
                {}, {"subscriptions"}, {"export", "--content-type", "exchange", "--start", "-2h", "--format", "table"},
                {"export", "--content-type", "exchange", "--start", "-7d"},
                {"doctor"},
                {"notifications", "list", "--content-type", "all", "--start", "-1h"},
            }) {
                System.out.println("### " + String.join(" ", a) + "\n" + cli.run(a));
            }
        }
    }
}
