package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.joda.time.DateTime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.PagedList;
import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.DetailLevel;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.OnAllTasksComplete;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskDependencies;
import com.microsoft.azure.batch.protocol.models.TaskIdRange;
import com.microsoft.azure.batch.protocol.models.TaskState;

/**
 * A job of 10,000 tasks with fan-out and fan-in dependencies through the official Java SDK: one
 * root task; half of the others depend on it (fan-out); each of the other half depends on one of
 * those (one to one); a last task depends on that whole second half by an id range (fan-in).
 * Every task must start only after each of its parents ended, the task list must page through
 * all of them exactly once, and the run prints its wall time beside the machine's spawn floor.
 * {@code -Dlote.dag.tasks} changes the size.
 */
class TaskDependenciesAtScaleSystemTest {

  static final String POOL = "dag-pool";
  static final int TASKS = Integer.getInteger("lote.dag.tasks", 10_000);

  static BatchClient client;

  @BeforeAll
  static void stackAndPool() throws Exception {
    LoteStack.get();
    client = LoteStack.client(LoteStack.KEY);
    SdkPools.createAndWaitIdle(client, POOL, 2, 4);
  }

  /** The parents of each task by its id, as the job is built. */
  static Map<Integer, List<Integer>> parents(int n) {
    int half = (n - 2) / 2;
    Map<Integer, List<Integer>> parents = new HashMap<>();
    parents.put(0, List.of());
    for (int i = 1; i <= half; i++) {
      parents.put(i, List.of(0));
    }
    for (int i = half + 1; i <= 2 * half; i++) {
      parents.put(i, List.of(i - half));
    }
    List<Integer> all = new ArrayList<>();
    for (int i = half + 1; i <= 2 * half; i++) {
      all.add(i);
    }
    parents.put(2 * half + 1, all);
    return parents;
  }

  @Test
  void aJobOfTenThousandTasksWithFanOutAndFanInRunsEachTaskAfterItsParentsAndListsEveryTaskOnce() throws Exception {
    String job = "dag";
    int half = (TASKS - 2) / 2;
    int sink = 2 * half + 1;
    Map<Integer, List<Integer>> parents = parents(TASKS);
    client.jobOperations()
        .createJob(
            new JobAddParameter()
                .withId(job)
                .withPoolInfo(new PoolInformation().withPoolId(POOL))
                .withUsesTaskDependencies(true)
                .withOnAllTasksComplete(OnAllTasksComplete.TERMINATE_JOB));
    List<TaskAddParameter> tasks = new ArrayList<>();
    for (int i = 0; i <= sink; i++) {
      TaskAddParameter t = new TaskAddParameter().withId(Integer.toString(i)).withCommandLine("/bin/true");
      if (i >= 1 && i <= 2 * half) {
        t.withDependsOn(new TaskDependencies().withTaskIds(List.of(Integer.toString(parents.get(i).get(0)))));
      } else if (i == sink) {
        t.withDependsOn(new TaskDependencies().withTaskIdRanges(List.of(new TaskIdRange().withStart(half + 1).withEnd(2 * half))));
      }
      tasks.add(t);
    }
    long added = System.nanoTime();
    // at most 100 a call: the SDK's own splitting of a longer list can wait forever (README)
    for (int from = 0; from < tasks.size(); from += 100) {
      client.taskOperations().createTasks(job, tasks.subList(from, Math.min(from + 100, tasks.size())));
    }
    long addSeconds = (System.nanoTime() - added) / 1_000_000_000L;

    await("the dag completes")
        .atMost(Duration.ofMinutes(15))
        .pollInterval(Duration.ofSeconds(2))
        .until(() -> client.jobOperations().getTaskCounts(job).completed() == sink + 1);
    double wall = (System.nanoTime() - added) / 1e9;

    Map<Integer, CloudTask> byId = new HashMap<>();
    Set<String> seen = new HashSet<>();
    PagedList<CloudTask> page =
        client.taskOperations().listTasks(job, new DetailLevel.Builder().withSelectClause("id,state,executionInfo").build());
    // more than one page (1,000 a page): the SDK's paged list follows odata.nextLink as it is iterated
    for (CloudTask t : page) {
      assertThat(seen.add(t.id())).as("task " + t.id() + " listed once").isTrue();
      byId.put(Integer.parseInt(t.id()), t);
    }
    assertThat(seen).hasSize(sink + 1);
    for (Map.Entry<Integer, List<Integer>> e : parents.entrySet()) {
      CloudTask child = byId.get(e.getKey());
      assertThat(child.state()).isEqualTo(TaskState.COMPLETED);
      assertThat(child.executionInfo().exitCode()).as("task " + e.getKey()).isZero();
      DateTime start = child.executionInfo().startTime();
      for (int p : e.getValue()) {
        assertThat(start).as("task " + e.getKey() + " starts after its parent " + p + " ended")
            .isGreaterThanOrEqualTo(byId.get(p).executionInfo().endTime());
      }
    }
    LoteStack.Result floor =
        LoteStack.get().run(List.of(LoteStack.java(), "-jar", LoteStack.get().repo.resolve("cli/target/lote-cli.jar").toString(), "spawn-floor"), 300);
    System.out.printf(
        "dag tasks=%d add_seconds=%d wall_seconds=%.1f tasks_per_second=%.1f spawn_floor: %s%n",
        sink + 1, addSeconds, wall, (sink + 1) / wall, floor.output().trim().replace('\n', ' '));
  }
}
