package dev.lote.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.lote.support.test.LoteServiceTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The answers a service's web server gives on its own are Batch errors, as every service's are (service-support). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ErrorPagesTest extends LoteServiceTest {

  @LocalServerPort int port;

  record Answer(int status, String body) {}

  Answer send(String requestLineAndHeaders) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      OutputStream out = s.getOutputStream();
      out.write((requestLineAndHeaders + "Host: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String head = text.substring(0, text.indexOf("\r\n\r\n"));
      String body = text.substring(text.indexOf("\r\n\r\n") + 4);
      if (head.toLowerCase().contains("transfer-encoding: chunked")) {
        body = body.substring(body.indexOf("\r\n") + 2, body.lastIndexOf("\r\n0\r\n"));
      }
      return new Answer(Integer.parseInt(head.substring(9, 12)), body);
    }
  }

  static String code(Answer a) {
    JsonNode e = JsonMapper.builder().build().readTree(a.body());
    assertThat(e.get("message").get("lang").asString()).isEqualTo("en-US");
    return e.get("code").asString();
  }

  @Test
  void anEncodedNulOrBackslashInThePathIsABatchError() throws Exception {
    Answer nul = send("GET /internal/accounts/a%00b HTTP/1.1\r\n");
    assertThat(nul.status()).isEqualTo(400);
    assertThat(code(nul)).isEqualTo("InvalidUri");
    Answer backslash = send("GET /internal/accounts/a%5Cb HTTP/1.1\r\n");
    assertThat(backslash.status()).isEqualTo(400);
    assertThat(code(backslash)).isEqualTo("InvalidUri");
  }

  @Test
  void aWrongMethodAndAnAcceptTheServiceCannotMeetAreBatchErrors() throws Exception {
    Answer delete = send("DELETE /internal/accounts/lote HTTP/1.1\r\n");
    assertThat(delete.status()).isEqualTo(405);
    assertThat(code(delete)).isEqualTo("UnsupportedHttpVerb");
    Answer xml = send("GET /internal/accounts/lote HTTP/1.1\r\nAccept: application/xml\r\n");
    assertThat(xml.status()).isEqualTo(406);
    assertThat(code(xml)).isEqualTo("InvalidHeaderValue");
  }

  @Test
  void theErrorPageAskedForDirectlyIsNotFound() throws Exception {
    Answer direct = send("GET /lote-error HTTP/1.1\r\n");
    assertThat(direct.status()).isEqualTo(404);
    assertThat(code(direct)).isEqualTo("ResourceNotFound");
  }
}
