package dev.lote.pool.api;

import static dev.lote.support.test.BatchHttp.BASE_URL;
import static dev.lote.support.test.BatchHttp.json;
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
import org.springframework.boot.test.web.server.LocalServerPort;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.BatchHttp.Response;
import dev.lote.support.test.Kafka;
import dev.lote.pool.support.NodeSteps;
import dev.lote.pool.support.PoolServiceTestBase;
import tools.jackson.databind.JsonNode;

/** Node files come from the node's agent over real HTTP; node counts summarise the pools' nodes by state. */
class NodeFilesAndCountsTest extends PoolServiceTestBase {

  @LocalServerPort int port;

  private HttpServer agent;
  private final List<String> agentSaw = new CopyOnWriteArrayList<>();
  private final List<String> prefixes = new CopyOnWriteArrayList<>();

  /** A stand-in for the agent's file API: a real HTTP server that answers like the agent would. */
  @BeforeEach
  void startAgentFileServer() throws IOException {
    agent = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    agent.createContext("/internal/files", this::serveFile);
    agent.start();
  }

  @AfterEach
  void stopAgentFileServer() {
    agent.stop(0);
  }

  private void serveFile(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getRawPath();
    String query = exchange.getRequestURI().getRawQuery();
    agentSaw.add(exchange.getRequestMethod() + " " + path + (query == null ? "" : "?" + query));
    String prefix = exchange.getRequestHeaders().getFirst("X-Lote-File-Url-Prefix");
    prefixes.add(prefix);
    if (path.equals("/internal/files")) {
      reply(exchange, 200, "application/json;odata=minimalmetadata",
          json("{'value':[{'name':'startup/stdout.txt','url':'" + prefix + "/startup/stdout.txt','isDirectory':false},"
              + "{'name':'startup/stderr.txt','url':'" + prefix + "/startup/stderr.txt','isDirectory':false},"
              + "{'name':'shared','url':'" + prefix + "/shared','isDirectory':true}]}"));
    } else if (path.equals("/internal/files/startup/stdout.txt")) {
      exchange.getResponseHeaders().add("ocp-batch-file-isdirectory", "false");
      exchange.getResponseHeaders().add("ocp-batch-file-url", prefix + "/startup/stdout.txt");
      reply(exchange, 200, "application/octet-stream", "hello from the node\n");
    } else {
      reply(exchange, 404, "application/json;odata=minimalmetadata",
          json("{'code':'FileNotFound','message':{'lang':'en-US','value':'The specified file does not exist.'}}"));
    }
  }

  private static void reply(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", contentType);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
    exchange.close();
  }

