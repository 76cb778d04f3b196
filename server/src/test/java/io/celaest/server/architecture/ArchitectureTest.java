package io.celaest.server.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The module rules of the engineering guide, held by the build. */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.celaest");

    @Test
    void apiHoldsPlainMessagesWithoutSpringOrOtherModules() {
        noClasses().that().resideInAPackage("io.celaest.api..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "jakarta.persistence..",
                        "io.celaest.command..", "io.celaest.query..", "io.celaest.projections..", "io.celaest.server..")
                .check(CLASSES);
    }

    @Test
    void commandSideDependsOnlyOnApi() {
        noClasses().that().resideInAPackage("io.celaest.command..")
                .should().dependOnClassesThat().resideInAnyPackage("io.celaest.query..", "io.celaest.projections..",
                        "io.celaest.server..")
                .check(CLASSES);
    }

    @Test
    void projectionsDependOnlyOnApi() {
        noClasses().that().resideInAPackage("io.celaest.projections..")
                .should().dependOnClassesThat().resideInAnyPackage("io.celaest.command..", "io.celaest.query..",
                        "io.celaest.server..")
                .check(CLASSES);
    }

    @Test
    void querySideDependsOnlyOnApiAndProjections() {
        noClasses().that().resideInAPackage("io.celaest.query..")
                .should().dependOnClassesThat().resideInAnyPackage("io.celaest.command..", "io.celaest.server..")
                .check(CLASSES);
    }

    @Test
    void boundedContextsDoNotReachIntoEachOther() {
        noClasses().that().resideInAPackage("..identity..")
                .should().dependOnClassesThat().resideInAnyPackage("..licensing..", "..iamesh..", "..billing..",
                        "..marketplace..")
                .check(CLASSES);
    }
}
