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

  /** What the agent lists, in the order of its walk. */
  private static final List<String> LISTED = List.of("wd", "wd/out.txt", "stdout.txt", "wd/b.txt", "stderr.txt");

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
      StringBuilder list = new StringBuilder("{\"value\":[");
      for (String name : LISTED) {
        list.append(list.length() > 10 ? "," : "").append("{\"name\":\"").append(name).append("\",\"url\":\"").append(prefix).append('/')
            .append(name).append("\",\"isDirectory\":").append(name.equals("wd")).append('}');
      }
      body = list.append("]}").toString().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json;odata=minimalmetadata");
    } else if (exchange.getRequestMethod().equals("DELETE") && exchange.getRequestURI().getRawPath().endsWith("/wd")) {
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
      return;
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
    assertThat(r.json().path("odata.metadata").asString()).isEqualTo(BatchHttp.BASE_URL + "/$metadata#files");
    assertThat(names(r)).containsExactly("stderr.txt", "stdout.txt", "wd", "wd/b.txt", "wd/out.txt");
    assertThat(r.json().path("value").get(4).path("url").asString())
        .isEqualTo(BatchHttp.BASE_URL + "/jobs/" + job + "/tasks/t0/files/wd/out.txt");
    assertThat(requests).containsExactly("GET /internal/tasks/" + job + "/t0/files?recursive=true&api-version=2024-07-01.20.0");
  }

  @Test
  void theFileListIsFilteredByNameAndPagedWithMaxresults() {
    String job = ranTask();

    BatchHttp.Response first = http.get("/jobs/" + job + "/tasks/t0/files?recursive=true&maxresults=2");
    assertThat(names(first)).containsExactly("stderr.txt", "stdout.txt");
    String next = first.json().path("odata.nextLink").asString();
    assertThat(next).startsWith(BatchHttp.BASE_URL + "/jobs/" + job + "/tasks/t0/files?recursive=true&maxresults=2&$skiptoken=");
    BatchHttp.Response second = http.follow(next);
    assertThat(names(second)).containsExactly("wd", "wd/b.txt");
    BatchHttp.Response last = http.follow(second.json().path("odata.nextLink").asString());
    assertThat(names(last)).containsExactly("wd/out.txt");
    assertThat(last.json().has("odata.nextLink")).isFalse();

    BatchHttp.Response filtered = http.get("/jobs/" + job + "/tasks/t0/files?recursive=true&$filter=startswith(name,%27wd/%27)");
    assertThat(names(filtered)).containsExactly("wd/b.txt", "wd/out.txt");
    assertThat(http.get("/jobs/" + job + "/tasks/t0/files?$filter=startswith(name").errorCode()).isEqualTo("InvalidQueryParameterValue");
  }

  @Test
  void aDeleteGoesToTheAgentWithItsRecursiveOption() {
    String job = ranTask();

    BatchHttp.Response r = http.delete("/jobs/" + job + "/tasks/t0/files/wd?recursive=true");

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(requests).containsExactly("DELETE /internal/tasks/" + job + "/t0/files/wd?recursive=true");
    assertThat(http.delete("/jobs/" + job + "/tasks/t0/files/nothing.txt").status()).isEqualTo(404);
  }

  private static List<String> names(BatchHttp.Response r) {
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    List<String> names = new java.util.ArrayList<>();
    r.json().path("value").forEach(f -> names.add(f.path("name").asString()));
    return names;
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
