package dev.lote.job.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.lote.job.support.AgentReports;
import dev.lote.support.test.BatchHttp;
import dev.lote.job.support.JobServiceTestBase;

/** Task files come from the agent of the node that ran the task, through a real HTTP server standing in for it. */
class TaskFilesTest extends JobServiceTestBase {

  private HttpServer fakeAgent;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> prefixes = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startFakeAgent() throws IOException {
    fakeAgent = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    fakeAgent.createContext("/internal/tasks/", this::serve);
    fakeAgent.start();
  }

  @AfterEach
  void stopFakeAgent() {
    fakeAgent.stop(0);
  }

  private void serve(HttpExchange exchange) throws IOException {
    String uri = exchange.getRequestURI().getRawPath() + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
    requests.add(exchange.getRequestMethod() + " " + uri);
    String prefix = exchange.getRequestHeaders().getFirst("X-Lote-File-Url-Prefix");
    prefixes.add(prefix);
    byte[] body;
    if (exchange.getRequestURI().getRawPath().endsWith("/files")) {
      body = ("{\"value\":[{\"name\":\"wd/out.txt\",\"url\":\"" + prefix + "/wd/out.txt\",\"isDirectory\":false}]}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json;odata=minimalmetadata");
    } else if (exchange.getRequestURI().getRawPath().endsWith("/wd/out.txt")) {
      body = "hello from the node\n".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
      exchange.getResponseHeaders().add("ocp-creation-time", "Wed, 25 Nov 2026 01:00:00 GMT");
      exchange.getResponseHeaders().add("ocp-batch-file-isdirectory", "false");
      exchange.getResponseHeaders().add("ocp-batch-file-mode", "0o100644");
      exchange.getResponseHeaders().add("Last-Modified", "Wed, 25 Nov 2026 01:00:01 GMT");
    } else {
      body = "{\"code\":\"FileNotFound\"}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(404, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
      return;
    }
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(200, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
    exchange.close();
  }

  private String ranTask() {
    String job = createJob(uniqueId("files"), "");
    addTasks(job, "t", 1, "");
    new AgentReports(KAFKA, ACCOUNT, "http://127.0.0.1:" + fakeAgent.getAddress().getPort()).started(job, "t0", 0);
    awaitTask(job, "t0", inState("running"));
    return job;
  }

  @Test
  void aFileIsStreamedFromTheAgentWithItsHeadersWhateverWayItsPathIsEncoded() {
    String job = ranTask();

    BatchHttp.Response encoded = http.get("/jobs/" + job + "/tasks/t0/files/wd%2Fout.txt");
    BatchHttp.Response plain = http.get("/jobs/" + job + "/tasks/t0/files/wd/out.txt");

    for (BatchHttp.Response r : List.of(encoded, plain)) {
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      assertThat(r.text()).isEqualTo("hello from the node\n");
      assertThat(r.header("Content-Type")).isEqualTo("application/octet-stream");
      assertThat(r.header("Content-Length")).isEqualTo("20");
      assertThat(r.header("ocp-creation-time")).isEqualTo("Wed, 25 Nov 2026 01:00:00 GMT");
      assertThat(r.header("ocp-batch-file-isdirectory")).isEqualTo("false");
      assertThat(r.header("ocp-batch-file-mode")).isEqualTo("0o100644");
      assertThat(r.header("Last-Modified")).isEqualTo("Wed, 25 Nov 2026 01:00:01 GMT");
    }
    assertThat(requests).containsOnly("GET /internal/tasks/" + job + "/t0/files/wd/out.txt");
    assertThat(prefixes).containsOnly(BatchHttp.BASE_URL + "/jobs/" + job + "/tasks/t0/files");

    BatchHttp.Response head = http.send("HEAD", "/jobs/" + job + "/tasks/t0/files/wd%2Fout.txt", null);
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.header("ocp-batch-file-isdirectory")).isEqualTo("false");

    BatchHttp.Response missing = http.get("/jobs/" + job + "/tasks/t0/files/nothing.txt");
    assertThat(missing.status()).isEqualTo(404);
  }

  @Test
  void theFileListComesFromTheAgentWithTheQueryPassedOn() {
    String job = ranTask();

    BatchHttp.Response r = http.get("/jobs/" + job + "/tasks/t0/files?recursive=true&api-version=2024-07-01.20.0");

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("value").get(0).path("url").asString())
        .isEqualTo(BatchHttp.BASE_URL + "/jobs/" + job + "/tasks/t0/files/wd/out.txt");
    assertThat(requests).containsExactly("GET /internal/tasks/" + job + "/t0/files?recursive=true&api-version=2024-07-01.20.0");
  }

  @Test
  void aTaskThatNeverRanHasNoFiles() {
    String job = createJob(uniqueId("no-files"), "");
    addTasks(job, "t", 1, "");

    BatchHttp.Response r = http.get("/jobs/" + job + "/tasks/t0/files/stdout.txt");

    assertThat(r.status()).isEqualTo(409);
    assertThat(r.errorCode()).isEqualTo("TaskFilesUnavailable");
    assertThat(http.get("/jobs/" + job + "/tasks/t0/files").errorCode()).isEqualTo("TaskFilesUnavailable");
  }

  @Test
  void filesOfATaskWhoseAgentIsGoneAreUnavailable() {
    String job = createJob(uniqueId("gone"), "");
    addTasks(job, "t", 1, "");
    agent.started(job, "t0", 0);
    awaitTask(job, "t0", inState("running"));

    BatchHttp.Response r = http.get("/jobs/" + job + "/tasks/t0/files/stdout.txt");

    assertThat(r.status()).isEqualTo(409);
    assertThat(r.errorCode()).isEqualTo("TaskFilesUnavailable");
    assertThat(r.detail("Reason")).contains(AgentReports.NODE);
  }
}
