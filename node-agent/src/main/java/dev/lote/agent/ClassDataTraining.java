package dev.lote.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.lote.common.events.EventEnvelope;

/**
 * A short life of an agent that touches no broker and no service, for a class-data archive:
 * {@code java -XX:ArchiveClassesAtExit=agent.jsa -cp node-agent.jar dev.lote.agent.ClassDataTraining}
 * loads the classes every agent loads (its Kafka clients, the event codec, the file server, the
 * journal, a task process) and exits. Agents started with {@code -XX:SharedArchiveFile=agent.jsa}
 * then map those classes from one file they all share instead of each parsing its own copy, which
 * is most of an idle agent's memory beyond its heap.
 */
public final class ClassDataTraining {

  public static void main(String[] args) throws Exception {
    Path root = Files.createTempDirectory("lote-agent-training");
    try {
      train(root);
    } finally {
      deleteTree(root);
    }
    // an agent's producer and consumer threads are gone; the archive is written as the JVM exits
    System.exit(0);
  }

  static void train(Path root) throws Exception {
    AgentConfig cfg = AgentConfig.parse(new String[] {
        "--lote.node.id=training",
        "--lote.node.pool-id=training",
        "--lote.node.root=" + root,
        // nothing listens on the discard port: the clients are built, and connect to nothing
        "--lote.node.kafka=127.0.0.1:9",
        "--lote.node.account-url=http://127.0.0.1:9"});
    NodeAgent agent = new NodeAgent(cfg, Clock.systemUTC());
    try {
      Events codec = new Events(cfg.kafka(), "training", cfg.account(), Clock.systemUTC());
      try {
        EventEnvelope e = codec.envelope("training", "training", Map.of("slots", 1, "state", "idle"));
        Events.JSON.readValue(Events.JSON.writeValueAsBytes(e), EventEnvelope.class);
      } finally {
        codec.close();
      }
      Path taskDir = cfg.root().resolve("workitems/training/job-1/task/training");
      Processes.prepareTaskDir(taskDir, TaskUsers.AS_AGENT, false, false);
      Processes processes = new Processes(cfg);
      Process p = processes.builder(List.of("true"), Map.of(), processes.batchVariables("job", "task", taskDir), taskDir, TaskUsers.AS_AGENT).start();
      p.waitFor(10, TimeUnit.SECONDS);
    } finally {
      agent.close();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private ClassDataTraining() {}
}
