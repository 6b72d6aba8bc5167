package dev.lote.pool.provider;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How {@link LocalNodeProvider} starts and stops node-agent processes.
 *
 * @param java      the java launcher the agents run with; this JVM's own when empty
 * @param agentJar  the node agent's executable jar
 * @param root      node roots are {@code <root>/<nodeId>}
 * @param pidDir    {@code <nodeId>.pid} files, so that tooling can stop agents without this service
 * @param jvmFlags  JVM options of every agent, separated by spaces
 * @param stopGrace how long an agent may take to stop after SIGTERM before it is killed
 * @param heartbeatInterval how often each agent sends a heartbeat
 * @param testClock the stack is in test mode: agents follow its clock ({@code lote.test-clock})
 */
public record LocalAgentOptions(
    String java, Path agentJar, Path root, Path pidDir, String jvmFlags, Duration stopGrace, Duration heartbeatInterval, boolean testClock) {

  public LocalAgentOptions(String java, Path agentJar, Path root, Path pidDir, String jvmFlags, Duration stopGrace, Duration heartbeatInterval) {
    this(java, agentJar, root, pidDir, jvmFlags, stopGrace, heartbeatInterval, false);
  }
}
