package dev.lote.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.sun.net.httpserver.HttpServer;

import dev.lote.common.auth.SharedKey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Requests the gateway must refuse itself, sent over a raw socket so that nothing on the client
 * side tidies them: each answer is a Batch error and none reaches a service.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GatewayBadRequestTest {

  static final AtomicInteger forwarded = new AtomicInteger();
  static final HttpServer upstream = upstream();

  static HttpServer upstream() {
    return StandIns.serve(
        Map.of(
            "/internal/accounts/", StandIns.accountWithKey(GatewayTest.KEY),
            "/", ex -> {
              forwarded.incrementAndGet();
              ex.getRequestBody().readAllBytes();
              ex.sendResponseHeaders(201, -1);
              ex.close();
            }));
  }

  @DynamicPropertySource
  static void upstreams(DynamicPropertyRegistry r) {
    String base = "http://127.0.0.1:" + upstream.getAddress().getPort();
    r.add("lote.gateway.account-url", () -> base);
    r.add("lote.gateway.pool-url", () -> base);
    r.add("lote.gateway.job-url", () -> base);
  }

  @AfterAll
  static void stop() {
    upstream.stop(0);
  }

  @LocalServerPort int port;
  final JsonMapper json = JsonMapper.builder().build();

  record Answer(int status, String head, String body) {}

  /** One request written byte for byte, signed with the development key over what is sent. */
  Answer send(String method, String rawPathAndQuery, String contentType, byte[] body) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("ocp-date", DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
    if (contentType != null) {
      headers.put("Content-Type", contentType);
    }
    if (body != null) {
      headers.put("Content-Length", String.valueOf(body.length));
    }
    int q = rawPathAndQuery.indexOf('?');
    SharedKey.Request r =
        new SharedKey.Request(
            method,
            q < 0 ? rawPathAndQuery : rawPathAndQuery.substring(0, q),
            q < 0 ? null : rawPathAndQuery.substring(q + 1),
            n -> headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(n)).map(Map.Entry::getValue).findFirst().orElse(null),
            new ArrayList<>(headers.keySet()));
    headers.put("Authorization", "SharedKey lote:" + SharedKey.sign(GatewayTest.KEY, SharedKey.stringToSign(r, "lote", null)));
    StringBuilder head = new StringBuilder(method + " " + rawPathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("\r\n");
    try (Socket s = new Socket("127.0.0.1", port)) {
      OutputStream out = s.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        try {
          out.write(body);
        } catch (IOException closedEarly) {
          // the gateway may answer and close before a refused body is all sent
        }
      }
      InputStream in = s.getInputStream();
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int split = text.indexOf("\r\n\r\n");
      String responseHead = text.substring(0, split);
      String responseBody = text.substring(split + 4);
      if (responseHead.toLowerCase().contains("transfer-encoding: chunked")) {
        responseBody = responseBody.substring(responseBody.indexOf("\r\n") + 2, responseBody.lastIndexOf("\r\n0\r\n"));
      }
      return new Answer(Integer.parseInt(responseHead.substring(9, 12)), responseHead, responseBody);
    }
  }

  String code(Answer a) {
    JsonNode e = json.readTree(a.body());
    assertThat(e.get("message").get("lang").asString()).isEqualTo("en-US");
    assertThat(a.head().toLowerCase()).contains("request-id:");
    return e.get("code").asString();
  }

  @Test
  void encodedNulAndBackslashInAPathAreBatchErrors() throws Exception {
    int before = forwarded.get();
    Answer nul = send("GET", "/pools/a%00b?api-version=2024-07-01.20.0", null, null);
    assertThat(nul.status()).isEqualTo(400);
    assertThat(code(nul)).isEqualTo("InvalidUri");
    Answer backslash = send("GET", "/pools/a%5Cb?api-version=2024-07-01.20.0", null, null);
    assertThat(backslash.status()).isEqualTo(400);
    assertThat(code(backslash)).isEqualTo("InvalidUri");
    assertThat(forwarded.get()).isEqualTo(before);
  }

  @Test
  void formAndMultipartBodiesAreUnsupportedMediaTypeNotServerBusy() throws Exception {
    int before = forwarded.get();
    Answer form = send("POST", "/pools?api-version=2024-07-01.20.0", "application/x-www-form-urlencoded", "id=p1&vmSize=x".getBytes(StandardCharsets.UTF_8));
    assertThat(form.status()).isEqualTo(415);
    assertThat(code(form)).isEqualTo("UnsupportedMediaType");
    Answer multipart =
        send("POST", "/jobs/j1/tasks?api-version=2024-07-01.20.0", "multipart/form-data; boundary=b", "--b\r\n\r\nx\r\n--b--\r\n".getBytes(StandardCharsets.UTF_8));
    assertThat(multipart.status()).isEqualTo(415);
    assertThat(forwarded.get()).isEqualTo(before);
  }

  @Test
  void aHugeBodyIsRequestBodyTooLarge() throws Exception {
    byte[] body = new byte[3 * 1024 * 1024];
    java.util.Arrays.fill(body, (byte) ' ');
    Answer big = send("POST", "/pools?api-version=2024-07-01.20.0", "application/json", body);
    assertThat(big.status()).isEqualTo(413);
    assertThat(code(big)).isEqualTo("RequestBodyTooLarge");
  }

  @Test
  void anEmptyApiVersionChangesNothing() throws Exception {
    int before = forwarded.get();
    Answer delete = send("DELETE", "/pools/p1?api-version=", null, null);
    assertThat(delete.status()).isEqualTo(400);
    assertThat(code(delete)).isEqualTo("InvalidQueryParameterValue");
    assertThat(forwarded.get()).isEqualTo(before);
  }

  @Test
  void aWrongMethodIsUnsupportedHttpVerb() throws Exception {
    Answer put = send("PUT", "/pools?api-version=2024-07-01.20.0", "application/json", "{}".getBytes(StandardCharsets.UTF_8));
    assertThat(put.status()).isEqualTo(405);
    assertThat(code(put)).isEqualTo("UnsupportedHttpVerb");
  }

  @Test
  void aValidAddIsForwarded() throws Exception {
    int before = forwarded.get();
    Answer ok =
        send("POST", "/pools?api-version=2024-07-01.20.0", "application/json; odata=minimalmetadata; charset=utf-8",
            "{\"id\":\"p1\",\"vmSize\":\"standard_d2s_v3\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(ok.status()).isEqualTo(201);
    assertThat(forwarded.get()).isEqualTo(before + 1);
  }
}
