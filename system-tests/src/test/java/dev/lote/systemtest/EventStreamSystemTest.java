package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskState;

import dev.lote.common.client.BatchEvents;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's event stream on the whole stack: the Java SDK adds a job and its tasks, and the
 * stream, filtered by the job, shows them queued, started and completed; a client that disconnects
 * and reconnects with its last event id gets what happened meanwhile, once.
 */
class EventStreamSystemTest {

  static final String POOL = "events-pool";
  static final JsonMapper json = JsonMapper.builder().build();

  record Seen(String id, String type, String subject) {}

  static Seen seen(BatchEvents.Event e) {
    JsonNode ce = json.readTree(e.data());
    assertThat(ce.get("specversion").asString()).isEqualTo("1.0");
    assertThat(ce.get("type").asString()).isEqualTo(e.type());
    return new Seen(ce.get("id").asString(), e.type(), ce.has("subject") ? ce.get("subject").asString() : null);
  }

  /** Reads events into {@code into} until {@code done} holds for them, for at most two minutes. */
  static void readUntil(BatchEvents.Connection c, List<Seen> into, Predicate<List<Seen>> done) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
    while (!done.test(into)) {
      assertThat(Instant.now()).as("events so far: %s", into).isBefore(deadline);
      BatchEvents.Event e = c.next(Duration.ofSeconds(5));
      if (e != null) {
        into.add(seen(e));
      }
    }
  }

  /** Every one of the tasks seen queued, started and completed (in whatever order the topics interleave). */
  static Predicate<List<Seen>> ran(String... tasks) {
    return seen -> {
      for (String t : tasks) {
        if (!typesOf(seen, t).containsAll(List.of("task.queued", "task.started", "task.completed"))) {
          return false;
        }
      }
      return true;
    };
  }

  static List<String> typesOf(List<Seen> seen, String task) {
    return seen.stream().filter(s -> ("tasks/" + task).equals(s.subject())).map(Seen::type).toList();
  }

  /**
   * The task was queued once, started and completed, each seen once. Queued comes on lote.tasks,
   * started and completed on lote.task-reports: the stream keeps each topic's order, not one across them.
   */
  static void assertRan(List<Seen> seen, String task) {
    assertThat(typesOf(seen, task)).containsExactlyInAnyOrder("task.queued", "task.started", "task.completed");
    assertThat(typesOf(seen, task).stream().filter(type -> !type.equals("task.queued")).toList()).containsExactly("task.started", "task.completed");
  }

  @Test
  void theStreamShowsAJobsTasksRunAndResumesAfterADisconnectWithNothingMissedOrRepeated() throws Exception {
    LoteStack.get();
    BatchClient client = LoteStack.client(LoteStack.KEY);
    SdkPools.createAndWaitIdle(client, POOL, 1, 2);
    String job = "events-" + UUID.randomUUID().toString().substring(0, 8);
    BatchEvents events = new BatchEvents(URI.create(LoteStack.ENDPOINT), LoteStack.ACCOUNT, LoteStack.KEY);

    List<Seen> first = new ArrayList<>();
    String last;
    try (BatchEvents.Connection c = events.open("jobId=" + job, null)) {
      client.jobOperations().createJob(job, new PoolInformation().withPoolId(POOL));
      client.taskOperations().createTask(job, new TaskAddParameter().withId("t1").withCommandLine("/bin/true"));
      readUntil(c, first, ran("t1"));
      last = c.lastEventId();
    }
    assertThat(first).extracting(Seen::type).contains("job.created");
    assertRan(first, "t1");

    // while the client is away, two more tasks run to their end
    client.taskOperations().createTask(job, new TaskAddParameter().withId("t2").withCommandLine("/bin/true"));
    client.taskOperations().createTask(job, new TaskAddParameter().withId("t3").withCommandLine("/bin/true"));
    await("t2 and t3 completed")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.taskOperations().getTask(job, "t2").state() == TaskState.COMPLETED
            && client.taskOperations().getTask(job, "t3").state() == TaskState.COMPLETED);

    List<Seen> again = new ArrayList<>();
    try (BatchEvents.Connection c = events.open("jobId=" + job, last)) {
      readUntil(c, again, ran("t2", "t3"));
      assertThat(c.next(Duration.ofSeconds(3))).as("nothing after the tasks' ends").isNull();
    }
    assertRan(again, "t2");
    assertRan(again, "t3");
    assertThat(typesOf(again, "t1")).as("what the first connection received").isEmpty();
    Set<String> ids = new HashSet<>();
    first.forEach(s -> assertThat(ids.add(s.id())).as("delivered once: %s", s).isTrue());
    again.forEach(s -> assertThat(ids.add(s.id())).as("delivered once: %s", s).isTrue());
  }
}
