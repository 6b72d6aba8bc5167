package dev.lote.autoscaler;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;

import dev.lote.support.test.LoteArchitecture;

/** The architecture every Lote module keeps (see {@link LoteArchitecture}), checked on this module's code. */
class ArchitectureTest {

  private static final String BASE = "dev.lote.autoscaler";
  private static final JavaClasses CLASSES = LoteArchitecture.productionClasses(BASE);

  @Test
  void theDomainIsPlainJava() {
    LoteArchitecture.domainIsPlainJava(BASE).check(CLASSES);
  }

  @Test
  void dependsOnNoOtherService() {
    // the autoscale formula library, shared with the pool-service, is no service
    LoteArchitecture.dependsOnNoOtherService(BASE, "dev.lote.autoscale").check(CLASSES);
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
