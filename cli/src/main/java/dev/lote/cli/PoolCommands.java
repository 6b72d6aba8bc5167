package dev.lote.cli;

import java.time.Duration;
import java.util.List;

import com.microsoft.azure.batch.protocol.models.CloudPool;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;

import dev.lote.cli.Output.Column;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lote pool ...} and {@code lote node ...}. */
final class PoolCommands {

  static final List<Column<CloudPool>> POOL_COLUMNS =
      List.of(
          new Column<>("ID", CloudPool::id),
          new Column<>("STATE", CloudPool::state),
          new Column<>("ALLOCATION", CloudPool::allocationState),
          new Column<>("VM SIZE", CloudPool::vmSize),
          new Column<>("NODES", p -> p.currentDedicatedNodes() + "/" + p.targetDedicatedNodes()),
          new Column<>("LOW-PRIORITY", p -> p.currentLowPriorityNodes() + "/" + p.targetLowPriorityNodes()),
          new Column<>("SLOTS", CloudPool::taskSlotsPerNode),
          new Column<>("AUTOSCALE", p -> Boolean.TRUE.equals(p.enableAutoScale()) ? "yes" : "no"));

  static final List<Column<ComputeNode>> NODE_COLUMNS =
      List.of(
          new Column<>("ID", ComputeNode::id),
          new Column<>("STATE", ComputeNode::state),
          new Column<>("SCHEDULING", ComputeNode::schedulingState),
          new Column<>("DEDICATED", n -> Boolean.FALSE.equals(n.isDedicated()) ? "no" : "yes"),
          new Column<>("IP", ComputeNode::ipAddress),
          new Column<>("RUNNING", ComputeNode::runningTasksCount),
          new Column<>("RUN", ComputeNode::totalTasksRun),
          new Column<>("ERRORS", n -> n.errors() == null ? "" : String.join(",", n.errors().stream().map(e -> e.code()).toList())));

  @Command(
      name = "pool",
      description = "Pools of compute nodes.",
      subcommands = {PoolList.class, PoolShow.class, PoolCreate.class, PoolResize.class, PoolDelete.class})
  static final class Pool {}

  @Command(name = "list", description = "List the account's pools.")
  static final class PoolList extends BatchCommand {
    @Override
    Integer run(Output out) throws Exception {
      out.list(client().poolOperations().listPools(), POOL_COLUMNS);
      return 0;
    }
  }

  @Command(name = "show", description = "Show a pool.")
  static final class PoolShow extends BatchCommand {
    @Parameters(paramLabel = "POOL")
    String pool;

    @Override
    Integer run(Output out) throws Exception {
      out.object(client().poolOperations().getPool(pool));
      return 0;
    }
  }

  @Command(name = "create", description = "Create a pool of dedicated nodes (Ubuntu 22.04 image reference; Lote's local nodes run any).")
  static final class PoolCreate extends BatchCommand {
    @Option(names = "--id", required = true, description = "the pool's id")
    String id;

    @Option(names = "--vm-size", defaultValue = "standard_d2s_v3", description = "default: ${DEFAULT-VALUE}")
    String vmSize;

    @Option(names = "--nodes", defaultValue = "1", description = "dedicated nodes (default: ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--low-priority-nodes", defaultValue = "0", description = "low-priority nodes (default: ${DEFAULT-VALUE})")
    int lowPriorityNodes;

    @Option(names = "--slots", defaultValue = "1", description = "task slots per node (default: ${DEFAULT-VALUE})")
    int slots;

    @Option(names = "--wait", description = "return once every dedicated node is ready (idle or running)")
    boolean await;

    @Option(names = "--timeout", defaultValue = "PT5M", description = "how long --wait waits (ISO-8601, default ${DEFAULT-VALUE})")
    Duration timeout;

    @Override
    Integer run(Output out) throws Exception {
      client()
          .poolOperations()
          .createPool(
              new PoolAddParameter()
                  .withId(id)
                  .withVmSize(vmSize)
                  .withTargetDedicatedNodes(nodes)
                  .withTargetLowPriorityNodes(lowPriorityNodes)
                  .withTaskSlotsPerNode(slots)
                  .withVirtualMachineConfiguration(BatchSession.ubuntu()));
      out.message("pool " + id + " created: " + nodes + " dedicated node(s) of " + slots + " slot(s)");
      if (await) {
        BatchSession.awaitNodes(client(), id, nodes, timeout, out::message);
      }
      if (out.json()) {
        out.object(client().poolOperations().getPool(id));
      }
      return 0;
    }
  }

  @Command(name = "resize", description = "Resize a pool.")
  static final class PoolResize extends BatchCommand {
    @Parameters(paramLabel = "POOL")
    String pool;

    @Option(names = "--nodes", required = true, description = "target dedicated nodes")
    int nodes;

    @Option(names = "--low-priority-nodes", defaultValue = "0", description = "target low-priority nodes (default: ${DEFAULT-VALUE})")
    int lowPriorityNodes;

    @Override
    Integer run(Output out) throws Exception {
      client().poolOperations().resizePool(pool, nodes, lowPriorityNodes);
      out.message("pool " + pool + " resizing to " + nodes + " dedicated, " + lowPriorityNodes + " low-priority node(s)");
      if (out.json()) {
        out.object(client().poolOperations().getPool(pool));
      }
      return 0;
    }
  }

  @Command(name = "delete", description = "Delete a pool and its nodes.")
  static final class PoolDelete extends BatchCommand {
    @Parameters(paramLabel = "POOL")
    String pool;

    @Override
    Integer run(Output out) throws Exception {
      client().poolOperations().deletePool(pool);
      out.message("pool " + pool + " deleting");
      return 0;
    }
  }

  @Command(name = "node", description = "Compute nodes of a pool.", subcommands = {NodeList.class, NodeShow.class})
  static final class Node {}

  @Command(name = "list", description = "List a pool's nodes.")
  static final class NodeList extends BatchCommand {
    @Parameters(paramLabel = "POOL")
    String pool;

    @Override
    Integer run(Output out) throws Exception {
      out.list(client().computeNodeOperations().listComputeNodes(pool), NODE_COLUMNS);
      return 0;
    }
  }

  @Command(name = "show", description = "Show a node.")
  static final class NodeShow extends BatchCommand {
    @Parameters(index = "0", paramLabel = "POOL")
    String pool;

    @Parameters(index = "1", paramLabel = "NODE")
    String node;

    @Override
    Integer run(Output out) throws Exception {
      out.object(client().computeNodeOperations().getComputeNode(pool, node));
      return 0;
    }
  }

  private PoolCommands() {}
}
