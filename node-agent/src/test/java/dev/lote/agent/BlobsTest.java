package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/** The Blob REST calls against a stand-in Blob service that records what it was sent. */
class BlobsTest {

  /** One request as the stand-in received it. */
  record Received(String method, String pathAndQuery, Map<String, List<String>> headers, String body) {}

  @TempDir Path tmp;

  HttpServer server;
  final List<Received> received = new CopyOnWriteArrayList<>();
  volatile Responder responder;

  interface Responder {
    void answer(HttpExchange ex) throws IOException;
  }

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        ex -> {
          String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          received.add(new Received(ex.getRequestMethod(), ex.getRequestURI().getRawPath() + "?" + ex.getRequestURI().getRawQuery(), ex.getRequestHeaders(), body));
          responder.answer(ex);
          ex.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  String container() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/acct/c?sv=1&sig=secret";
  }

  static void reply(HttpExchange ex, int status, String body, String errorCode) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (errorCode != null) {
      ex.getResponseHeaders().add("x-ms-error-code", errorCode);
    }
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    ex.getResponseBody().write(bytes);
  }

  @Test
  void aListingFollowsNextMarkerKeepsTheSasAndLeavesDirectoriesOut() throws IOException {
    responder =
        ex -> {
          boolean second = ex.getRequestURI().getRawQuery().contains("marker=page%202");
          reply(
              ex,
              200,
              second
                  ? "<EnumerationResults><Blobs><Blob><Name>in/c.txt</Name></Blob></Blobs><NextMarker/></EnumerationResults>"
                  : "<EnumerationResults><Blobs><Blob><Name>in/a.txt</Name></Blob><Blob><Name>in/dir/</Name></Blob>"
                      + "<BlobPrefix><Name>in/x/</Name></BlobPrefix><Blob><Name>in/b.txt</Name></Blob></Blobs>"
                      + "<NextMarker>page 2</NextMarker></EnumerationResults>",
              null);
        };

    assertThat(Blobs.list(container(), "in/")).containsExactly("in/a.txt", "in/b.txt", "in/c.txt");
    assertThat(received).extracting(Received::pathAndQuery)
        .containsExactly(
            "/acct/c?sv=1&sig=secret&restype=container&comp=list&prefix=in%2F",
            "/acct/c?sv=1&sig=secret&restype=container&comp=list&prefix=in%2F&marker=page%202");
  }

  @Test
  void aRefusedListingNamesTheContainerWithoutItsSignature() {
    responder = ex -> reply(ex, 403, "", "AuthorizationFailure");

    assertThatThrownBy(() -> Blobs.list(container(), null))
        .hasMessage("listing the container http://127.0.0.1:" + server.getAddress().getPort() + "/acct/c answered HTTP 403 (AuthorizationFailure)")
        .hasMessageNotContaining("secret");
  }

  @Test
  void aSmallFileGoesUpInOnePutBlobWithItsHeaders() throws IOException {
    responder = ex -> reply(ex, 201, "", null);
    Path file = Files.writeString(tmp.resolve("r.txt"), "result");

    try (SeekableByteChannel ch = Files.newByteChannel(file)) {
      Blobs.upload(Blobs.blobUri(container(), "out/r.txt"), ch, ch.size(), Map.of("Content-Type", "text/plain"));
    }

    assertThat(received).singleElement().satisfies(r -> {
      assertThat(r.method()).isEqualTo("PUT");
      assertThat(r.pathAndQuery()).isEqualTo("/acct/c/out/r.txt?sv=1&sig=secret");
      assertThat(r.headers().get("X-ms-blob-type")).containsExactly("BlockBlob");
      assertThat(r.headers().get("Content-type")).containsExactly("text/plain");
      assertThat(r.headers().get("Content-length")).containsExactly("6");
      assertThat(r.body()).isEqualTo("result");
    });
  }

  @Test
  void aLargeFileGoesUpInBlocksThenABlockListThatSetsItsProperties() throws IOException {
    responder = ex -> reply(ex, 201, "", null);
    Path file = Files.writeString(tmp.resolve("big.txt"), "0123456789");

    try (SeekableByteChannel ch = Files.newByteChannel(file)) {
      Blobs.upload(Blobs.blobUri(container(), "big.txt"), ch, ch.size(), Map.of("Content-Type", "text/plain"), 4, 4);
    }

    assertThat(received).extracting(Received::body).containsExactly(
        "0123",
        "4567",
        "89",
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList><Latest>YmxvY2stMDAwMDAwMDA=</Latest>"
            + "<Latest>YmxvY2stMDAwMDAwMDE=</Latest><Latest>YmxvY2stMDAwMDAwMDI=</Latest></BlockList>");
    assertThat(received.get(0).pathAndQuery()).isEqualTo("/acct/c/big.txt?sv=1&sig=secret&comp=block&blockid=YmxvY2stMDAwMDAwMDA%3D");
    assertThat(received.get(3).pathAndQuery()).isEqualTo("/acct/c/big.txt?sv=1&sig=secret&comp=blocklist");
    assertThat(received.get(3).headers().get("X-ms-blob-content-type")).containsExactly("text/plain");
  }

  @Test
  void aFailedUploadSaysTheServicesErrorCodeWithoutTheSignature() throws IOException {
    responder = ex -> reply(ex, 404, "", "ContainerNotFound");
    Path file = Files.writeString(tmp.resolve("r.txt"), "result");

    try (SeekableByteChannel ch = Files.newByteChannel(file)) {
      assertThatThrownBy(() -> Blobs.upload(URI.create(container().replace("/c?", "/c/r.txt?")), ch, ch.size(), Map.of()))
          .hasMessageEndingWith("/acct/c/r.txt answered HTTP 404 (ContainerNotFound)")
          .hasMessageNotContaining("secret");
    }
    assertThat(received).as("an answer that will not change is not asked again").hasSize(1);
  }

  @Test
  void anUploadTheServiceCouldNotTakeIsTriedAgainFromTheStartOfTheFile() throws IOException {
    AtomicInteger calls = new AtomicInteger();
    responder = ex -> {
      if (calls.incrementAndGet() <= 2) {
        reply(ex, 503, "", "ServerBusy");
      } else {
        reply(ex, 201, "", null);
      }
    };
    Path file = Files.writeString(tmp.resolve("r.txt"), "result");

    try (SeekableByteChannel ch = Files.newByteChannel(file)) {
      Blobs.upload(Blobs.blobUri(container(), "out/r.txt"), ch, ch.size(), Map.of());
    }

    assertThat(received).extracting(Received::body).containsExactly("result", "result", "result");
  }

  @Test
  void aServiceThatKeepsFailingIsAskedFourTimesThenTheUploadFailsWithItsLastAnswer() throws IOException {
    responder = ex -> reply(ex, 500, "", "InternalError");
    Path file = Files.writeString(tmp.resolve("r.txt"), "result");

    try (SeekableByteChannel ch = Files.newByteChannel(file)) {
      assertThatThrownBy(() -> Blobs.upload(Blobs.blobUri(container(), "r.txt"), ch, ch.size(), Map.of()))
          .hasMessageEndingWith("/acct/c/r.txt answered HTTP 500 (InternalError)");
    }
    assertThat(received).hasSize(Blobs.ATTEMPTS);
  }

  @Test
  void aBlockTheServiceCouldNotTakeIsSentAgainAloneAndTheBlobIsWhole() throws IOException {
    AtomicInteger calls = new AtomicInteger();
    responder = ex -> reply(ex, calls.incrementAndGet() == 2 ? 500 : 201, "", null);
    Path file = Files.writeString(tmp.resolve("big.txt"), "0123456789");

    try (SeekableByteChannel ch = Files.newByteChannel(file)) {
      Blobs.upload(Blobs.blobUri(container(), "big.txt"), ch, ch.size(), Map.of(), 4, 4);
    }

    assertThat(received).extracting(Received::body).startsWith("0123", "4567", "4567", "89");
    assertThat(received).hasSize(5);
  }
}
