package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.joda.time.Period;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.auth.BatchSharedKeyCredentials;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.CloudPool;
import com.microsoft.azure.batch.protocol.models.ComputeNodeUser;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.JobSpecification;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.Schedule;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskState;

import dev.lote.common.api.BatchApi;
import dev.lote.common.auth.SharedKey;
import dev.lote.common.client.BatchEvents;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Accounts through Lote's operator API and the CLI, and what an account may do and see through
 * the official Java SDK and raw signed HTTP: account A is the development account {@code lote};
 * other accounts are made for the test. An account is held to its quotas (pools, cores, active
 * jobs and schedules); a regenerated key stops signing at once; and an account never sees or
 * changes another's entities through any operation the Batch API has, swept from its description.
 */
class AccountsSystemTest {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final String API = "api-version=2024-07-01.20.0";
  static final String RUN = UUID.randomUUID().toString().substring(0, 6);
  static final String POOL = "acct-iso-pool-" + RUN;
  static final String JOB = "acct-iso-job-" + RUN;
  static final String TASK = "acct-iso-task-" + RUN;
  static final String SCHEDULE = "acct-iso-schedule-" + RUN;
  static final String USER = "acctisouser";

  static LoteStack stack;
  static BatchClient a;
  static String node;
  /** A's certificate, whose thumbprint B uses in the sweep. */
  static CertificatesSystemTest.Made certificate;
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void stackAndAccountA() throws Exception {
    stack = LoteStack.get();
    a = stack.client();
    SdkPools.createAndWaitIdle(a, POOL, 1, 1);
    node = a.computeNodeOperations().listComputeNodes(POOL).get(0).id();
    a.computeNodeOperations().addComputeNodeUser(POOL, node, new ComputeNodeUser().withName(USER).withPassword("Pa55word!"));
    certificate = CertificatesSystemTest.make("acct-iso-" + RUN, "unused");
    a.certificateOperations().createCertificate(new java.io.ByteArrayInputStream(certificate.cer()));
    a.jobOperations().createJob(new JobAddParameter().withId(JOB).withPoolInfo(new PoolInformation().withPoolId(POOL)));
    a.taskOperations().createTask(JOB, new TaskAddParameter().withId(TASK).withCommandLine("/bin/sh -c 'echo from-a'"));
    await("A's task completed").atMost(Duration.ofMinutes(2)).until(() -> a.taskOperations().getTask(JOB, TASK).state() == TaskState.COMPLETED);
    a.jobScheduleOperations()
        .createJobSchedule(SCHEDULE, new Schedule().withRecurrenceInterval(Period.days(1)), new JobSpecification().withPoolInfo(new PoolInformation().withPoolId(POOL)));
    await("A's schedule made its first job")
        .atMost(Duration.ofMinutes(1))
        .until(() -> a.jobScheduleOperations().getJobSchedule(SCHEDULE).executionInfo().recentJob() != null);
  }

  // ---- the operator API -------------------------------------------------------------------

  record Answer(int status, String body, Map<String, List<String>> headers) {
    JsonNode json() {
      return JSON.readTree(body);
    }

    String code() {
      return body == null || body.isBlank() ? "" : json().path("code").asString();
    }
  }

  static String secret() throws IOException {
    return Files.readString(stack.state.resolve("internal-secret")).trim();
  }

