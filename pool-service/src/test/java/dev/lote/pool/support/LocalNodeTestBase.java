package dev.lote.pool.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;

import dev.lote.pool.testagent.TestAgents;
import dev.lote.support.test.LoteServiceTest;

/**
 * The pool-service over real HTTP, a fresh PostgreSQL database and a real Kafka broker, with the
 * local node provider starting real agent processes under a temporary directory. Subclasses say
 * which agent jar through {@link #localNodes}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class LocalNodeTestBase extends LoteServiceTest {

  protected static final Path STATE = tempDir();
  protected static final Path NODES = STATE.resolve("nodes");
  protected static final Path PID_DIR = STATE.resolve("run/agents");

  /**
   * The local node provider's settings, starting agents of {@code agentJar}. Dead agents are not
   * started again unless {@code relaunch}: the agents a test class leaves are killed after it,
   * and a cached context that started them again would leave them running after the tests.
   */
  protected static void localNodes(DynamicPropertyRegistry registry, Path agentJar, boolean relaunch) {
    registry.add("lote.nodes.local.relaunch", () -> Boolean.toString(relaunch));
    registry.add("lote.nodes.local.agent-jar", agentJar::toString);
    registry.add("lote.nodes.local.root", NODES::toString);
    registry.add("lote.nodes.local.pid-dir", PID_DIR::toString);
    registry.add("lote.nodes.local.stop-grace", () -> "PT5S");
    // no scheduler runs here to tell a deleted pool's agents to drain
    registry.add("lote.nodes.delete-drain", () -> "PT5S");
    registry.add("lote.public-url", () -> "http://127.0.0.1:18080");
    registry.add("lote.certificates.key-file", () -> STATE.resolve("certificates.key").toString());
    String group = "pool-service-test-" + UUID.randomUUID();
    registry.add("lote.consumer-group", () -> group);
  }

  @AfterAll
  static void stopLeftoverAgents() {
    TestAgents.killAll(PID_DIR);
  }

  /** A directory for this test JVM, removed when the JVM exits. */
  private static Path tempDir() {
    try {
      Path dir = Files.createTempDirectory("lote-pool-test");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort on the way out
    }
  }
}
