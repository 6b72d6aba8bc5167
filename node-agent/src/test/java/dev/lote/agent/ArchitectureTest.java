package dev.lote.agent;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;

import dev.lote.support.test.LoteArchitecture;

/** The architecture every Lote module keeps (see {@link LoteArchitecture}), checked on this module's code. */
class ArchitectureTest {

  private static final String BASE = "dev.lote.agent";
  private static final JavaClasses CLASSES = LoteArchitecture.productionClasses(BASE);

  @Test
  void theDomainIsPlainJava() {
    LoteArchitecture.domainIsPlainJava(BASE).check(CLASSES);
  }

  @Test
  void dependsOnNoOtherService() {
    LoteArchitecture.dependsOnNoOtherService(BASE).check(CLASSES);
  }

  @Test
  void hasNoCyclesBetweenItsPackages() {
    LoteArchitecture.noCyclesBetweenPackages(BASE).check(CLASSES);
  }

  @Test
  void publishesOnlyOnTheTopicsItOwns() {
    LoteArchitecture.onlyOwnersPublish().check(CLASSES);
  }
}
