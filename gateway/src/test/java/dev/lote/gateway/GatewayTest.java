package dev.lote.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.auth.BatchSharedKeyCredentials;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.sun.net.httpserver.HttpServer;

import dev.lote.common.auth.SharedKey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway over real HTTP, with a small real HTTP server standing in for the account-service
 * and the pool-service, and requests signed the way the SDKs sign them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GatewayTest {

  static final String KEY = "IOcM2s2sWvF9tz4ovxqGTyz8k4yT5NOiWZKuzsvuEk55wY0ngAD4bgrTVqV49yl8";
  static final String WRONG_KEY = "AAAAaaaaBBBBbbbbCCCCccccDDDDddddEEEEeeeeFFFFffffGGGGggggHHHHhhhh";

  record Seen(String method, String rawPathAndQuery, Map<String, String> headers, String body) {}

  static final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
  static final HttpServer upstream = upstream();

  static HttpServer upstream() {
    try {
      HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      s.createContext(
          "/internal/accounts/",
          ex -> {
            if (ex.getRequestURI().getPath().endsWith("/lote")) {
              StandIns.reply(ex, 200, "{\"name\":\"lote\",\"keys\":[\"" + KEY + "\",\"c2Vjb25k\"]}");
            } else {
              StandIns.reply(ex, 404, "{\"code\":\"AccountNotFound\"}");
            }
          });
      s.createContext(
          "/lote/packages/",
          ex -> {
            seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().getRawPath() + "?" + ex.getRequestURI().getRawQuery(), Map.of(), ""));
            ex.getResponseHeaders().add("X-Lote-Package-Sha256", "abc123");
            ex.getResponseHeaders().add("X-Lote-Package-Format", "zip");
            StandIns.reply(ex, 200, "PK-bytes");
          });
      com.sun.net.httpserver.HttpHandler recorder =
          ex -> {
            Map<String, String> headers = new LinkedHashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().getRawPath() + "?" + ex.getRequestURI().getRawQuery(), headers, body));
            ex.getResponseHeaders().add("ETag", "0x1");
            StandIns.reply(ex, ex.getRequestMethod().equals("POST") ? 201 : 200, "{\"value\":[]}");
          };
      s.createContext("/pools", recorder);
      s.createContext("/applications", recorder);
      s.createContext("/certificates", recorder);
      s.start();
      return s;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @DynamicPropertySource
  static void upstreams(DynamicPropertyRegistry r) {
    String base = "http://127.0.0.1:" + upstream.getAddress().getPort();
    r.add("lote.gateway.account-url", () -> base);
    r.add("lote.gateway.pool-url", () -> base);
    r.add("lote.gateway.job-url", () -> "http://127.0.0.1:1");
  }

  @AfterAll
  static void stop() {
    upstream.stop(0);
  }

  @LocalServerPort int port;
  @Autowired AccountKeys accountKeys;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  final JsonMapper json = JsonMapper.builder().build();

  @BeforeEach
  void clear() {
    seen.clear();
  }

  HttpResponse<String> send(String method, String pathAndQuery, String body, String key, Map<String, String> extra) throws Exception {
    return new SignedRequests(port).send("lote", key, method, pathAndQuery, body, extra);
  }

  HttpResponse<String> send(String method, String pathAndQuery, String body, String key) throws Exception {
    return send(method, pathAndQuery, body, key, Map.of());
  }

  @Test
  void aSignedRequestIsForwardedAsReceivedWithTheAccountAndBaseUrl() throws Exception {
    String body = "{\"id\":\"p1\",\"vmSize\":\"standard_d2s_v3\"}";
    HttpResponse<String> r = send("POST", "/pools?api-version=2024-07-01.20.0&timeout=30", body, KEY);
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.headers().firstValue("request-id")).isPresent();
    assertThat(r.headers().firstValue("ETag")).hasValue("0x1");
    Seen s = seen.poll();
    assertThat(s.method()).isEqualTo("POST");
    assertThat(s.rawPathAndQuery()).isEqualTo("/pools?api-version=2024-07-01.20.0&timeout=30");
    assertThat(s.body()).isEqualTo(body);
    assertThat(s.headers()).containsEntry("x-lote-account", "lote").containsEntry("x-lote-base-url", "http://127.0.0.1:" + port);
    assertThat(s.headers().get("request-id")).isEqualTo(r.headers().firstValue("request-id").orElseThrow());
  }

  @Test
  void anEncodedSlashInAFilePathReachesTheServiceAsSent() throws Exception {
    HttpResponse<String> r = send("GET", "/pools/p1/nodes/n1/files/wd%2Fout%20put.txt?api-version=2022-10-01.16.0", null, KEY);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(seen.poll().rawPathAndQuery()).isEqualTo("/pools/p1/nodes/n1/files/wd%2Fout%20put.txt?api-version=2022-10-01.16.0");
  }

  @Test
  void aWrongKeyIsAuthenticationFailedInTheBatchFormatAndNothingIsForwarded() throws Exception {
    HttpResponse<String> r = send("GET", "/pools?api-version=2024-07-01.20.0", null, WRONG_KEY);
    assertThat(r.statusCode()).isEqualTo(403);
    JsonNode e = json.readTree(r.body());
    assertThat(e.get("code").asString()).isEqualTo("AuthenticationFailed");
    assertThat(e.get("message").get("lang").asString()).isEqualTo("en-US");
    assertThat(e.get("message").get("value").asString()).contains("RequestId:");
    assertThat(seen).isEmpty();
  }

  @Test
  void missingOrMalformedAuthorizationIsRefused() throws Exception {
    HttpResponse<String> none =
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/pools?api-version=2024-07-01.20.0")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(none.statusCode()).isEqualTo(403);
    HttpResponse<String> malformed =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/pools?api-version=2024-07-01.20.0")).header("Authorization", "SharedKey nocolon").build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(json.readTree(malformed.body()).get("code").asString()).isEqualTo("InvalidAuthenticationInfo");
    HttpResponse<String> bearer =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/pools?api-version=2024-07-01.20.0")).header("Authorization", "Bearer abc").build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(bearer.statusCode()).isEqualTo(403);
  }

  @Test
  void unknownAccountsAndStaleDatesAreRefused() throws Exception {
    HttpResponse<String> old =
        send("GET", "/pools?api-version=2024-07-01.20.0", null, KEY, Map.of("ocp-date", "Mon, 01 Jan 2024 00:00:00 GMT"));
    assertThat(old.statusCode()).isEqualTo(403);
    HttpResponse<String> garbled = send("GET", "/pools?api-version=2024-07-01.20.0", null, KEY, Map.of("ocp-date", "yesterday"));
    assertThat(garbled.statusCode()).isEqualTo(400);
    assertThat(json.readTree(garbled.body()).get("code").asString()).isEqualTo("InvalidHeaderValue");
  }

  @Test
  void aRequestTwentyMinutesOldIsRefusedAndOneTenMinutesOldIsAccepted() throws Exception {
    String twentyAgo = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).minusMinutes(20));
    HttpResponse<String> old = send("GET", "/pools?api-version=2024-07-01.20.0", null, KEY, Map.of("ocp-date", twentyAgo));
    assertThat(old.statusCode()).isEqualTo(403);
    assertThat(json.readTree(old.body()).get("code").asString()).isEqualTo("AuthenticationFailed");
    String tenAgo = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).minusMinutes(10));
    assertThat(send("GET", "/pools?api-version=2024-07-01.20.0", null, KEY, Map.of("ocp-date", tenAgo)).statusCode()).isEqualTo(200);
    String tenAhead = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusMinutes(10));
    assertThat(send("GET", "/pools?api-version=2024-07-01.20.0", null, KEY, Map.of("ocp-date", tenAhead)).statusCode()).isEqualTo(200);
    assertThat(seen).hasSize(2);
  }

  @Test
  void aRequestWithoutADateIsRefused() throws Exception {
    Map<String, String> noDate = new HashMap<>();
    noDate.put("ocp-date", null);
    HttpResponse<String> r = send("GET", "/pools?api-version=2024-07-01.20.0", null, KEY, noDate);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(json.readTree(r.body()).get("code").asString()).isEqualTo("AuthenticationFailed");
    Map<String, String> plainDate = new HashMap<>(noDate);
    plainDate.put("Date", SignedRequests.now());
    assertThat(send("GET", "/pools?api-version=2024-07-01.20.0", null, KEY, plainDate).statusCode()).isEqualTo(200);
  }

  @Test
  void anUnknownAccountIsAnsweredExactlyAsAWrongKeyAndIsNotKeptInTheKeyCache() throws Exception {
    SignedRequests requests = new SignedRequests(port);
    HttpResponse<String> wrongKey = requests.send("lote", WRONG_KEY, "GET", "/pools?api-version=2024-07-01.20.0", null, Map.of());
    long accountsBefore = accountKeys.cachedAccounts();
    for (int i = 0; i < 50; i++) {
      HttpResponse<String> unknown = requests.send("nobody" + i, WRONG_KEY, "GET", "/pools?api-version=2024-07-01.20.0", null, Map.of());
      assertThat(unknown.statusCode()).isEqualTo(wrongKey.statusCode()).isEqualTo(403);
      JsonNode a = json.readTree(unknown.body());
      JsonNode b = json.readTree(wrongKey.body());
      assertThat(a.get("code")).isEqualTo(b.get("code"));
      assertThat(a.get("values")).isEqualTo(b.get("values"));
      assertThat(a.get("message").get("value").asString().lines().findFirst())
          .isEqualTo(b.get("message").get("value").asString().lines().findFirst());
    }
    assertThat(accountKeys.cachedAccounts()).isEqualTo(accountsBefore).isLessThanOrEqualTo(1);
    assertThat(accountKeys.cachedUnknownNames()).isBetween(1L, (long) AccountKeys.MAX_UNKNOWN_NAMES);
    assertThat(seen).isEmpty();
  }

  @Test
  void aRepeatedQueryParameterIsSignedWithAllItsValuesAndRefused() throws Exception {
    HttpResponse<String> r = send("GET", "/pools?api-version=2024-07-01.20.0&maxresults=5&maxresults=7", null, KEY);
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode e = json.readTree(r.body());
    assertThat(e.get("code").asString()).isEqualTo("InvalidQueryParameterValue");
    assertThat(e.get("values").get(0).get("value").asString()).isEqualTo("maxresults");
    assertThat(seen).isEmpty();
  }

  @Test
  void aMissingApiVersionIsRefused() throws Exception {
    HttpResponse<String> r = send("GET", "/pools", null, KEY);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json.readTree(r.body()).get("code").asString()).isEqualTo("MissingRequiredQueryParameter");
  }

  @Test
  void certificatesAndACertificateByItsKeyGoToThePoolService() throws Exception {
    seen.clear();
    String entity = "/certificates(thumbprintAlgorithm=sha1,thumbprint=0123456789abcdef0123456789abcdef01234567)";

    HttpResponse<String> list = send("GET", "/certificates?api-version=2024-07-01.20.0", null, KEY);
    HttpResponse<String> one = send("GET", entity + "?api-version=2024-07-01.20.0", null, KEY);

    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(one.statusCode()).isEqualTo(200);
    assertThat(seen).extracting(Seen::rawPathAndQuery)
        .containsExactly("/certificates?api-version=2024-07-01.20.0", entity + "?api-version=2024-07-01.20.0");
  }

  @Test
  void nonBatchPathsAndUnsignedCallsAnswerBatchErrors() throws Exception {
    HttpResponse<String> internal = send("GET", "/internal/accounts/lote?api-version=2024-07-01.20.0", null, KEY);
    assertThat(internal.statusCode()).isEqualTo(400);
    assertThat(json.readTree(internal.body()).get("code").asString()).isEqualTo("InvalidUri");
    HttpResponse<String> unauthenticated =
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/applications?api-version=2024-07-01.20.0")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(unauthenticated.statusCode()).isEqualTo(403);
  }

  @Test
  void applicationsGoToTheAccountServiceWithTheAccount() throws Exception {
    HttpResponse<String> list = send("GET", "/applications?api-version=2024-07-01.20.0", null, KEY);
    assertThat(list.statusCode()).isEqualTo(200);
    Seen s = seen.poll();
    assertThat(s.rawPathAndQuery()).isEqualTo("/applications?api-version=2024-07-01.20.0");
    assertThat(s.headers()).containsEntry("x-lote-account", "lote");
    assertThat(send("GET", "/applications/blender?api-version=2024-07-01.20.0", null, KEY).statusCode()).isEqualTo(200);
    assertThat(seen.poll().rawPathAndQuery()).isEqualTo("/applications/blender?api-version=2024-07-01.20.0");
  }

  @Test
  void aPackageDownloadNeedsNoAccountKeyAndIsPassedThroughWithItsDigest() throws Exception {
    HttpResponse<String> r =
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/lote/packages/token.sig")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("PK-bytes");
    assertThat(r.headers().firstValue("X-Lote-Package-Sha256")).hasValue("abc123");
    assertThat(r.headers().firstValue("X-Lote-Package-Format")).hasValue("zip");
    assertThat(seen.poll().rawPathAndQuery()).startsWith("/lote/packages/token.sig");
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/lote/packages/token.sig")).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  void aServiceThatDoesNotAnswerIsServerBusySoClientsRetry() throws Exception {
    HttpResponse<String> r = send("GET", "/jobs?api-version=2024-07-01.20.0", null, KEY);
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(json.readTree(r.body()).get("code").asString()).isEqualTo("ServerBusy");
  }

  @Test
  void theClientRequestIdIsEchoedWhenAskedFor() throws Exception {
    HttpResponse<String> r =
        send("GET", "/pools?api-version=2024-07-01.20.0", null, KEY, Map.of("client-request-id", "9c4d50ee-2d56-4cd3-8152-34347dc9f2b0", "return-client-request-id", "true"));
    assertThat(r.headers().firstValue("client-request-id")).hasValue("9c4d50ee-2d56-4cd3-8152-34347dc9f2b0");
    HttpResponse<String> quiet = send("GET", "/pools?api-version=2024-07-01.20.0", null, KEY, Map.of("client-request-id", "9c4d50ee-2d56-4cd3-8152-34347dc9f2b0"));
    assertThat(quiet.headers().firstValue("client-request-id")).isEmpty();
  }

  @Test
  void healthNeedsNoSignature() throws Exception {
    HttpResponse<String> r =
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void theOfficialJavaSdkSucceedsWithTheKeyAndSeesAuthenticationFailedWithAnother() throws Exception {
    BatchClient good = BatchClient.open(new BatchSharedKeyCredentials("http://127.0.0.1:" + port, "lote", KEY));
    assertThat(good.poolOperations().listPools()).isEmpty();
    BatchClient bad = BatchClient.open(new BatchSharedKeyCredentials("http://127.0.0.1:" + port, "lote", WRONG_KEY));
    BatchErrorException e = catchThrowableOfType(BatchErrorException.class, () -> bad.poolOperations().listPools());
    assertThat(e.response().code()).isEqualTo(403);
    assertThat(e.body().code()).isEqualTo("AuthenticationFailed");
    List<Seen> forwarded = new ArrayList<>(seen);
    assertThat(forwarded).hasSize(1);
  }
}
