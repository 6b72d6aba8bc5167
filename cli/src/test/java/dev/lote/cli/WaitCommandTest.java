package dev.lote.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import picocli.CommandLine;

/**
 * {@code lote wait} against a real HTTP server whose health answer, and the restart files beside
 * it, change as the waiting goes on: each test says what happens at the n-th health request.
 */
class WaitCommandTest {

  private HttpServer server;
  private final AtomicInteger status = new AtomicInteger(503);
  private final AtomicInteger requests = new AtomicInteger();
  private final Map<Integer, Runnable> atRequest = new ConcurrentHashMap<>();
  private String url;

  @BeforeEach
  void server() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/actuator/health", exchange -> {
      atRequest.getOrDefault(requests.incrementAndGet(), () -> {}).run();
      exchange.sendResponseHeaders(status.get(), -1);
      exchange.close();
    });
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort() + "/actuator/health";
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static int run(String... args) {
    return new CommandLine(new WaitCommand()).execute(args);
  }

  @Test
  void returnsOnceTheUrlAnswers200EvenWhenAProcessWasRestartedBeforeTheWaitBegan(@TempDir Path dir) throws Exception {
    Path restarts = Files.writeString(dir.resolve("gateway.restarts"), "2\n");
    atRequest.put(3, () -> status.set(200));
    assertThat(run("--timeout", "30", "--restarts", restarts.toString(), url)).isZero();
    assertThat(requests.get()).isEqualTo(3);
  }

  @Test
  void givesUpAsSoonAsAWatchedProcessIsRestarted(@TempDir Path dir) throws Exception {
    Path restarts = Files.writeString(dir.resolve("job-service.restarts"), "0\n");
    Path notYetWritten = dir.resolve("gateway.failed-starts");
    atRequest.put(2, () -> write(notYetWritten, "1\n"));
    int exit = run("--timeout", "60", "--restarts", restarts.toString(), "--restarts", notYetWritten.toString(), url);
    assertThat(exit).isEqualTo(WaitCommand.RESTARTED);
    // it stopped at the first look after the restart, not at its 60 s timeout
    assertThat(requests.get()).isEqualTo(2);
  }

  @Test
  void oneRestartBelowTheLimitIsAStartThatCameTooEarlyAndWaitingGoesOn(@TempDir Path dir) throws Exception {
    Path restarts = Files.writeString(dir.resolve("pool-service.failed-starts"), "0\n");
    atRequest.put(2, () -> write(restarts, "1\n"));
    atRequest.put(4, () -> status.set(200));
    assertThat(run("--timeout", "30", "--restart-limit", "2", "--restarts", restarts.toString(), url)).isZero();
    assertThat(requests.get()).isEqualTo(4);
  }

  @Test
  void reportsTheUrlsThatNeverAnswered() {
    assertThat(run("--timeout", "1", url)).isEqualTo(1);
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