  static Answer operator(String method, String path, String body, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stack.endpoint() + path)).timeout(Duration.ofSeconds(30));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body(), r.headers().map());
  }

  static Answer operator(String method, String path, String body) throws Exception {
    return operator(method, path, body, "Bearer " + secret());
  }

  record Account(String name, String primary, String secondary) {
    BatchClient client(String key) {
      return BatchClient.open(new BatchSharedKeyCredentials(stack.endpoint(), name, key));
    }
  }

  static Account createAccount(String prefix) throws Exception {
    String name = prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    Answer created = operator("POST", "/lote/accounts", "{\"name\":\"" + name + "\"}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    return new Account(name, created.json().get("primaryKey").asString(), created.json().get("secondaryKey").asString());
  }

  @Test
  void theOperatorApiAnswersTheOperatorCredentialOnly() throws Exception {
    Answer none = operator("GET", "/lote/accounts", null, null);
    assertThat(none.status()).isEqualTo(403);
    assertThat(none.code()).isEqualTo("AuthenticationFailed");
    Answer wrong = operator("GET", "/lote/accounts", null, "Bearer not-the-secret");
    assertThat(wrong.status()).isEqualTo(403);
    assertThat(wrong.code()).isEqualTo("AuthenticationFailed");
    Answer account = operator("GET", "/lote/accounts", null, "SharedKey lote:" + LoteStack.KEY);
    assertThat(account.status()).isEqualTo(403);

    Answer list = operator("GET", "/lote/accounts", null);
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.body()).contains("\"name\":\"lote\"").doesNotContain(LoteStack.KEY);
    Answer bad = operator("POST", "/lote/accounts", "{\"name\":\"Not_Valid\"}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.code()).isEqualTo("InvalidPropertyValue");
    Answer taken = operator("POST", "/lote/accounts", "{\"name\":\"lote\"}");
    assertThat(taken.status()).isEqualTo(409);
    assertThat(taken.code()).isEqualTo("AccountExists");
  }

  // ---- keys ---------------------------------------------------------------------------------

  @Test
  void aRegeneratedKeyStopsSigningAtOnceAndTheNewOneSigns() throws Exception {
    Account b = createAccount("rot");
    BatchClient old = b.client(b.primary());
    assertThat(old.poolOperations().listPools()).isEmpty();
    BatchClient secondary = b.client(b.secondary());

    LoteStack.Result rotated = stack.lote(180, "cli", "account", "rotate", b.name(), "--key", "primary", "--output", "json");
    assertThat(rotated.code()).as(rotated.output()).isZero();
    JsonNode keys = JSON.readTree(rotated.output().substring(rotated.output().indexOf('{')));
    String newPrimary = keys.get("primary").asString();
    assertThat(newPrimary).isNotEqualTo(b.primary());
    assertThat(keys.get("secondary").asString()).isEqualTo(b.secondary());

    BatchErrorException refused = catchThrowableOfType(BatchErrorException.class, () -> old.poolOperations().listPools());
    assertThat(refused.response().code()).isEqualTo(403);
    assertThat(refused.body().code()).isEqualTo("AuthenticationFailed");
    assertThat(b.client(newPrimary).poolOperations().listPools()).isEmpty();
    assertThat(secondary.poolOperations().listPools()).isEmpty();

    LoteStack.Result shown = stack.lote(180, "cli", "account", "keys", b.name(), "--output", "json");
    assertThat(JSON.readTree(shown.output().substring(shown.output().indexOf('{'))).get("primary").asString()).isEqualTo(newPrimary);
  }

  // ---- quotas -------------------------------------------------------------------------------

  @Test
  void anAccountIsHeldToItsQuotasAndAChangedQuotaHoldsLaterCalls() throws Exception {
    String name = "quota" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    LoteStack.Result made =
        stack.lote(180, "cli", "account", "create", name, "--pools", "1", "--dedicated-cores", "3", "--active-jobs", "1", "--output", "json");
    assertThat(made.code()).as(made.output()).isZero();
    JsonNode created = JSON.readTree(made.output().substring(made.output().indexOf('{')));
    assertThat(created.get("quotas").get("pools").asInt()).isEqualTo(1);
    LoteStack.Result listed = stack.lote(180, "cli", "account", "list");
    assertThat(listed.output()).contains(name).doesNotContain(created.get("primaryKey").asString());
    BatchClient b = new Account(name, created.get("primaryKey").asString(), null).client(created.get("primaryKey").asString());

    // the pool-service learns the quotas from the account's event: until then a pool is let in
    AtomicInteger n = new AtomicInteger();
    List<String> pools = new ArrayList<>();
    await("409 PoolQuotaReached")
        .atMost(Duration.ofMinutes(1))
        .until(
            () -> {
              String id = "quota-pool-" + n.incrementAndGet();
              try {
                b.poolOperations().createPool(SdkPools.pool(id, 0, 1));
                pools.add(id);
                return false;
              } catch (BatchErrorException e) {
                assertThat(e.response().code()).isEqualTo(409);
                assertThat(e.body().code()).isEqualTo("PoolQuotaReached");
                return true;
              }
            });
    assertThat(pools).hasSizeGreaterThanOrEqualTo(1);

    // 3 dedicated cores: one node of 2 cores fits, not three
    b.poolOperations().resizePool(pools.get(0), 3, 0);
    await("the pool holds one node, with AccountCoreQuotaReached")
        .atMost(Duration.ofMinutes(2))
        .untilAsserted(
            () -> {
              CloudPool p = b.poolOperations().getPool(pools.get(0));
              assertThat(p.resizeErrors()).extracting(e -> e.code()).containsExactly("AccountCoreQuotaReached");
              assertThat(p.targetDedicatedNodes()).isEqualTo(1);
              assertThat(p.currentDedicatedNodes()).isEqualTo(1);
              assertThat(p.allocationState().toString()).isEqualTo("steady");
            });

    List<String> jobs = new ArrayList<>();
    await("409 ActiveJobAndScheduleQuotaReached")
        .atMost(Duration.ofMinutes(1))
        .until(
            () -> {
              String id = "quota-job-" + n.incrementAndGet();
              try {
                b.jobOperations().createJob(new JobAddParameter().withId(id).withPoolInfo(new PoolInformation().withPoolId(pools.get(0))));
                jobs.add(id);
                return false;
              } catch (BatchErrorException e) {
                assertThat(e.response().code()).isEqualTo(409);
                assertThat(e.body().code()).isEqualTo("ActiveJobAndScheduleQuotaReached");
                return true;
              }
            });
    assertThatThrownBy(
            () ->
                b.jobScheduleOperations()
                    .createJobSchedule(
                        "quota-schedule", new Schedule().withRecurrenceInterval(Period.days(1)), new JobSpecification().withPoolInfo(new PoolInformation().withPoolId(pools.get(0)))))
        .isInstanceOfSatisfying(BatchErrorException.class, e -> assertThat(e.body().code()).isEqualTo("ActiveJobAndScheduleQuotaReached"));

    // a completed job no longer counts
    b.jobOperations().terminateJob(jobs.get(0), "done");
    await().atMost(Duration.ofMinutes(1)).until(() -> b.jobOperations().getJob(jobs.get(0)).state().toString().equals("completed"));
    if (jobs.size() == 1) {
      b.jobOperations().createJob(new JobAddParameter().withId("quota-job-after").withPoolInfo(new PoolInformation().withPoolId(pools.get(0))));
    }

    // a higher quota lets later calls in; what exists is left as it is
    LoteStack.Result raised = stack.lote(180, "cli", "account", "quota", name, "--pools", "5", "--output", "json");
    assertThat(raised.code()).as(raised.output()).isZero();
    assertThat(JSON.readTree(raised.output().substring(raised.output().indexOf('{'))).get("pools").asInt()).isEqualTo(5);
    await("a second pool once the pool quota is 5")
        .atMost(Duration.ofMinutes(1))
        .ignoreException(BatchErrorException.class)
        .until(
            () -> {
              b.poolOperations().createPool(SdkPools.pool("quota-pool-raised", 0, 1));
              return true;
            });
    assertThat(b.poolOperations().getPool(pools.get(0)).targetDedicatedNodes()).isEqualTo(1);
  }

  // ---- isolation ----------------------------------------------------------------------------

  /** An id for each path parameter of the Batch API: account A's entities where A has one. */
  static Map<String, String> pathValues() {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("poolId", POOL);
    v.put("jobId", JOB);
    v.put("taskId", TASK);
    v.put("jobScheduleId", SCHEDULE);
    v.put("nodeId", node);
    v.put("userName", USER);
    v.put("filePath", "stdout.txt");
    v.put("extensionName", "ext");
    v.put("applicationId", "app");
    v.put("thumbprintAlgorithm", "sha1");
    v.put("thumbprint", certificate.thumbprint());
    return v;
  }

  /** A valid body for each request body definition of the Batch API, naming A's ids. */
  static Map<String, String> bodies() {
    String vm = "\"virtualMachineConfiguration\":{\"imageReference\":{\"publisher\":\"canonical\",\"offer\":\"0001-com-ubuntu-server-jammy\","
        + "\"sku\":\"22_04-lts\",\"version\":\"latest\"},\"nodeAgentSKUId\":\"batch.node.ubuntu 22.04\"}";
    String poolInfo = "\"poolInfo\":{\"poolId\":\"" + POOL + "\"}";
    Map<String, String> b = new LinkedHashMap<>();
    b.put("PoolAddParameter", "{\"id\":\"" + POOL + "\",\"vmSize\":\"standard_d2s_v3\",\"targetDedicatedNodes\":0," + vm + "}");
    b.put("JobAddParameter", "{\"id\":\"" + JOB + "\"," + poolInfo + "}");
    b.put("JobScheduleAddParameter", "{\"id\":\"" + SCHEDULE + "\",\"schedule\":{\"recurrenceInterval\":\"P1D\"},\"jobSpecification\":{" + poolInfo + "}}");
    b.put(
        "CertificateAddParameter",
        "{\"thumbprint\":\"" + certificate.thumbprint() + "\",\"thumbprintAlgorithm\":\"sha1\",\"certificateFormat\":\"cer\",\"data\":\""
            + java.util.Base64.getEncoder().encodeToString(certificate.cer()) + "\"}");
    b.put("JobPatchParameter", "{\"priority\":5}");
    b.put("JobUpdateParameter", "{" + poolInfo + "}");
    b.put("TaskAddCollectionParameter", "{\"value\":[{\"id\":\"from-b\",\"commandLine\":\"/bin/true\"}]}");
    b.put("JobDisableParameter", "{\"disableTasks\":\"requeue\"}");
    b.put("TaskAddParameter", "{\"id\":\"from-b\",\"commandLine\":\"/bin/true\"}");
    b.put("TaskUpdateParameter", "{\"constraints\":{\"maxTaskRetryCount\":1}}");
    b.put("JobTerminateParameter", "{\"terminateReason\":\"from-b\"}");
    b.put("JobSchedulePatchParameter", "{\"metadata\":[{\"name\":\"from\",\"value\":\"b\"}]}");
    b.put("JobScheduleUpdateParameter", "{\"schedule\":{\"recurrenceInterval\":\"P2D\"},\"jobSpecification\":{" + poolInfo + "}}");
    b.put("JobScheduleTerminateParameter", "{}");
    b.put("PoolPatchParameter", "{\"metadata\":[{\"name\":\"from\",\"value\":\"b\"}]}");
    b.put("PoolEnableAutoScaleParameter", "{\"autoScaleFormula\":\"$TargetDedicatedNodes=0;\"}");
    b.put("PoolEvaluateAutoScaleParameter", "{\"autoScaleFormula\":\"$TargetDedicatedNodes=0;\"}");
    b.put("NodeDeallocateParameter", "{}");
    b.put("NodeDisableSchedulingParameter", "{}");
    b.put("NodeRebootParameter", "{}");
    b.put("NodeReimageParameter", "{}");
    b.put("UploadBatchServiceLogsConfiguration", "{\"containerUrl\":\"http://127.0.0.1:9/logs?sig=x\",\"startTime\":\"2026-01-01T00:00:00Z\"}");
    b.put("ComputeNodeUser", "{\"name\":\"frombuser\",\"password\":\"Pa55word!\"}");
    b.put("NodeUpdateUserParameter", "{\"password\":\"Pa55word!2\"}");
    b.put("NodeRemoveParameter", "{\"nodeList\":[\"" + node + "\"]}");
    b.put("PoolResizeParameter", "{\"targetDedicatedNodes\":3}");
    b.put("PoolUpdatePropertiesParameter", "{\"certificateReferences\":[],\"applicationPackageReferences\":[],\"metadata\":[]}");
    return b;
  }

  record Call(BatchApi.Operation op, String pathAndQuery, String body) {}

  record Outcome(Call call, int status, String code, String body) {
    @Override
    public String toString() {
      return String.format("%-45s %-6s %-95s %d %s", call.op().id(), call.op().method(), call.pathAndQuery(), status, code);
    }
  }

  static Call call(BatchApi.Operation op) {
    String path = op.path();
    for (var e : pathValues().entrySet()) {
      path = path.replace("{" + e.getKey() + "}", java.net.URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8).replace("+", "%20"));
    }
    assertThat(path).as("a value for every path parameter of %s (add it to pathValues)", op.id()).doesNotContain("{");
    String body = null;
    if (op.body() != null) {
      body = bodies().get(op.body());
      assertThat(body).as("a body for %s of %s (add it to bodies)", op.body(), op.id()).isNotNull();
    }
    return new Call(op, path + "?" + API, body);
  }

  static Answer signed(String account, String key, String method, String pathAndQuery, String body) throws Exception {
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("ocp-date", DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
    if (body != null) {
      headers.put("Content-Type", "application/json; odata=minimalmetadata; charset=utf-8");
    }
    Map<String, String> signed = new LinkedHashMap<>(headers);
    if (bytes.length > 0) {
      signed.put("Content-Length", String.valueOf(bytes.length));
    }
    int q = pathAndQuery.indexOf('?');
    SharedKey.Request r =
        new SharedKey.Request(
            method,
            q < 0 ? pathAndQuery : pathAndQuery.substring(0, q),
            q < 0 ? null : pathAndQuery.substring(q + 1),
            name -> signed.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst().orElse(null),
            new ArrayList<>(signed.keySet()));
    headers.put("Authorization", "SharedKey " + account + ":" + SharedKey.sign(key, SharedKey.stringToSign(r, account, null)));
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(stack.endpoint() + pathAndQuery))
            .timeout(Duration.ofSeconds(60))
            .method(method, bytes.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes));
    headers.forEach(b::header);
    HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(res.statusCode(), res.body(), res.headers().map());
  }

  /** What A sees of its own entities: each one's ETag (which any change moves), and its node's state. */
  static Map<String, String> aSnapshot() throws Exception {
    Map<String, String> s = new LinkedHashMap<>();
    String cert = "/certificates(thumbprintAlgorithm=sha1,thumbprint=" + certificate.thumbprint() + ")";
    for (String path : List.of("/pools/" + POOL, "/jobs/" + JOB, "/jobs/" + JOB + "/tasks/" + TASK, "/jobschedules/" + SCHEDULE, cert)) {
      Answer got = signed(LoteStack.ACCOUNT, LoteStack.KEY, "GET", path + "?" + API, null);
      assertThat(got.status()).as(path).isEqualTo(200);
      s.put(path, got.headers().getOrDefault("etag", List.of("")).get(0) + " " + got.json().path("state").asString());
    }
    Answer n = signed(LoteStack.ACCOUNT, LoteStack.KEY, "GET", "/pools/" + POOL + "/nodes/" + node + "?" + API, null);
    s.put("node", n.json().path("state").asString() + " " + n.json().path("schedulingState").asString());
    Answer tasks = signed(LoteStack.ACCOUNT, LoteStack.KEY, "GET", "/jobs/" + JOB + "/tasks?" + API, null);
    s.put("tasks", tasks.json().path("value").size() + "");
    return s;
  }

  @Test
  void anAccountNeverSeesNorChangesAnotherAccountsEntitiesThroughAnyOperation() throws Exception {
    Account b = createAccount("iso");
    Map<String, String> before = aSnapshot();
    List<String> aIds = List.of(POOL, JOB, TASK, SCHEDULE, node, certificate.thumbprint());

    // the main ones through the SDK
    BatchClient sdk = b.client(b.primary());
    for (ThrowingCall c :
        List.<ThrowingCall>of(
            () -> sdk.poolOperations().getPool(POOL),
            () -> sdk.jobOperations().getJob(JOB),
            () -> sdk.taskOperations().getTask(JOB, TASK),
            () -> sdk.jobScheduleOperations().getJobSchedule(SCHEDULE),
            () -> sdk.computeNodeOperations().getComputeNode(POOL, node),
            () -> sdk.poolOperations().deletePool(POOL),
            () -> sdk.jobOperations().terminateJob(JOB, "from-b"))) {
      BatchErrorException e = catchThrowableOfType(BatchErrorException.class, c::run);
      assertThat(e).isNotNull();
      assertThat(e.response().code()).isEqualTo(404);
      assertThat(e.body().code()).endsWith("NotFound");
    }
    assertThat(sdk.poolOperations().listPools()).extracting(CloudPool::id).doesNotContain(POOL);
    assertThat(sdk.jobOperations().listJobs()).extracting(j -> j.id()).doesNotContain(JOB);
    assertThat(sdk.poolOperations().existsPool(POOL)).isFalse();

    // then every operation of the Batch API, with A's ids, signed as B; the adds last, since they
    // make B's own entities of the same ids
    List<Call> entityCalls = new ArrayList<>();
    List<Call> lists = new ArrayList<>();
    List<Call> adds = new ArrayList<>();
    for (BatchApi.Operation op : BatchApi.get().operations()) {
      Call c = call(op);
      if (op.path().contains("{")) {
        entityCalls.add(c);
      } else if (op.method().equals("GET")) {
        lists.add(c);
      } else {
        adds.add(c);
      }
    }
    List<Outcome> outcomes = new ArrayList<>();
    for (Call c : entityCalls) {
      Answer r = signed(b.name(), b.primary(), c.op().method(), c.pathAndQuery(), c.body());
      Outcome o = new Outcome(c, r.status(), r.code(), r.body());
      outcomes.add(o);
      assertThat(r.status()).as("%s", o).isIn(404, 501);
      if (r.status() == 404 && !c.op().method().equals("HEAD")) {
        assertThat(r.code()).as("%s", o).endsWith("NotFound");
      }
    }
    for (Call c : lists) {
      Answer r = signed(b.name(), b.primary(), "GET", c.pathAndQuery(), null);
      Outcome o = new Outcome(c, r.status(), r.code(), r.body());
      outcomes.add(o);
      assertThat(r.status()).as("%s", o).isIn(200, 501);
      for (String id : aIds) {
        assertThat(r.body()).as("%s", o).doesNotContain(id);
      }
    }
    for (Call c : adds) {
      Answer r = signed(b.name(), b.primary(), c.op().method(), c.pathAndQuery(), c.body());
      Outcome o = new Outcome(c, r.status(), r.code(), r.body());
      outcomes.add(o);
      assertThat(r.status()).as("%s: B makes its own entity of the same id", o).isIn(201, 501);
    }
    System.out.println("Isolation sweep, " + outcomes.size() + " operations of " + BatchApi.get().specVersion() + " signed as " + b.name() + " with A's ids:");
    outcomes.forEach(System.out::println);
    assertThat(outcomes).hasSize(BatchApi.get().operations().size());

    // A's entities are as they were; B's pool of the same id is B's
    assertThat(aSnapshot()).isEqualTo(before);
    assertThat(sdk.poolOperations().getPool(POOL).targetDedicatedNodes()).isZero();
    assertThat(a.poolOperations().getPool(POOL).targetDedicatedNodes()).isEqualTo(1);
    assertThat(a.computeNodeOperations().listComputeNodes(POOL)).hasSize(1);

    // B's event stream, from the log's start, shows B's own pool.created and none of A's events
    BatchEvents events = new BatchEvents(URI.create(stack.endpoint()), b.name(), b.primary());
    List<String> seen = new ArrayList<>();
    try (BatchEvents.Connection c = events.open("from=earliest", null)) {
      Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
      while (seen.stream().noneMatch(e -> e.contains("pool.created") && e.contains(POOL))) {
        assertThat(Instant.now()).as("B's pool.created on B's stream; seen %s", seen).isBefore(deadline);
        BatchEvents.Event e = c.next(Duration.ofSeconds(5));
        if (e != null) {
          seen.add(e.type() + " " + e.data());
        }
      }
    }
    assertThat(seen).noneMatch(e -> e.contains(node) || e.contains(TASK) || e.contains(USER));
    assertThat(seen.stream().filter(e -> e.startsWith("pool.created ")).count()).isEqualTo(1);
    assertThat(seen.stream().filter(e -> e.startsWith("pool.created ") && e.contains("\"targetDedicatedNodes\":1")).count()).isZero();
    System.out.println("B's event stream: " + seen.size() + " events, none of A's");
  }

  @FunctionalInterface
  interface ThrowingCall {
    void run() throws Exception;
  }
}
