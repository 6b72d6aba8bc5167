package dev.lote.job.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;
import java.util.function.Predicate;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.Kafka;
import dev.lote.support.test.LoteServiceTest;
import tools.jackson.databind.JsonNode;

/**
 * The job-service over real HTTP, a fresh PostgreSQL database and a real Kafka broker. Test classes
 * share one running service, so every test works on jobs of its own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class JobServiceTestBase extends LoteServiceTest {

  protected static final String ACCOUNT = "lote";
  protected static final Kafka KAFKA = new Kafka();
  /** How long a terminating job waits for its running tasks' reports in tests. */
  protected static final Duration STOP_GRACE = Duration.ofSeconds(8);
  /** How long a job waiting for all its tasks to complete may stay without tasks in tests. */
  protected static final Duration EMPTY_JOB_GRACE = Duration.ofSeconds(5);

  @DynamicPropertySource
  static void consumerGroup(DynamicPropertyRegistry registry) {
    String group = "job-service-test-" + UUID.randomUUID();
    registry.add("lote.consumer-group", () -> group);
    registry.add("lote.jobs.sweep-interval", () -> "PT0.5S");
    registry.add("lote.jobs.stop-grace", () -> STOP_GRACE.toString());
    registry.add("lote.jobs.empty-job-grace", () -> EMPTY_JOB_GRACE.toString());
  }

  @LocalServerPort protected int port;
  protected BatchHttp http;
  protected AgentReports agent;

  @BeforeEach
  void clients() {
    http = new BatchHttp(port, ACCOUNT);
    agent = new AgentReports(KAFKA, ACCOUNT, "http://127.0.0.1:1");
  }

  protected static String uniqueId(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Creates a job on pool-1; {@code extra} is more JSON properties (single quotes allowed), or empty. */
  protected String createJob(String jobId, String extra) {
    String body = "{'id':'" + jobId + "','poolInfo':{'poolId':'pool-1'}" + (extra.isEmpty() ? "" : "," + extra) + "}";
    BatchHttp.Response r = http.post("/jobs", BatchHttp.json(body));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return jobId;
  }

  /** Adds tasks {@code prefix-0 .. prefix-(n-1)} running /bin/true in one collection; asserts every one was added. */
  protected void addTasks(String jobId, String prefix, int n, String extra) {
    StringBuilder body = new StringBuilder("{'value':[");
    for (int i = 0; i < n; i++) {
      body.append(i == 0 ? "" : ",").append("{'id':'").append(prefix).append(i).append("','commandLine':'/bin/true'");
      body.append(extra.isEmpty() ? "" : "," + extra).append("}");
    }
    BatchHttp.Response r = http.post("/jobs/" + jobId + "/addtaskcollection", BatchHttp.json(body.append("]}").toString()));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    for (JsonNode result : r.json().path("value")) {
      assertThat(result.path("status").asString()).as(result.toString()).isEqualTo("success");
    }
  }

  protected JsonNode task(String jobId, String taskId) {
    BatchHttp.Response r = http.get("/jobs/" + jobId + "/tasks/" + taskId);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json();
  }

  protected JsonNode job(String jobId) {
    BatchHttp.Response r = http.get("/jobs/" + jobId);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json();
  }

  /** Waits until the task satisfies the condition (events are applied asynchronously); returns it. */
  protected JsonNode awaitTask(String jobId, String taskId, Predicate<JsonNode> condition) {
    JsonNode[] last = new JsonNode[1];
    await().atMost(Duration.ofSeconds(30)).until(() -> condition.test(last[0] = task(jobId, taskId)));
    return last[0];
  }

  protected JsonNode awaitJob(String jobId, Predicate<JsonNode> condition) {
    JsonNode[] last = new JsonNode[1];
    await().atMost(Duration.ofSeconds(30)).until(() -> condition.test(last[0] = job(jobId)));
    return last[0];
  }

  protected static Predicate<JsonNode> inState(String state) {
    return n -> state.equals(n.path("state").asString());
  }
}
