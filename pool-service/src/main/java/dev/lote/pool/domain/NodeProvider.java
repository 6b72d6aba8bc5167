package dev.lote.pool.domain;

import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

import dev.lote.common.events.ApplicationEvents.PackageDeployment;
import tools.jackson.databind.JsonNode;

/**
 * Where compute nodes come from. The pool-service decides which nodes should exist; a provider
 * makes a node's agent run and stops it again. Chosen by {@code lote.nodes.provider}.
 */
public interface NodeProvider {

  /**
   * What an agent needs to know to serve as one node of a pool.
   *
   * @param containers   the pool's nodes run containers: the agent checks it has a container runtime
   * @param userAccounts the pool's {@code userAccounts}, passwords and keys included; null for none
   * @param mountConfiguration the pool's {@code mountConfiguration}, mounted before the start task, keys
   *     included; null for none
   * @param certificates the certificates the pool references, installed before the start task: each
   *     with its {@code thumbprintAlgorithm}, {@code thumbprint}, {@code certificateFormat}, {@code data}
   *     (base64), {@code password} and {@code visibility}; null for none
   * @param applicationPackages the pool's application packages, resolved with their download URLs,
   *     installed before the start task; empty for none
   */
  record NodeSpec(
      String nodeId,
      String account,
      String poolId,
      String vmSize,
      int taskSlots,
      JsonNode startTask,
      boolean containers,
      JsonNode userAccounts,
      JsonNode mountConfiguration,
      JsonNode certificates,
      List<PackageDeployment> applicationPackages) {

    public NodeSpec {
      applicationPackages = applicationPackages == null ? List.of() : List.copyOf(applicationPackages);
    }

    /** A node of a pool that references no certificate and has no application packages. */
    public NodeSpec(
        String nodeId,
        String account,
        String poolId,
        String vmSize,
        int taskSlots,
        JsonNode startTask,
        boolean containers,
        JsonNode userAccounts,
        JsonNode mountConfiguration) {
      this(nodeId, account, poolId, vmSize, taskSlots, startTask, containers, userAccounts, mountConfiguration, null, List.of());
    }

    /** A node of a pool that mounts no file system. */
    public NodeSpec(
        String nodeId, String account, String poolId, String vmSize, int taskSlots, JsonNode startTask, boolean containers, JsonNode userAccounts) {
      this(nodeId, account, poolId, vmSize, taskSlots, startTask, containers, userAccounts, (JsonNode) null);
    }

    /** A node of a pool without user accounts. */
    public NodeSpec(String nodeId, String account, String poolId, String vmSize, int taskSlots, JsonNode startTask, boolean containers) {
      this(nodeId, account, poolId, vmSize, taskSlots, startTask, containers, null);
    }

    /** A node of a pool that does not run containers. */
    public NodeSpec(String nodeId, String account, String poolId, String vmSize, int taskSlots, JsonNode startTask) {
      this(nodeId, account, poolId, vmSize, taskSlots, startTask, false);
    }
  }

  /**
   * A node as the provider knows it: its id and the provider's handle of the agent serving it,
   * opaque to everyone but the provider that made it (kept in the node row as text).
   */
  record Provisioned(String nodeId, String handle) {}

  /**
   * Starts the node's agent. Starting a node that ran before reuses its id and its state on disk.
   *
   * @return the provider's handle of the agent, for {@link Provisioned}
   * @throws NodeLaunchException when the agent cannot be started
   */
  String launch(NodeSpec spec);

  /** The images this provider's nodes run (Account_ListSupportedImages). */
  default List<SupportedImage> images() {
    return List.of();
  }

  /** Whether the agent started for this node still runs. */
  boolean isRunning(Provisioned node);

  /**
   * Who is told when an agent this provider started, or was asked to {@link #watch}, ends without
   * being released (it died). Called on a thread of the provider's.
   */
  default void onAgentExit(Consumer<Provisioned> listener) {}

  /** Watches an agent that was started before this service was (kept after a restart). */
  default void watch(Provisioned node) {}

  /** Stops the nodes' agents (and what they run) and frees what the provider holds for them. */
  default void release(Collection<Provisioned> nodes) {
    release(nodes, false);
  }

  /**
   * Stops the nodes' agents (and what they run).
   *
   * @param keepFiles leave the nodes' task files where they are (for {@code retaineddata})
   */
  void release(Collection<Provisioned> nodes, boolean keepFiles);

  /**
   * Kills the node's agent and what it runs at once, without the grace of {@link #release}, as
   * when its host goes down; its files stay. Not reported to the {@link #onAgentExit} listener.
   * A provider that cannot kill stops the agent as {@link #release} does.
   */
  default void kill(Provisioned node) {
    release(java.util.List.of(node), true);
  }

  class NodeLaunchException extends RuntimeException {
    public NodeLaunchException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
