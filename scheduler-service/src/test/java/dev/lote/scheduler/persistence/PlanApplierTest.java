package dev.lote.scheduler.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.scheduler.domain.NodeFillType;
import dev.lote.scheduler.domain.Placement;
import dev.lote.support.test.LoteServiceTest;

/**
 * The applier against PostgreSQL, with plans made from snapshots another transaction has since
 * changed, as two schedulers would: the database refuses what would over-commit a node or place
 * an attempt twice, with no help from the JVM.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "lote.scheduler.node-backlog-per-slot=0",
      "lote.scheduler.sweep-interval=PT1H",
      "spring.cloud.stream.bindings.schedulingEvents-in-0.consumer.auto-startup=false"})
class PlanApplierTest extends LoteServiceTest {

  @Autowired PlanApplier applier;
  @Autowired SchedulingStore store;
  @Autowired JdbcTemplate jdbc;
  @Autowired TransactionTemplate tx;

  String pool;
  String node;
  String job;

  @BeforeEach
  void aPoolWithOneNodeOfTwoSlotsAndFourQueuedTasks() {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    pool = "pool-" + suffix;
    node = "tvm-" + suffix;
    job = "job-" + suffix;
    tx.executeWithoutResult(s -> {
      store.upsertPool("lote", pool, NodeFillType.PACK);
      store.upsertNode("lote", node, pool, 2, true);
      store.queue(
          List.of(queued("t0"), queued("t1"), queued("t2"), queued("t3")));
    });
  }

  @Test
  void aPlanFromAStaleSnapshotIsRefusedWhereTheNodeIsFullAndItsTasksStayQueued() {
    PlanApplier.Snapshot stale = tx.execute(s -> applier.snapshot("lote", pool, 0, 4));
    assertThat(stale.fill()).isEqualTo(NodeFillType.PACK);
    List<PlanApplier.Placed> first = plan(stale).subList(0, 2);
    List<PlanApplier.Placed> second = List.of(placed(stale, "t2"), placed(stale, "t3"));

    assertThat(apply(first)).hasSize(2);
    assertThat(apply(second)).as("the node is full").isEmpty();

    assertThat(usedSlots()).isEqualTo(2);
    assertThat(jdbc.queryForList("select task_key from queued_task where pool_key = ? order by task_key", String.class, pool))
        .containsExactly("t2", "t3");
  }

  @Test
  void aSnapshotTellsANodesOpenSlotsApartFromTheRoomItsBacklogAdds() {
    assertThat(apply(List.of(placed(tx.execute(s -> applier.snapshot("lote", pool, 0, 4)), "t0")))).hasSize(1);

    PlanApplier.Snapshot withBacklog = tx.execute(s -> applier.snapshot("lote", pool, 4, 4));

    assertThat(withBacklog.nodes()).containsExactly(new Placement.NodeSlots(node, 9, 2, true, false, 1));
  }

  @Test
  void anAttemptAlreadyPlacedIsNotPlacedAgainAndItsNodeKeepsNothingForIt() {
    PlanApplier.Snapshot stale = tx.execute(s -> applier.snapshot("lote", pool, 0, 4));
    PlanApplier.Placed t0 = placed(stale, "t0");
    assertThat(apply(List.of(t0))).hasSize(1);
    assertThat(apply(List.of(t0))).isEmpty();
    assertThat(usedSlots()).isEqualTo(1);
    assertThat(jdbc.queryForObject("select count(*) from assignment where node_id = ?", Integer.class, node)).isEqualTo(1);
  }

  @Test
  void twoTransactionsApplyingAtOnceFillTheNodeOnceTheLaterWaitsAndIsRefused() throws Exception {
    PlanApplier.Snapshot stale = tx.execute(s -> applier.snapshot("lote", pool, 0, 4));
    CountDownLatch firstApplied = new CountDownLatch(1);
    CountDownLatch secondStarted = new CountDownLatch(1);
    CompletableFuture<List<PlanApplier.Placed>> first =
        CompletableFuture.supplyAsync(() -> tx.execute(s -> {
          List<PlanApplier.Placed> placed = applier.apply("lote", 0, List.of(placed(stale, "t0"), placed(stale, "t1")));
          firstApplied.countDown();
          await(secondStarted);
          return placed;
        }));
    await(firstApplied);
    CompletableFuture<List<PlanApplier.Placed>> second =
        CompletableFuture.supplyAsync(() -> tx.execute(s -> {
          secondStarted.countDown();
          // blocks on the node row until the first commits, then finds the node full
          return applier.apply("lote", 0, List.of(placed(stale, "t2"), placed(stale, "t3")));
        }));
    assertThat(first.get(30, TimeUnit.SECONDS)).hasSize(2);
    assertThat(second.get(30, TimeUnit.SECONDS)).isEmpty();
    assertThat(usedSlots()).isEqualTo(2);
  }

  @Test
  void aHeadBeingPlacedByAnotherTransactionIsSkipped() throws Exception {
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch read = new CountDownLatch(1);
    CompletableFuture<Integer> holder =
        CompletableFuture.supplyAsync(() -> tx.execute(s -> {
          int n = applier.snapshot("lote", pool, 0, 1).head().size();
          locked.countDown();
          await(read);
          return n;
        }));
    await(locked);
    PlanApplier.Snapshot other = tx.execute(s -> applier.snapshot("lote", pool, 0, 1));
    read.countDown();
    assertThat(holder.get(30, TimeUnit.SECONDS)).isEqualTo(4);
    assertThat(other.head()).as("every queued row is locked by the first").isEmpty();
  }

  @Test
  void aJobManagerQueuedLastHeadsTheQueueAndAnExclusiveOneHoldsTheWholeNode() {
    tx.executeWithoutResult(s -> store.queue(List.of(
        new SchedulingStore.Queue(
            "lote", job, "jm", job, "jm", pool, pool, 0, 0, 1, "{\"commandLine\":\"/bin/true\",\"jobManager\":{\"exclusive\":true}}", null))));

    PlanApplier.Snapshot snapshot = tx.execute(s -> applier.snapshot("lote", pool, 0, 4));
    assertThat(snapshot.head().get(0).taskId()).isEqualTo("jm");
    assertThat(snapshot.head().get(0).candidate().exclusive()).isTrue();
    assertThat(snapshot.head().get(1).candidate().exclusive()).isFalse();

    assertThat(apply(plan(snapshot))).extracting(p -> p.task().taskId() + "/" + p.slots()).containsExactly("jm/2");
    assertThat(usedSlots()).as("the node is the job manager's alone").isEqualTo(2);
  }

  private List<PlanApplier.Placed> apply(List<PlanApplier.Placed> plan) {
    List<PlanApplier.Placed> placed = tx.execute(s -> applier.apply("lote", 0, plan));
    return placed;
  }

  private SchedulingStore.Queue queued(String task) {
    return new SchedulingStore.Queue("lote", job, task, job, task, pool, pool, 0, 0, 1, "{\"commandLine\":\"/bin/true\"}", null);
  }

  private List<PlanApplier.Placed> plan(PlanApplier.Snapshot s) {
    return Placement.place(s.fill(), s.nodes(), s.head().stream().map(PlanApplier.Queued::candidate).toList()).stream()
        .map(a -> new PlanApplier.Placed(s.head().stream().filter(q -> q.candidate() == a.task()).findFirst().orElseThrow(), a.nodeId(), a.slots()))
        .toList();
  }

  private PlanApplier.Placed placed(PlanApplier.Snapshot s, String task) {
    return new PlanApplier.Placed(s.head().stream().filter(q -> q.taskId().equals(task)).findFirst().orElseThrow(), node);
  }

  private int usedSlots() {
    return jdbc.queryForObject("select used_slots from node where node_id = ?", Integer.class, node);
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
