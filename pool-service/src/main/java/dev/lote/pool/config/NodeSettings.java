package dev.lote.pool.config;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code lote.nodes.*}: how compute nodes are provided and watched.
 *
 * @param provider          {@code local}: one node-agent process per node on this machine;
 *     {@code hosts}: one per node on the hosts that joined ({@link HostSettings})
 * @param heartbeatTimeout  a node whose agent is silent this long is lost: {@code unknown} (three
 *     of the agent's 10 s heartbeats missed)
 * @param livenessInterval  how often silent nodes are looked for
 * @param agentVersion      reported as the nodes' {@code nodeAgentInfo.version}
 * @param deleteDrain       how long a deleted pool's nodes have to requeue their tasks and drain
 *     (the scheduler tells their agents) before they are stopped regardless
 * @param remoteLogin       where a node's users log in over SSH
 */
@ConfigurationProperties("lote.nodes")
public record NodeSettings(
    @DefaultValue("local") String provider,
    @DefaultValue("PT30S") Duration heartbeatTimeout,
    @DefaultValue("PT5S") Duration livenessInterval,
    @DefaultValue("0.1.0") String agentVersion,
    @DefaultValue Local local,
    @DefaultValue("PT1M") Duration deleteDrain,
    @DefaultValue RemoteLogin remoteLogin) {

  /**
   * {@code lote.nodes.remote-login.*}: the SSH server of the nodes' host (ComputeNode_GetRemoteLoginSettings).
   *
   * @param address the address users reach it at; the node's own IP address when empty
   * @param port    its port
   */
  public record RemoteLogin(@DefaultValue("") String address, @DefaultValue("22") int port) {}

  /**
   * {@code lote.nodes.local.*}: the local provider.
   *
   * @param java      the java launcher the agents run with; this JVM's own when empty
   * @param agentJar  the node agent's executable jar
   * @param root      node roots are {@code <root>/<nodeId>}
   * @param pidDir    {@code <nodeId>.pid} files, so that tooling can stop agents without this service
   * @param jvmFlags  JVM options of every agent, separated by spaces
   * @param stopGrace how long an agent may take to stop after SIGTERM before it is killed
   * @param relaunch  start an agent that died again (with back-off) while its node should run
   * @param heartbeatInterval how often each agent sends a heartbeat; keep it well under the
   *     heartbeat timeout
   */
  public record Local(
      @DefaultValue("") String java,
      @DefaultValue("./node-agent/target/node-agent.jar") Path agentJar,
      @DefaultValue("./.lote/nodes") Path root,
      @DefaultValue("./.lote/run/agents") Path pidDir,
      @DefaultValue("-Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djdk.lang.Process.launchMechanism=VFORK")
          String jvmFlags,
      @DefaultValue("PT10S") Duration stopGrace,
      @DefaultValue("true") boolean relaunch,
      @DefaultValue("PT10S") Duration heartbeatInterval) {}
}
