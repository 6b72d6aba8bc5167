package dev.lote.support.test;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import dev.lote.common.events.Topics;

/**
 * The architecture every Lote module keeps, as ArchUnit rules each module's architecture test
 * applies to its own production classes:
 *
 * <ul>
 *   <li>a service's {@code domain} packages are plain Java: no Spring, Kafka, JDBC or web;
 *   <li>a service depends on no other service: only on {@code dev.lote.common} and
 *       {@code dev.lote.support} (and libraries it names);
 *   <li>no cycles between a service's packages;
 *   <li>one publisher per topic: only the owning module publishes on it.
 * </ul>
 */
public final class LoteArchitecture {

  /** Who may publish on each topic: the topic's name, and the package of its one publisher. */
  public static final Map<String, String> TOPIC_OWNERS =
      Map.of(
          Topics.TASKS, "dev.lote.job",
          Topics.JOBS, "dev.lote.job",
          Topics.TASK_REPORTS, "dev.lote.agent",
          Topics.NODE_REPORTS, "dev.lote.agent",
          Topics.PLACEMENTS, "dev.lote.scheduler",
          Topics.POOLS, "dev.lote.pool",
          Topics.NODES, "dev.lote.pool",
          Topics.AUTOSCALE, "dev.lote.autoscaler",
          Topics.ACCOUNTS, "dev.lote.account",
          Topics.APPLICATIONS, "dev.lote.account");

  /** Topic families named by a method of {@link Topics}, and the package of their one publisher. */
  public static final Map<String, String> TOPIC_FAMILY_OWNERS =
      Map.of("nodeCommands", "dev.lote.scheduler", "deadLetters", "dev.lote.support");

  private static final Pattern PUBLISHING_METHOD = Pattern.compile("send|publish.*");
  private static final Set<String> PUBLISHING_CONSTRUCTORS =
      Set.of("dev.lote.support.outbox.Outbox$Message", "org.apache.kafka.clients.producer.ProducerRecord");

  /** The production classes of a module (its tests left out). */
  public static JavaClasses productionClasses(String basePackage) {
    return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(basePackage);
  }

  public static ArchRule domainIsPlainJava(String basePackage) {
    return noClasses()
        .that()
        .resideInAPackage(basePackage + ".domain..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.springframework..",
            "org.apache.kafka..",
            "java.sql..",
            "javax.sql..",
            "org.postgresql..",
            "jakarta.servlet..",
            "jakarta.ws..",
            "java.net.http..",
            "dev.lote.support..")
        .as("the domain of " + basePackage + " is plain Java: no Spring, Kafka, JDBC or web")
        .allowEmptyShould(true);
  }

  public static ArchRule dependsOnNoOtherService(String basePackage, String... alsoAllowed) {
    List<String> allowed = new ArrayList<>(List.of(basePackage + "..", "dev.lote.common..", "dev.lote.support.."));
    Stream.of(alsoAllowed).map(p -> p + "..").forEach(allowed::add);
    return noClasses()
        .that()
        .resideInAPackage(basePackage + "..")
        .should()
        .dependOnClassesThat(resideInAPackage("dev.lote..").and(not(resideInAnyPackage(allowed.toArray(String[]::new)))))
        .as(basePackage + " depends on no other service, only on dev.lote.common and dev.lote.support");
  }

  public static ArchRule noCyclesBetweenPackages(String basePackage) {
    return slices()
        .matching(basePackage + ".(*)..")
        .should()
        .beFreeOfCycles()
        .as("no cycles between the packages of " + basePackage)
        .allowEmptyShould(true);
  }

  /**
   * One publisher per topic. Topic names are compile-time constants, which the compiler copies
   * into the class that uses them (no field access is left for ArchUnit to see), so a class is
   * said to publish on a topic when its constant pool holds the topic's exact name and it calls a
   * publishing method ({@code send}, {@code publish*}, or builds an {@code Outbox.Message} or a
   * {@code ProducerRecord}); for the topic families, when one method calls
   * {@code Topics.nodeCommands}/{@code Topics.deadLetters} and publishes.
   */
  public static ArchRule onlyOwnersPublish() {
    return classes()
        .should(publishOnlyOnTopicsTheirModuleOwns())
        .as("only the owning module publishes on each topic (" + TOPIC_OWNERS + ", " + TOPIC_FAMILY_OWNERS + ")")
        .allowEmptyShould(true);
  }

  private static ArchCondition<JavaClass> publishOnlyOnTopicsTheirModuleOwns() {
    return new ArchCondition<>("publish only on topics their module owns") {
      @Override
      public void check(JavaClass c, ConditionEvents events) {
        if (c.getPackageName().startsWith("dev.lote.common")) {
          return;
        }
        boolean publishes = c.getCodeUnits().stream().anyMatch(LoteArchitecture::publishes);
        if (!publishes) {
          return;
        }
        byte[] classFile = classFile(c);
        TOPIC_OWNERS.forEach(
            (topic, owner) -> {
              if (!inModule(c, owner) && holdsConstant(classFile, topic)) {
                events.add(SimpleConditionEvent.violated(c, c.getName() + " publishes and names topic " + topic + ", whose only publisher is " + owner));
              }
            });
        for (JavaCodeUnit unit : c.getCodeUnits()) {
          if (!publishes(unit)) {
            continue;
          }
          TOPIC_FAMILY_OWNERS.forEach(
              (family, owner) -> {
                boolean names =
                    unit.getMethodCallsFromSelf().stream()
                        .anyMatch(call -> call.getTargetOwner().isEquivalentTo(Topics.class) && call.getName().equals(family));
                if (names && !inModule(c, owner)) {
                  events.add(SimpleConditionEvent.violated(unit, unit.getFullName() + " publishes on Topics." + family + "(..), whose only publisher is " + owner));
                }
              });
        }
      }
    };
  }

  private static boolean inModule(JavaClass c, String owner) {
    return c.getPackageName().equals(owner) || c.getPackageName().startsWith(owner + ".");
  }

  private static boolean publishes(JavaCodeUnit unit) {
    for (JavaAccess<?> call : unit.getCallsFromSelf()) {
      String name = call.getName();
      String owner = call.getTargetOwner().getName();
      boolean publishing =
          name.equals("<init>")
              ? PUBLISHING_CONSTRUCTORS.contains(owner)
              : PUBLISHING_METHOD.matcher(name).matches() || (name.equals("of") && owner.equals("dev.lote.support.outbox.Outbox$Message"));
      if (publishing) {
        return true;
      }
    }
    return false;
  }

  private static byte[] classFile(JavaClass c) {
    return c.getSource()
        .map(
            source -> {
              try (InputStream in = source.getUri().toURL().openStream()) {
                return in.readAllBytes();
              } catch (IOException e) {
                throw new IllegalStateException("cannot read the class file of " + c.getName(), e);
              }
            })
        .orElseThrow(() -> new IllegalStateException("no class file for " + c.getName()));
  }

  /** True when the class file's constant pool has a UTF-8 entry equal to {@code value}. */
  static boolean holdsConstant(byte[] classFile, String value) {
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    byte[] entry = new byte[v.length + 3];
    entry[0] = 1; // CONSTANT_Utf8
    entry[1] = (byte) (v.length >> 8);
    entry[2] = (byte) v.length;
    System.arraycopy(v, 0, entry, 3, v.length);
    outer:
    for (int i = 0; i + entry.length <= classFile.length; i++) {
      for (int j = 0; j < entry.length; j++) {
        if (classFile[i + j] != entry[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private LoteArchitecture() {}
}
