package dev.lote.agent;

import java.time.Clock;
import java.util.Arrays;

import dev.lote.common.time.TestClock;

/**
 * {@code java -jar node-agent.jar --lote.node.id=... --lote.node.pool-id=... --lote.node.root=... ...};
 * or a host of the {@code hosts} node provider: {@code java -jar node-agent.jar host --lote.host.address=...
 * --lote.host.pool-url=... --lote.host.kafka=...} with the join token in {@code LOTE_JOIN_TOKEN}.
 */
public final class NodeAgentMain {
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("host")) {
      host(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    AgentConfig cfg;
    try {
      cfg = AgentConfig.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("node-agent: " + e.getMessage());
      System.exit(2);
      return;
    }
    Clock clock = Clock.systemUTC();
    if (cfg.testClock()) {
      TestClock test = new TestClock(clock);
      AgentTestClock.follow(test, cfg.kafka(), cfg.nodeId());
      clock = test;
    }
    NodeAgent agent = new NodeAgent(cfg, clock);
    Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "shutdown"));
    agent.start();
    if (cfg.hostPid() > 0) {
      ProcessHandle.of(cfg.hostPid()).ifPresentOrElse(h -> h.onExit().thenRun(NodeAgentMain::hostGone), NodeAgentMain::hostGone);
    }
    System.out.println("node agent " + cfg.nodeId() + " of pool " + cfg.poolId() + " serving files at " + agent.agentUrl());
    Thread.currentThread().join();
  }

  /** The host agent that started this agent ended: the agent ends at once with its tasks, as on a host that went down. */
  private static void hostGone() {
    System.err.println("node-agent: the host agent ended; ending this agent and its tasks");
    ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    Runtime.getRuntime().halt(3);
  }

  private static void host(String[] args) throws Exception {
    HostAgentConfig cfg;
    try {
      cfg = HostAgentConfig.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("node-agent host: " + e.getMessage());
      System.exit(2);
      return;
    }
    HostAgent host = new HostAgent(cfg);
    Runtime.getRuntime().addShutdownHook(new Thread(host::close, "shutdown"));
    host.start();
    System.out.println("host " + cfg.id() + " at " + cfg.address() + " joins " + cfg.poolUrl() + " with " + cfg.cores() + " core(s)");
    Thread.currentThread().join();
  }

  private NodeAgentMain() {}
}
