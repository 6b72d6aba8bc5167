package dev.lote.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.lote.common.auth.InternalCredential;
import dev.lote.common.auth.PackageToken;
import dev.lote.common.events.EventEnvelope;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.Topics;
import dev.lote.support.test.Kafka;
import dev.lote.support.test.LoteServiceTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The application endpoints of the account-service against its real database, store folder and broker. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ApplicationApiTest extends LoteServiceTest {

  static final String SECRET = "application-test-secret";
  static final Path STORE;

  static {
    try {
      STORE = Files.createTempDirectory("lote-packages");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @DynamicPropertySource
  static void settings(DynamicPropertyRegistry registry) {
    registry.add(InternalCredential.PROPERTY, () -> SECRET);
    registry.add("lote.applications.store", STORE::toString);
    registry.add("lote.applications.max-package-size", () -> "64KB");
  }

  @LocalServerPort int port;
  final HttpClient http = HttpClient.newHttpClient();
  final JsonMapper json = JsonMapper.builder().build();

  HttpResponse<String> send(String method, String path, byte[] body, boolean internal) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
            .header("X-Lote-Account", "lote");
    if (body != null) {
      b.header("Content-Type", body.length > 0 && body[0] == '{' ? "application/json" : "application/octet-stream");
    }
    if (internal) {
      b.header(InternalCredential.HEADER, SECRET);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> admin(String method, String path, byte[] body) throws Exception {
    return send(method, "/lote/accounts/lote/applications" + path, body, true);
  }

  static byte[] settings(String jsonText) {
    return jsonText.getBytes();
  }

  String code(HttpResponse<String> r) {
    return json.readTree(r.body()).get("code").asString();
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void anApplicationWithTwoPackagesIsListedAndGotThroughTheDataPlane() throws Exception {
    assertThat(admin("PUT", "/Blender", settings("{\"displayName\":\"Blender 3D\"}")).statusCode()).isEqualTo(201);
    byte[] zip = Packages.zip(Map.of("bin/run.sh", "echo zip\n"));
    byte[] tgz = Packages.tarGz(Map.of("bin/run.sh", "echo tar\n"));
    HttpResponse<String> first = admin("PUT", "/Blender/versions/2.79", zip);
    assertThat(first.statusCode()).isEqualTo(201);
    JsonNode detail = json.readTree(first.body());
    assertThat(detail.get("versions").get(0).get("format").asString()).isEqualTo("zip");
    assertThat(detail.get("versions").get(0).get("sha256").asString()).isEqualTo(sha256(zip));
    assertThat(detail.get("versions").get(0).get("size").asLong()).isEqualTo(zip.length);
    HttpResponse<String> second = admin("PUT", "/blender/versions/3.0", tgz);
    assertThat(second.statusCode()).isEqualTo(201);
    assertThat(json.readTree(second.body()).get("versions").get(1).get("format").asString()).isEqualTo("tar.gz");
    assertThat(admin("PUT", "/blender", settings("{\"defaultVersion\":\"3.0\"}")).statusCode()).isEqualTo(200);

    HttpResponse<String> got = send("GET", "/applications/BLENDER", null, true);
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.headers().firstValue("ETag")).isPresent();
    JsonNode summary = json.readTree(got.body());
    assertThat(summary.get("id").asString()).isEqualTo("Blender");
    assertThat(summary.get("displayName").asString()).isEqualTo("Blender 3D");
    assertThat(summary.get("versions").toString()).isEqualTo("[\"2.79\",\"3.0\"]");

    HttpResponse<String> list = send("GET", "/applications", null, true);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(json.readTree(list.body()).get("value").findValuesAsString("id")).contains("Blender");

    assertThat(admin("GET", "/blender", null).body()).contains("\"defaultVersion\":\"3.0\"");
  }

  @Test
  void everyChangeIsPublishedWithTheApplicationsWholeState() throws Exception {
    try (Kafka kafka = new Kafka(); Kafka.Probe probe = kafka.probe(Topics.APPLICATIONS)) {
      admin("PUT", "/events-app", settings("{}"));
      admin("PUT", "/events-app/versions/1.0", Packages.zip(Map.of("a.txt", "a")));
      admin("PUT", "/events-app", settings("{\"defaultVersion\":\"1.0\"}"));
      admin("DELETE", "/events-app", null);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                var events = probe.received().stream().filter(e -> e.aggregateId().equals("lote/events-app")).toList();
                assertThat(events).extracting(EventEnvelope::type)
                    .containsExactly(EventTypes.APPLICATION_CHANGED, EventTypes.APPLICATION_CHANGED, EventTypes.APPLICATION_CHANGED, EventTypes.APPLICATION_DELETED);
                JsonNode third = events.get(2).payload();
                assertThat(third.get("defaultVersion").asString()).isEqualTo("1.0");
                assertThat(third.get("versions").get(0).get("version").asString()).isEqualTo("1.0");
                assertThat(events.get(2).account()).isEqualTo("lote");
              });
    }
  }

  @Test
  void aPackageThatIsNoReadableArchiveOrTooLargeIsRefusedAndLeavesNothingInTheStore() throws Exception {
    admin("PUT", "/bad", settings("{}"));
    HttpResponse<String> text = admin("PUT", "/bad/versions/1", "just text".getBytes());
    assertThat(text.statusCode()).isEqualTo(400);
    assertThat(code(text)).isEqualTo("InvalidApplicationPackage");
    byte[] zip = Packages.zip(Map.of("a.txt", "a".repeat(1000)));
    byte[] truncated = java.util.Arrays.copyOf(zip, zip.length / 2);
    assertThat(code(admin("PUT", "/bad/versions/1", truncated))).isEqualTo("InvalidApplicationPackage");
    byte[] escaping = Packages.zip(Map.of("../evil.sh", "x"));
    assertThat(code(admin("PUT", "/bad/versions/1", escaping))).isEqualTo("InvalidApplicationPackage");
    byte[] large = new byte[70 * 1024];
    new java.util.Random(1).nextBytes(large);
    HttpResponse<String> tooLarge = admin("PUT", "/bad/versions/1", Packages.zip(Map.of("big", HexFormat.of().formatHex(large))));
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(code(tooLarge)).isEqualTo("RequestBodyTooLarge");
    assertThat(json.readTree(admin("GET", "/bad", null).body()).get("versions").size()).isZero();
    try (Stream<Path> incoming = Files.list(STORE.resolve(".incoming"))) {
      assertThat(incoming).isEmpty();
    }
    assertThat(STORE.resolve("lote").resolve("bad")).doesNotExist();
  }

  @Test
  void aVersionIsReplacedOnlyWhenTheApplicationAllowsUpdatesAndTheOldBytesAreRemoved() throws Exception {
    admin("PUT", "/fixed", settings("{\"allowUpdates\":false}"));
    assertThat(admin("PUT", "/fixed/versions/1.0", Packages.zip(Map.of("v", "1"))).statusCode()).isEqualTo(201);
    HttpResponse<String> again = admin("PUT", "/fixed/versions/1.0", Packages.zip(Map.of("v", "2")));
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(code(again)).isEqualTo("ApplicationPackageAlreadyExists");

    admin("PUT", "/fixed", settings("{\"allowUpdates\":true}"));
    byte[] second = Packages.zip(Map.of("v", "2"));
    assertThat(admin("PUT", "/fixed/versions/1.0", second).statusCode()).isEqualTo(200);
    try (Stream<Path> kept = Files.list(STORE.resolve("lote/fixed/1.0"))) {
      assertThat(kept).extracting(p -> p.getFileName().toString()).containsExactly(sha256(second));
    }
  }

  @Test
  void theDefaultVersionMustExistAndIsClearedWithItsVersion() throws Exception {
    admin("PUT", "/defaults", settings("{}"));
    HttpResponse<String> missing = admin("PUT", "/defaults", settings("{\"defaultVersion\":\"9\"}"));
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(code(missing)).isEqualTo("InvalidPropertyValue");
    admin("PUT", "/defaults/versions/9", Packages.zip(Map.of("x", "x")));
    admin("PUT", "/defaults", settings("{\"defaultVersion\":\"9\"}"));
    assertThat(admin("DELETE", "/defaults/versions/9", null).statusCode()).isEqualTo(204);
    JsonNode after = json.readTree(admin("GET", "/defaults", null).body());
    assertThat(after.get("defaultVersion").isNull()).isTrue();
    assertThat(after.get("versions").size()).isZero();
    assertThat(STORE.resolve("lote/defaults/9")).doesNotExist();
    assertThat(code(admin("DELETE", "/defaults/versions/9", null))).isEqualTo("ApplicationPackageNotFound");
  }

  @Test
  void unknownApplicationsAndAccountsAreBatchErrors() throws Exception {
    HttpResponse<String> app = send("GET", "/applications/nothing", null, true);
    assertThat(app.statusCode()).isEqualTo(404);
    assertThat(code(app)).isEqualTo("ApplicationNotFound");
    assertThat(code(admin("PUT", "/nothing/versions/1", Packages.zip(Map.of("x", "x"))))).isEqualTo("ApplicationNotFound");
    HttpResponse<String> account = send("GET", "/lote/accounts/nobody/applications", null, true);
    assertThat(account.statusCode()).isEqualTo(404);
    assertThat(code(account)).isEqualTo("AccountNotFound");
    assertThat(code(admin("PUT", "/bad%20id", settings("{}")))).isEqualTo("InvalidPropertyValue");
  }

  @Test
  void theOperatorApiNeedsTheInternalCredential() throws Exception {
    HttpResponse<String> r = send("GET", "/lote/accounts/lote/applications", null, false);
    assertThat(r.statusCode()).isEqualTo(403);
  }

  @Test
  void aNodeDownloadsAPackageWithItsSignedUrlOnlyAndOnlyBeforeItExpires() throws Exception {
    admin("PUT", "/download", settings("{}"));
    byte[] tgz = Packages.tarGz(Map.of("tool.sh", "echo hi\n"));
    admin("PUT", "/download/versions/1.0", tgz);
    String url = PackageToken.url("http://127.0.0.1:" + port, SECRET, "lote", "Download", "1.0", Instant.now().plusSeconds(60));

    HttpResponse<byte[]> got = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.body()).isEqualTo(tgz);
    assertThat(got.headers().firstValue("X-Lote-Package-Sha256")).hasValue(sha256(tgz));
    assertThat(got.headers().firstValue("X-Lote-Package-Format")).hasValue("tar.gz");

    String expired = PackageToken.url("http://127.0.0.1:" + port, SECRET, "lote", "download", "1.0", Instant.now().minusSeconds(1));
    assertThat(http.send(HttpRequest.newBuilder(URI.create(expired)).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
    String forged = PackageToken.url("http://127.0.0.1:" + port, "another-secret", "lote", "download", "1.0", Instant.now().plusSeconds(60));
    assertThat(http.send(HttpRequest.newBuilder(URI.create(forged)).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
    String otherVersion = PackageToken.url("http://127.0.0.1:" + port, SECRET, "lote", "download", "2.0", Instant.now().plusSeconds(60));
    assertThat(http.send(HttpRequest.newBuilder(URI.create(otherVersion)).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
  }
}
