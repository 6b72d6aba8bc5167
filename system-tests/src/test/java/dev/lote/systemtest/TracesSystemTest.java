package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddOptions;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskState;

/**
 * Traces through a whole stack: a task added through the official Java SDK with a client request
 * id of its own is traced from the gateway through the job-service, the broker and the scheduler
 * to the node agent and the task's own process, under the trace id that client request id stands
 * for, and every span arrives at a real OTLP/HTTP endpoint.
 */
class TracesSystemTest {

  static final String POOL = "traces-pool";
  static final String JOB = "traces-job";

  static OtlpReceiver otlp;
  static LoteStack stack;
  static BatchClient client;

  @BeforeAll
  static void stackWithAnOtlpEndpoint() throws Exception {
    otlp = new OtlpReceiver();
    stack = LoteStack.start(LoteStack.Settings.beside("traces", 600, Map.of("LOTE_OTLP_ENDPOINT", otlp.endpoint())));
    client = stack.client();
    SdkPools.createAndWaitIdle(client, POOL, 1, 1);
    client.jobOperations().createJob(new JobAddParameter().withId(JOB).withPoolInfo(new PoolInformation().withPoolId(POOL)));
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.stop();
    }
    if (otlp != null) {
      otlp.close();
    }
  }

  @Test
  void aTaskAddedWithAClientRequestIdIsOneTraceFromTheGatewayToTheTasksProcess() throws Exception {
    UUID clientRequestId = UUID.randomUUID();
    String traceId = clientRequestId.toString().replace("-", "");
    client.protocolLayer()
        .tasks()
        .add(
            JOB,
            new TaskAddParameter().withId("traced").withCommandLine("/bin/sh -c 'echo \"traceparent=$TRACEPARENT\"'"),
            new TaskAddOptions().withClientRequestId(clientRequestId).withReturnClientRequestId(true));
    await("the traced task completed")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.taskOperations().getTask(JOB, "traced").state() == TaskState.COMPLETED);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask(JOB, "traced", "stdout.txt", out);
    String stdout = out.toString(StandardCharsets.UTF_8);
    assertThat(stdout).matches("traceparent=00-" + traceId + "-[0-9a-f]{16}-01\n");
    String processParent = stdout.substring("traceparent=".length() + 36, "traceparent=".length() + 52);

    await("the spans of every part")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(services(traceId))
                    .contains("lote-gateway", "lote-job-service", "lote-scheduler-service", "lote-node-agent"));
    List<OtlpReceiver.Received> spans = otlp.spans().stream().filter(s -> s.traceId().equals(traceId)).toList();
    Map<String, OtlpReceiver.Received> byId = spans.stream().collect(Collectors.toMap(OtlpReceiver.Received::spanId, s -> s, (a, b) -> a));

    OtlpReceiver.Received gateway = only(spans, "lote-gateway");
    assertThat(gateway.name()).isEqualTo("Task_Add");
    assertThat(gateway.parentSpanId()).isEmpty();
    assertThat(gateway.attributes())
        .containsEntry("lote.client_request_id", clientRequestId.toString())
        .containsEntry("lote.account", LoteStack.ACCOUNT)
        .containsEntry("lote.operation", "Task_Add")
        .containsKey("lote.request_id");

    OtlpReceiver.Received jobService = only(spans, "lote-job-service");
    assertThat(jobService.kind()).isEqualTo("SPAN_KIND_SERVER");
    assertThat(jobService.parentSpanId()).isEqualTo(gateway.spanId());
    assertThat(jobService.attributes()).containsEntry("lote.request_id", gateway.attributes().get("lote.request_id"));

    // the task's process continues the agent's run span, whose ancestors lead back to the gateway's span
    OtlpReceiver.Received run = byId.get(processParent);
    assertThat(run).isNotNull();
    assertThat(run.service()).isEqualTo("lote-node-agent");
    assertThat(run.name()).isEqualTo("run task");
    assertThat(run.attributes()).containsEntry("lote.job_id", JOB).containsEntry("lote.task_id", "traced").containsEntry("process.exit.code", "0");
    OtlpReceiver.Received placed = byId.get(run.parentSpanId());
    assertThat(placed.service()).isEqualTo("lote-scheduler-service");
    assertThat(placed.name()).isEqualTo("place task");
    OtlpReceiver.Received consumed = byId.get(placed.parentSpanId());
    assertThat(consumed.service()).isEqualTo("lote-scheduler-service");
    assertThat(consumed.kind()).isEqualTo("SPAN_KIND_CONSUMER");
    assertThat(consumed.attributes()).containsEntry("lote.event_type", "task.queued");
    assertThat(ancestors(consumed, byId)).contains(jobService.spanId(), gateway.spanId());
  }

  private static Set<String> services(String traceId) {
    return otlp.spans().stream().filter(s -> s.traceId().equals(traceId)).map(OtlpReceiver.Received::service).collect(Collectors.toSet());
  }

  private static OtlpReceiver.Received only(List<OtlpReceiver.Received> spans, String service) {
    List<OtlpReceiver.Received> of = spans.stream().filter(s -> s.service().equals(service) && !s.kind().equals("SPAN_KIND_CONSUMER")).toList();
    assertThat(of).as("the spans of " + service + " other than consumers").hasSize(1);
    return of.get(0);
  }

  private static List<String> ancestors(OtlpReceiver.Received span, Map<String, OtlpReceiver.Received> byId) {
    List<String> out = new java.util.ArrayList<>();
    for (String parent = span.parentSpanId(); !parent.isEmpty(); ) {
      out.add(parent);
      OtlpReceiver.Received p = byId.get(parent);
      if (p == null) {
        break;
      }
      parent = p.parentSpanId();
    }
    return out;
  }
}
