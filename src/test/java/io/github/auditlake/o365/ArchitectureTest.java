package io.github.auditlake.o365;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

/**
 * The allowed dependencies between the packages of the four source roots (tests may use everything):
 * <pre>
 *   core       api, auth, client, cursor, engine, enrich, history, ledger, mapping, metrics, settings (src/main/java) knows nothing of Kafka nor of any front end
 *   connector  the root package, config, records     (src/main/java)   Connect glue over the core
 *   cli        cli, cli.verify                       (src/cli/java)    the o365-audit CLI over the core; only
 *                                                                      cli.verify uses Kafka (kafka-clients, for verify)
 *   simulator  simulator                             (src/simulator/java) only the core's API model
 *   tools      quickstart, cluster                   (src/tools/java)  may use everything
 * </pre>
 * and no cycle between the top-level packages. The artifacts are cut from the classes along the same lines (the
 * plugin jar, target/o365-audit-cli.jar, target/o365-simulator.jar), so a class a rule lets in is in the artifact.
 */
@AnalyzeClasses(packages = ArchitectureTest.ROOT, importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    static final String ROOT = "io.github.auditlake.o365";
    private static final String[] CORE = {
        ROOT + ".api..",
        ROOT + ".auth..",
        ROOT + ".client..",
        ROOT + ".cursor..",
        ROOT + ".engine..",
        ROOT + ".enrich..",
        ROOT + ".history..",
        ROOT + ".ledger..",
        ROOT + ".mapping..",
        ROOT + ".metrics..",
        ROOT + ".settings.."
    };

    @ArchTest
    static final ArchRule coreKnowsNothingOfKafka = noClasses()
            .that()
            .resideInAnyPackage(CORE)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.apache.kafka..")
            .because("the core is plain Java: the connector glue translates to and from Connect");

    @ArchTest
    static final ArchRule cliKnowsNothingOfKafka = noClasses()
            .that()
            .resideInAnyPackage(ROOT + ".cli..")
            .and()
            .resideOutsideOfPackage(ROOT + ".cli.verify..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.apache.kafka..")
            .because("only verify reads Kafka, in its own package: the other commands never load a Kafka class "
                    + "(picocli builds every command at start-up, so the verify command itself names no Kafka type)");

    @ArchTest
    static final ArchRule verifyUsesOnlyTheKafkaClient = noClasses()
            .that()
            .resideInAnyPackage(ROOT + ".cli.verify..")
            .should()
            .dependOnClassesThat(JavaClass.Predicates.resideInAPackage("org.apache.kafka..")
                    .and(JavaClass.Predicates.resideOutsideOfPackages(
                            "org.apache.kafka.clients..", "org.apache.kafka.common..")))
            .because("the CLI jar ships kafka-clients (and its codecs) for verify, never Connect: the plugin's Kafka "
                    + "stays provided");

    @ArchTest
    static final ArchRule verifyDoesNotReachBackIntoTheCommands = noClasses()
            .that()
            .resideInAnyPackage(ROOT + ".cli.verify..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage(ROOT + ".cli")
            .because("cli.verify is the reusable verification (tests call Verifier directly); the commands call it");

    @ArchTest
    static final ArchRule simulatorUsesOnlyTheApiModel = noClasses()
            .that()
            .resideInAnyPackage(ROOT + ".simulator..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    ROOT + ".auth..",
                    ROOT + ".cursor..",
                    ROOT + ".engine..",
                    ROOT + ".metrics..",
                    ROOT + ".settings..",
                    ROOT + ".config..",
                    ROOT + ".records..",
                    ROOT + ".cli..")
            .orShould()
            .dependOnClassesThat()
            .resideInAnyPackage("org.apache.kafka..")
            .because(
                    "the simulator is an independent stand-in for Microsoft's service: it shares only the content types");

    @ArchTest
    static final ArchRule theCatalogueIsReadOnlyByFrontEnds = noClasses()
            .that()
            .resideInAnyPackage(
                    ROOT + ".api..",
                    ROOT + ".auth..",
                    ROOT + ".client..",
                    ROOT + ".cursor..",
                    ROOT + ".engine..",
                    ROOT + ".enrich..",
                    ROOT + ".history..",
                    ROOT + ".ledger..",
                    ROOT + ".metrics..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(ROOT + ".settings..")
            .because("the settings catalogue maps onto the core's typed settings; the core never reads it back");

    @ArchTest
    static final ArchRule layers = layeredArchitecture()
            .consideringOnlyDependenciesInAnyPackage(ROOT + "..")
            .layer("core")
            .definedBy(CORE)
            .layer("connector")
            .definedBy(ROOT, ROOT + ".config..", ROOT + ".records..")
            .layer("cli")
            .definedBy(ROOT + ".cli..")
            .layer("simulator")
            .definedBy(ROOT + ".simulator..")
            .layer("tools")
            .definedBy(ROOT + ".quickstart..", ROOT + ".cluster..")
            .whereLayer("connector")
            .mayOnlyBeAccessedByLayers("tools")
            .whereLayer("cli")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("simulator")
            .mayOnlyBeAccessedByLayers("tools")
            .whereLayer("tools")
            .mayNotBeAccessedByAnyLayer();

    @ArchTest
    static final ArchRule noPackageCycles = slices().assignedFrom(new SliceAssignment() {
                @Override
                public SliceIdentifier getIdentifierOf(JavaClass c) {
                    String p = c.getPackageName();
                    if (p.equals(ROOT)) {
                        return SliceIdentifier.of("(root)");
                    }
                    if (!p.startsWith(ROOT + ".")) {
                        return SliceIdentifier.ignore();
                    }
                    return SliceIdentifier.of(p.substring(ROOT.length() + 1).split("\\.")[0]);
                }

                @Override
                public String getDescription() {
                    return "the top-level packages of " + ROOT;
                }
            })
            .should()
            .beFreeOfCycles();
}
