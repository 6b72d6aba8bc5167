package dev.lote.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.sun.net.httpserver.HttpServer;

import dev.lote.common.client.BatchEvents;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventJson;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.JobEvents.JobTerminated;
import dev.lote.common.events.NodeEvents.NodeStateChanged;
import dev.lote.common.events.PoolEvents.PoolResized;
import dev.lote.common.events.TaskEvents.TaskCompleted;
import dev.lote.common.events.TaskEvents.TaskQueued;
import dev.lote.common.events.TaskEvents.TaskRunSpec;
import dev.lote.common.events.TaskEvents.TaskStarted;
import dev.lote.common.events.EndReason;
import dev.lote.common.events.Topics;
import dev.lote.support.test.LoteTestInfra;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /events} over real HTTP, reading real envelopes from a real broker, with a real HTTP
 * server standing in for the account-service (two accounts).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EventStreamTest {

  static final String KEY = GatewayTest.KEY;
  static final String OTHER_KEY = "T3RoZXJBY2NvdW50S2V5T3RoZXJBY2NvdW50S2V5T3RoZXJBY2NvdW50S2V5MDA=";
  static final Duration WAIT = Duration.ofSeconds(20);
  /** How long a stream is watched for an event that must not come: several polls and a heartbeat. */
  static final Duration QUIET = Duration.ofSeconds(3);

  static final HttpServer accounts =
      StandIns.serve(
          Map.of(
              "/internal/accounts/",
              ex -> {
                String path = ex.getRequestURI().getPath();
                if (path.endsWith("/lote")) {
                  StandIns.reply(ex, 200, "{\"name\":\"lote\",\"keys\":[\"" + KEY + "\"]}");
                } else if (path.endsWith("/other")) {
                  StandIns.reply(ex, 200, "{\"name\":\"other\",\"keys\":[\"" + OTHER_KEY + "\"]}");
                } else {
                  StandIns.reply(ex, 404, "{\"code\":\"AccountNotFound\"}");
                }
              }));

  static final KafkaProducer<String, byte[]> producer = producer();
  static final JsonMapper events = EventJson.newMapper();
  static final JsonMapper json = JsonMapper.builder().build();

  static KafkaProducer<String, byte[]> producer() {
    String kafka = LoteTestInfra.kafkaBootstrapServers();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
      for (String topic : EventTopics.TOPICS) {
        try {
          admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException(e);
          }
        }
      }
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return new KafkaProducer<>(p);
  }

  @DynamicPropertySource
  static void wiring(DynamicPropertyRegistry r) {
    r.add("lote.gateway.account-url", () -> StandIns.url(accounts));
    r.add("lote.gateway.pool-url", () -> "http://127.0.0.1:1");
    r.add("lote.gateway.job-url", () -> "http://127.0.0.1:1");
    r.add("lote.gateway.events.kafka", LoteTestInfra::kafkaBootstrapServers);
    r.add("lote.gateway.events.heartbeat", () -> "PT1S");
  }

  @AfterAll
  static void stop() {
    accounts.stop(0);
  }

  @LocalServerPort int port;

  BatchEvents client(String account, String key) {
    return new BatchEvents(URI.create("http://127.0.0.1:" + port), account, key);
  }

  /** Publishes one envelope, as its owner's relay would (keyed by the aggregate), and returns it. */
  static EventEnvelope publish(String topic, String type, String account, String key, Object payload) {
    EventEnvelope e = EventEnvelope.of(type, account, key, Instant.now(), "req-" + key, events.valueToTree(payload));
    try {
      producer.send(new ProducerRecord<>(topic, key, events.writeValueAsBytes(e))).get();
    } catch (InterruptedException | ExecutionException ex) {
      throw new IllegalStateException(ex);
    }
    return e;
  }

  static EventEnvelope queued(String account, String job, String task) {
    TaskRunSpec spec = new TaskRunSpec("/bin/true", Map.of("AZ_BATCH_AUTHENTICATION_TOKEN", "a-secret"), 1, null, List.of(), false);
    return publish(Topics.TASKS, EventTypes.TASK_QUEUED, account, job, new TaskQueued(job, task, "pool1", 0, 0, 1, spec));
  }

  static EventEnvelope started(String account, String job, String task) {
    return publish(
        Topics.TASK_REPORTS, EventTypes.TASK_STARTED, account, job,
        new TaskStarted(job, task, "pool1", "node1", "http://127.0.0.1:7000", 0, 1, Instant.now()));
  }

  static EventEnvelope completed(String account, String job, String task) {
    Instant now = Instant.now();
    return publish(
        Topics.TASK_REPORTS, EventTypes.TASK_COMPLETED, account, job,
        new TaskCompleted(job, task, "pool1", "node1", "http://127.0.0.1:7000", 0, 1, 0, now, now, EndReason.SUCCEEDED, null));
  }

  static String job() {
    return "job-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** The next {@code n} events, each within {@link #WAIT}. */
  static List<BatchEvents.Event> take(BatchEvents.Connection c, int n) throws Exception {
    List<BatchEvents.Event> got = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      BatchEvents.Event e = c.next(WAIT);
      assertThat(e).as("event %d of %d (got %s)", i + 1, n, got).isNotNull();
      got.add(e);
    }
    return got;
  }

  /** The event as the CloudEvents SDK reads it: the stream's data is a CloudEvents 1.0 structured JSON. */
  static CloudEvent cloudEvent(BatchEvents.Event e) {
    return EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE).deserialize(e.data().getBytes(StandardCharsets.UTF_8));
  }

  static List<String> ids(List<BatchEvents.Event> got) {
    return got.stream().map(e -> cloudEvent(e).getId()).toList();
  }

  static List<String> ids(EventEnvelope... envelopes) {
    return List.of(envelopes).stream().map(EventEnvelope::id).toList();
  }

  @Test
  void aClientThatReconnectsWithItsLastEventIdGetsExactlyTheEventsItMissedInOrder() throws Exception {
    String job = job();
    BatchEvents lote = client("lote", KEY);
    // Kafka keeps order within a partition: a job's task queue (lote.tasks) and its reports
    // (lote.task-reports) each come in the order they were published, not interleaved in any order
    List<String> tasks = new ArrayList<>();
    List<String> reports = new ArrayList<>();
    List<BatchEvents.Event> first;
    try (BatchEvents.Connection c = lote.open("jobId=" + job, null)) {
      EventEnvelope e1 = queued("lote", job, "t1");
      queued("lote", job(), "t1"); // another job
      queued("other", job, "t1"); // the same job id in another account
      EventEnvelope e2 = started("lote", job, "t1");
      EventEnvelope e3 = completed("lote", job, "t1");
      tasks.add(e1.id());
      reports.addAll(ids(e2, e3));
      first = take(c, 3);
      assertThat(ids(first)).containsExactlyInAnyOrderElementsOf(ids(e1, e2, e3));
      assertInPublishOrder(ids(first), tasks, reports);
      assertThat(c.next(QUIET)).as("another job's or another account's event").isNull();
    }

    // while the client is away
    EventEnvelope e4 = queued("lote", job, "t2");
    EventEnvelope e5 = started("lote", job, "t2");
    queued("other", job, "t2");
    EventEnvelope e6 = completed("lote", job, "t2");
    EventEnvelope e7 = publish(Topics.JOBS, EventTypes.JOB_TERMINATED, "lote", job, new JobTerminated(job, "UserTerminate"));
    tasks.add(e4.id());
    reports.addAll(ids(e5, e6));
    List<String> missed = new ArrayList<>(ids(e4, e5, e6, e7));

    try (BatchEvents.Connection c = lote.open("jobId=" + job, first.get(2).id())) {
      List<BatchEvents.Event> again = take(c, 4);
      assertThat(ids(again)).containsExactlyInAnyOrderElementsOf(missed);
      assertInPublishOrder(ids(again), tasks, reports);
      assertThat(c.next(QUIET)).as("an event delivered twice, or one of another account").isNull();

      EventEnvelope e8 = completed("lote", job, "t3");
      assertThat(ids(take(c, 1))).containsExactly(e8.id());
      reports.add(e8.id());
      missed.add(e8.id());
    }

    // the lastEventId parameter, from the middle of the first connection: right after its first event
    try (BatchEvents.Connection c = lote.open("jobId=" + job + "&lastEventId=" + first.get(0).id(), null)) {
      List<String> expected = new ArrayList<>(ids(first.subList(1, 3)));
      expected.addAll(missed);
      List<BatchEvents.Event> replay = take(c, expected.size());
      assertThat(ids(replay)).containsExactlyInAnyOrderElementsOf(expected);
      assertInPublishOrder(ids(replay), tasks, reports);
      assertThat(c.next(QUIET)).isNull();
    }
  }

  /** Within each partition's list of event ids (in publish order), the ids received come in that order. */
  @SafeVarargs
  static void assertInPublishOrder(List<String> received, List<String>... partitions) {
    for (List<String> published : partitions) {
      assertThat(received.stream().filter(published::contains).toList())
          .as("in the order published")
          .containsExactlyElementsOf(published.stream().filter(received::contains).toList());
    }
  }

  @Test
  void eachEventIsACloudEventWithoutLotesInternals() throws Exception {
    String job = job();
    try (BatchEvents.Connection c = client("lote", KEY).open("jobId=" + job, null)) {
      EventEnvelope queued = queued("lote", job, "t1");
      BatchEvents.Event e = take(c, 1).get(0);
      assertThat(e.type()).isEqualTo("task.queued");
      CloudEvent ce = cloudEvent(e);
      assertThat(ce.getSpecVersion().toString()).isEqualTo("1.0");
      assertThat(ce.getId()).isEqualTo(queued.id());
      assertThat(ce.getType()).isEqualTo("task.queued");
      assertThat(ce.getSource()).isEqualTo(URI.create("/jobs/" + job));
      assertThat(ce.getSubject()).isEqualTo("tasks/t1");
      assertThat(ce.getTime().toInstant()).isEqualTo(queued.time());
      assertThat(ce.getDataContentType()).isEqualTo("application/json");
      assertThat(ce.getExtension("correlationid")).isEqualTo("req-" + job);
      JsonNode data = json.readTree(ce.getData().toBytes());
      assertThat(data.get("jobId").asString()).isEqualTo(job);
      assertThat(data.get("taskId").asString()).isEqualTo("t1");
      assertThat(data.has("spec")).as("the run spec, whose environment may hold a token").isFalse();
      assertThat(e.data()).doesNotContain("a-secret");
    }
  }

  @Test
  void anotherAccountSeesOnlyItsOwnEvents() throws Exception {
    String job = job();
    try (BatchEvents.Connection mine = client("lote", KEY).open("jobId=" + job, null);
        BatchEvents.Connection theirs = client("other", OTHER_KEY).open("jobId=" + job, null)) {
      EventEnvelope lote = queued("lote", job, "t1");
      EventEnvelope other = queued("other", job, "t1");
      assertThat(ids(take(theirs, 1))).containsExactly(other.id());
      assertThat(ids(take(mine, 1))).containsExactly(lote.id());
      assertThat(theirs.next(QUIET)).isNull();
      assertThat(mine.next(Duration.ofMillis(100))).isNull();
    }
  }

  @Test
  void aPoolFilterWithTypesCarriesOnlyThatPoolsEventsOfThoseTypes() throws Exception {
    String pool = "pool-" + UUID.randomUUID().toString().substring(0, 8);
    try (BatchEvents.Connection c = client("lote", KEY).open("poolId=" + pool + "&types=node.*", null)) {
      publish(Topics.POOLS, EventTypes.POOL_RESIZED, "lote", pool, new PoolResized(pool, 3, 0)); // not a node event
      publish(Topics.NODES, EventTypes.NODE_STATE_CHANGED, "lote", "n0", new NodeStateChanged("elsewhere", "n0", "idle", 1, true, "http://a"));
      EventEnvelope node = publish(Topics.NODES, EventTypes.NODE_STATE_CHANGED, "lote", "n1", new NodeStateChanged(pool, "n1", "idle", 1, true, "http://a"));
      BatchEvents.Event e = take(c, 1).get(0);
      CloudEvent ce = cloudEvent(e);
      assertThat(ce.getId()).isEqualTo(node.id());
      assertThat(ce.getSource()).isEqualTo(URI.create("/pools/" + pool));
      assertThat(ce.getSubject()).isEqualTo("nodes/n1");
      assertThat(new String(ce.getData().toBytes(), StandardCharsets.UTF_8)).contains("\"state\":\"idle\"").doesNotContain("agentUrl");
      assertThat(c.next(QUIET)).isNull();
    }
  }

  @Test
  void fromEarliestReplaysWhatTheLogHolds() throws Exception {
    String job = job();
    EventEnvelope before = queued("lote", job, "t1");
    try (BatchEvents.Connection c = client("lote", KEY).open("jobId=" + job + "&from=earliest", null)) {
      assertThat(ids(take(c, 1))).containsExactly(before.id());
    }
    try (BatchEvents.Connection c = client("lote", KEY).open("jobId=" + job, null)) {
      assertThat(c.next(QUIET)).as("from now: what came before is not sent").isNull();
    }
  }

  @Test
  void aStreamThatOnlySkipsMovesItsIdOnWithItsHeartbeats() throws Exception {
    try (BatchEvents.Connection c = client("lote", KEY).open("jobId=" + job(), null)) {
      assertThat(c.next(Duration.ofMillis(500))).isNull();
      String start = c.lastEventId();
      assertThat(start).as("the first message gives the id to resume from").isNotBlank();
      queued("lote", job(), "t1");
      assertThat(c.next(QUIET)).isNull();
      assertThat(c.lastEventId()).isNotEqualTo(start);
    }
  }

  @Test
  void aWrongKeyIsAuthenticationFailedInTheBatchFormat() throws Exception {
    BatchEvents.RefusedException refused =
        catchThrowableOfType(BatchEvents.RefusedException.class, () -> client("lote", GatewayTest.WRONG_KEY).open("jobId=j1", null));
    assertThat(refused.status()).isEqualTo(403);
    JsonNode body = json.readTree(refused.body());
    assertThat(body.get("code").asString()).isEqualTo("AuthenticationFailed");
    assertThat(body.get("odata.metadata").asString()).endsWith("/$metadata#Microsoft.Azure.Batch.Protocol.Entities.Container.errors/@Element");
    assertThat(body.get("message").get("value").asString()).contains("RequestId:");
  }

  @Test
  void aQueryOrAnIdTheStreamDoesNotKnowIsABatchError() throws Exception {
    BatchEvents lote = client("lote", KEY);
    assertThat(refusal(lote, "types=task.exploded", null)).isEqualTo("400 InvalidQueryParameterValue");
    assertThat(refusal(lote, "color=blue", null)).isEqualTo("400 InvalidQueryParameterValue");
    assertThat(refusal(lote, "jobId=a%20b", null)).isEqualTo("400 InvalidQueryParameterValue");
    assertThat(refusal(lote, null, "not-an-id")).isEqualTo("400 InvalidHeaderValue");
    assertThat(refusal(lote, "lastEventId=t0-99999999999", null)).isEqualTo("400 InvalidQueryParameterValue");
    assertThat(refusal(lote, null, "t0-99999999999")).as("ahead of the log, in the header").isEqualTo("400 InvalidHeaderValue");
    assertThat(new SignedRequests(port).send("lote", KEY, "POST", "/events", "{}", Map.of()).statusCode()).isEqualTo(405);
  }

  private String refusal(BatchEvents client, String query, String lastEventId) throws Exception {
    BatchEvents.RefusedException refused = catchThrowableOfType(BatchEvents.RefusedException.class, () -> client.open(query, lastEventId));
    assertThat(refused).as("refused: %s %s", query, lastEventId).isNotNull();
    return refused.status() + " " + json.readTree(refused.body()).get("code").asString();
  }
}