  @Test
  void nodeFilesAreServedByTheNodesAgentWithTheirPublicUrls() {
    BatchHttp http = new BatchHttp(port, "files");
    try (Kafka kafka = new Kafka()) {
      NodeSteps steps = new NodeSteps(http, kafka, "files", "Files");
      http.post("/pools", json("{'id':'Files','vmSize':'small','targetDedicatedNodes':1}"));
      String nodeId = steps.awaitNodes(1).get(0);
      String files = "/pools/files/nodes/" + nodeId + "/files";

      Response early = http.get(files);
      assertThat(early.status()).isEqualTo(409);

      steps.report(nodeId, "idle", "http://127.0.0.1:" + agent.getAddress().getPort(), null);
      steps.awaitState(nodeId, "idle");

      Response list = http.get(files + "?recursive=true&api-version=2024-07-01.20.0");
      assertThat(list.status()).isEqualTo(200);
      assertThat(list.json().get("value")).extracting(f -> f.get("name").stringValue())
          .as("in name order").containsExactly("shared", "startup/stderr.txt", "startup/stdout.txt");
      assertThat(list.json().get("value").get(2).get("url").stringValue())
          .isEqualTo(BASE_URL + "/pools/Files/nodes/" + nodeId + "/files/startup/stdout.txt");
      Response page = http.get(files + "?recursive=true&maxresults=2&$filter=startswith(name,'startup')&api-version=2024-07-01.20.0");
      assertThat(page.json().get("value")).extracting(f -> f.get("name").stringValue()).containsExactly("startup/stderr.txt", "startup/stdout.txt");
      Response first = http.get(files + "?maxresults=1&api-version=2024-07-01.20.0");
      assertThat(first.json().get("value")).hasSize(1);
      Response rest = http.follow(first.json().get("odata.nextLink").stringValue());
      assertThat(rest.json().get("value")).extracting(f -> f.get("name").stringValue())
          .as("the next page follows on, one a page").containsExactly("startup/stderr.txt");
      assertThat(rest.json().has("odata.nextLink")).isTrue();
      assertThat(agentSaw).contains("GET /internal/files?recursive=true&api-version=2024-07-01.20.0");
      assertThat(prefixes).allMatch(p -> p.equals(BASE_URL + "/pools/Files/nodes/" + nodeId + "/files"));

      Response file = http.get(files + "/startup/stdout.txt");
      assertThat(file.status()).isEqualTo(200);
      assertThat(file.text()).isEqualTo("hello from the node\n");
      assertThat(file.header("ocp-batch-file-isdirectory")).isEqualTo("false");
      assertThat(file.header("Content-Length")).isEqualTo("20");

      Response encoded = http.get(files + "/startup%2Fstdout.txt");
      assertThat(encoded.status()).isEqualTo(200);
      assertThat(encoded.text()).isEqualTo("hello from the node\n");

      Response head = http.send("HEAD", files + "/startup/stdout.txt", null);
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("ocp-batch-file-url")).endsWith("/files/startup/stdout.txt");
      assertThat(head.text()).isEmpty();

      Response missing = http.get(files + "/nope.txt");
      assertThat(missing.status()).isEqualTo(404);
      assertThat(missing.errorCode()).isEqualTo("FileNotFound");

      assertThat(agentSaw).contains("GET /internal/files/startup/stdout.txt", "HEAD /internal/files/startup/stdout.txt");
      assertThat(http.get(files + "/../../etc/passwd").status()).isEqualTo(404);
    }
  }

  @Test
  void nodeCountsGivePerPoolHowManyNodesAreInEachState() {
    BatchHttp http = new BatchHttp(port, "counts");
    try (Kafka kafka = new Kafka()) {
      NodeSteps steps = new NodeSteps(http, kafka, "counts", "a");
      http.post("/pools", json("{'id':'a','vmSize':'small','targetDedicatedNodes':2}"));
      http.post("/pools", json("{'id':'b','vmSize':'small','targetDedicatedNodes':0}"));
      String nodeId = steps.awaitNodes(2).get(0);
      steps.report(nodeId, "idle", null, null);
      steps.awaitState(nodeId, "idle");

      JsonNode counts = http.get("/nodecounts").json();

      assertThat(counts.get("value")).hasSize(2);
      JsonNode a = counts.get("value").get(0);
      assertThat(a.get("poolId").stringValue()).isEqualTo("a");
      assertThat(a.get("dedicated").get("idle").intValue()).isEqualTo(1);
      assertThat(a.get("dedicated").get("creating").intValue()).isEqualTo(1);
      assertThat(a.get("dedicated").get("total").intValue()).isEqualTo(2);
      assertThat(a.get("dedicated").get("waitingForStartTask").intValue()).isZero();
      assertThat(a.get("lowPriority").get("total").intValue()).isZero();
      assertThat(counts.get("value").get(1).get("dedicated").get("total").intValue()).isZero();

      Response first = http.get("/nodecounts?maxresults=1");
      assertThat(first.json().get("value")).hasSize(1);
      JsonNode second = http.follow(first.json().get("odata.nextLink").stringValue()).json();
      assertThat(second.get("value").get(0).get("poolId").stringValue()).isEqualTo("b");
      assertThat(http.get("/nodecounts?maxresults=11").status()).isEqualTo(400);
    }
  }
}
