package dev.lote.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.auth.BatchCredentials;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.sun.net.httpserver.HttpServer;

import dev.lote.common.auth.JobToken;
import okhttp3.OkHttpClient;

/**
 * A task's token at the gateway: it stands for its account on its own job's paths, is refused
 * with 403 anywhere else, and the official Java SDK sends it with credentials of a few lines.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "lote.gateway.internal-secret=" + JobTokenAuthenticatorTest.SECRET)
class JobTokenAuthenticatorTest {

  static final String SECRET = "gateway-test-secret";

  static final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
  static final HttpServer upstream =
      StandIns.serve(
          Map.of(
              "/",
              ex -> {
                seen.add(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath() + " as " + ex.getRequestHeaders().getFirst("X-Lote-Account"));
                StandIns.reply(ex, 200, "{\"id\":\"job-1\",\"value\":[]}");
              }));

  @DynamicPropertySource
  static void upstreams(DynamicPropertyRegistry r) {
    r.add("lote.gateway.account-url", () -> StandIns.url(upstream));
    r.add("lote.gateway.pool-url", () -> StandIns.url(upstream));
    r.add("lote.gateway.job-url", () -> StandIns.url(upstream));
  }

  @AfterAll
  static void stop() {
    upstream.stop(0);
  }

  @LocalServerPort int port;
  final HttpClient http = HttpClient.newHttpClient();
  final String token = JobToken.issue(SECRET, "lote", "Job-1", Instant.now().plusSeconds(3600));

  @BeforeEach
  void clear() {
    seen.clear();
  }

  HttpResponse<String> get(String path, String bearer) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path + "?api-version=2024-07-01.20.0"))
            .header("Authorization", "Bearer " + bearer)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theTokenStandsForItsAccountOnItsJobAndBelowIt() throws Exception {
    assertThat(get("/jobs/job-1", token).statusCode()).isEqualTo(200);
    assertThat(get("/jobs/JOB-1/tasks", token).statusCode()).isEqualTo(200);
    assertThat(seen).containsExactly("GET /jobs/job-1 as lote", "GET /jobs/JOB-1/tasks as lote");
  }

  @Test
  void anythingOutsideItsJobIsAnAuthorizationFailure() throws Exception {
    for (String path : new String[] {"/jobs/job-2", "/jobs/job-10/tasks", "/jobs", "/pools"}) {
      HttpResponse<String> r = get(path, token);
      assertThat(r.statusCode()).as(path).isEqualTo(403);
      assertThat(r.body()).as(path).contains("AuthorizationFailure");
    }
    assertThat(seen).isEmpty();
  }

  @Test
  void aTokenOfAnotherSecretOrExpiredIsAnAuthenticationFailure() throws Exception {
    String foreign = JobToken.issue("another-secret", "lote", "job-1", Instant.now().plusSeconds(3600));
    String expired = JobToken.issue(SECRET, "lote", "job-1", Instant.now().minusSeconds(1));
    for (String bad : new String[] {foreign, expired, "abc"}) {
      HttpResponse<String> r = get("/jobs/job-1", bad);
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.body()).contains("AuthenticationFailed");
    }
    assertThat(seen).isEmpty();
  }

  @Test
  void theJavaSdkSendsTheTokenWithCredentialsThatAddTheHeader() throws Exception {
    BatchClient client = BatchClient.open(bearer("http://127.0.0.1:" + port, token));

    assertThat(client.jobOperations().getJob("job-1").id()).isEqualTo("job-1");
    BatchErrorException refused = catchThrowableOfType(BatchErrorException.class, () -> client.jobOperations().getJob("job-2"));
    assertThat(refused.response().code()).isEqualTo(403);
    assertThat(refused.body().code()).isEqualTo("AuthorizationFailure");
  }

  /** What a task gives the SDK: its account URL and its token. */
  static BatchCredentials bearer(String baseUrl, String token) {
    return new BatchCredentials() {
      @Override
      public String baseUrl() {
        return baseUrl;
      }

      @Override
      public void applyCredentialsFilter(OkHttpClient.Builder builder) {
        builder.addInterceptor(chain -> chain.proceed(chain.request().newBuilder().header("Authorization", "Bearer " + token).build()));
      }
    };
  }
}
