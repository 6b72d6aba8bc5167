package dev.lote.support.test;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;

/**
 * The architecture every Lote module keeps (see {@link LoteArchitecture}), as tests: a module's
 * {@code ArchitectureTest} extends this with its base package and whatever shared library it may
 * also use.
 */
public abstract class ArchitectureTestBase {

  private static final Map<String, JavaClasses> IMPORTED = new ConcurrentHashMap<>();

  private final String basePackage;
  private final String[] alsoAllowed;

  protected ArchitectureTestBase(String basePackage, String... alsoAllowedLotePackages) {
    this.basePackage = basePackage;
    this.alsoAllowed = alsoAllowedLotePackages;
  }

  private JavaClasses classes() {
    return IMPORTED.computeIfAbsent(basePackage, LoteArchitecture::productionClasses);
  }

  @Test
  void theDomainIsPlainJava() {
    LoteArchitecture.domainIsPlainJava(basePackage).check(classes());
  }

  @Test
  void dependsOnNoOtherService() {
    LoteArchitecture.dependsOnNoOtherService(basePackage, alsoAllowed).check(classes());
  }

  @Test
  void hasNoCyclesBetweenItsPackages() {
    LoteArchitecture.noCyclesBetweenPackages(basePackage).check(classes());
  }

  @Test
  void publishesOnlyOnTheTopicsItOwns() {
    LoteArchitecture.onlyOwnersPublish().check(classes());
  }
}
