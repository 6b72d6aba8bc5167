package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

/** The agent's users API over real HTTP, with real host accounts (the tests run as root): statuses and Batch error bodies. */
class NodeApiTest {

  @TempDir Path tmp;
  private FileServer server;
  private NodeUsers users;
  private final HttpClient http = HttpClient.newHttpClient();

  private void start() throws Exception {
    assumeTrue(((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0, "managing the host's accounts needs root");
    Path root = Files.createDirectories(tmp.resolve("node"));
    AgentConfig cfg = AgentConfig.parse(new String[] {"--lote.node.id=n1", "--lote.node.pool-id=p", "--lote.node.root=" + root});
    server = new FileServer(cfg, "", (job, task) -> false);
    users = new NodeUsers(root, "n9101", null, Path.of("/etc/passwd"), NodeUsers::exec);
    new NodeApi(users, new ServiceLogs(cfg)).serve(server);
    server.start();
  }

  @AfterEach
  void stop() {
    if (users != null) {
      users.removeAll();
    }
    if (server != null) {
      server.stop();
    }
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String code(HttpResponse<String> r) {
    JsonNode n = Events.JSON.readTree(r.body());
    return n.path("code").asString();
  }

  @Test
  void aUserIsAddedOnceUpdatedAndDeletedWithBatchErrorsOtherwise() throws Exception {
    start();

    assertThat(send("POST", "/internal/users", "{\"name\":\"eve\",\"password\":\"pw-1\"}").statusCode()).isEqualTo(201);
    HttpResponse<String> again = send("POST", "/internal/users", "{\"name\":\"EVE\"}");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(code(again)).isEqualTo("NodeUserExists");
    assertThat(again.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));

    assertThat(send("PUT", "/internal/users/eve", "{\"sshPublicKey\":\"ssh-ed25519 AAAA k\"}").statusCode()).isEqualTo(200);
    assertThat(users.mine("eve").home().resolve(".ssh/authorized_keys")).content().isEqualToIgnoringNewLines("ssh-ed25519 AAAA k");
    assertThat(send("DELETE", "/internal/users/eve", null).statusCode()).isEqualTo(200);

    HttpResponse<String> gone = send("DELETE", "/internal/users/eve", null);
    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(code(gone)).isEqualTo("NodeUserNotFound");
    HttpResponse<String> bad = send("POST", "/internal/users", "{\"name\":\"a b\"}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(code(bad)).isEqualTo("InvalidPropertyValue");
    assertThat(code(send("POST", "/internal/users", "not json"))).isEqualTo("InvalidRequestBody");
  }
}
