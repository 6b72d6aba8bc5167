package dev.lote.agent;

import java.time.Clock;

/** {@code java -jar node-agent.jar --lote.node.id=... --lote.node.pool-id=... --lote.node.root=... ...} */
public final class NodeAgentMain {
  public static void main(String[] args) throws Exception {
    AgentConfig cfg;
    try {
      cfg = AgentConfig.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("node-agent: " + e.getMessage());
      System.exit(2);
      return;
    }
    NodeAgent agent = new NodeAgent(cfg, Clock.systemUTC());
    Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "shutdown"));
    agent.start();
    System.out.println("node agent " + cfg.nodeId() + " of pool " + cfg.poolId() + " serving files at " + agent.agentUrl());
    Thread.currentThread().join();
  }

  private NodeAgentMain() {}
}
