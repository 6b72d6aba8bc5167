package dev.lote.common.events;

/** Commands of the pool-service to the host agents of the {@code hosts} node provider. */
public final class HostEvents {

  /**
   * pool-service, {@link Topics#hostCommands}: the host starts a node agent for this node (again,
   * after a restart of the host, with the node's files as they were). Starting a node whose agent
   * runs already changes nothing.
   *
   * @param accountUrl the gateway's URL as the node's tasks see it ({@code AZ_BATCH_ACCOUNT_URL})
   * @param startTask  the pool's start task as its JSON text, or null
   * @param containers the pool's nodes run containers
   * @param userAccounts the pool's {@code userAccounts} as their JSON text sealed for the host
   *     ({@link dev.lote.common.auth.HostSecrets}), or null
   * @param mountConfiguration the pool's {@code mountConfiguration} as its JSON text sealed for the
   *     host, or null
   * @param applicationPackages the pool's application packages, resolved with their signed URLs, as
   *     the JSON text of a list of {@link ApplicationEvents.PackageDeployment}, or null for none
   * @param certificates the certificates the pool references (format, data, password, visibility)
   *     as their JSON text sealed for the host, or null for none
   */
  public record HostNodeStart(
      String nodeId,
      String account,
      String poolId,
      String vmSize,
      int taskSlots,
      String accountUrl,
      String startTask,
      boolean containers,
      String userAccounts,
      String mountConfiguration,
      String applicationPackages,
      String certificates) {}

  /**
   * pool-service, {@link Topics#hostCommands}: the host stops the node's agent and what it runs.
   *
   * @param keepFiles leave the node's task files on the host ({@code retaineddata})
   */
  public record HostNodeStop(String nodeId, boolean keepFiles) {}

  private HostEvents() {}
}
