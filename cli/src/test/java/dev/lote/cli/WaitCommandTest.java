package dev.lote.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import picocli.CommandLine;

class WaitCommandTest {

  private HttpServer server;
  private final AtomicInteger status = new AtomicInteger(503);
  private String url;

  @BeforeEach
  void server() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/actuator/health", exchange -> {
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
    Thread later = new Thread(() -> {
      sleep(500);
      status.set(200);
    });
    later.start();
    assertThat(run("--timeout", "30", "--restarts", restarts.toString(), url)).isZero();
    later.join();
  }

  @Test
  void givesUpAsSoonAsAWatchedProcessIsRestarted(@TempDir Path dir) throws Exception {
    Path restarts = Files.writeString(dir.resolve("job-service.restarts"), "0\n");
    Path notYetWritten = dir.resolve("gateway.failed-starts");
    Thread failing = new Thread(() -> {
      sleep(300);
      write(notYetWritten, "1\n");
    });
    failing.start();
    long t0 = System.nanoTime();
    int exit = run("--timeout", "60", "--restarts", restarts.toString(), "--restarts", notYetWritten.toString(), url);
    failing.join();
    assertThat(exit).isEqualTo(WaitCommand.RESTARTED);
    // it did not wait out its 60 s
    assertThat((System.nanoTime() - t0) / 1_000_000_000L).isLessThan(30);
  }

  @Test
  void oneRestartBelowTheLimitIsAStartThatCameTooEarlyAndWaitingGoesOn(@TempDir Path dir) throws Exception {
    Path restarts = Files.writeString(dir.resolve("pool-service.failed-starts"), "0\n");
    Thread later = new Thread(() -> {
      sleep(200);
      write(restarts, "1\n");
      sleep(300);
      status.set(200);
    });
    later.start();
    assertThat(run("--timeout", "30", "--restart-limit", "2", "--restarts", restarts.toString(), url)).isZero();
    later.join();
  }

  @Test
  void reportsTheUrlsThatNeverAnswered() {
    assertThat(run("--timeout", "1", url)).isEqualTo(1);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
