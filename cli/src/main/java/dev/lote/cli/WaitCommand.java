package dev.lote.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Waits until every URL answers 200: how ./lote knows the services have started. Gives up early
 * when a process it was told about is restarted meanwhile, which on a fresh start means it failed.
 */
@Command(name = "wait", description = "Wait until each URL answers HTTP 200.")
public final class WaitCommand implements Callable<Integer> {

  /** Exit status when a watched restart count grew: waiting longer would not help. */
  static final int RESTARTED = 3;

  @Option(names = "--timeout", defaultValue = "120", description = "seconds")
  int timeoutSeconds;

  @Option(
      names = "--restarts",
      paramLabel = "FILE",
      description = "a file holding how often a process was restarted (repeatable); waiting stops when one grows")
  List<Path> restartFiles = new ArrayList<>();

  @Option(
      names = "--restart-limit",
      defaultValue = "1",
      description = "how many restarts of one process during the wait mean it is failing, not starting late")
  int restartLimit;

  @Parameters(arity = "1..*", paramLabel = "URL")
  List<String> urls;

  @Override
  public Integer call() throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    List<String> pending = new ArrayList<>(urls);
    Map<Path, Long> before = new LinkedHashMap<>();
    restartFiles.forEach(f -> before.put(f, count(f)));
    long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
    while (!pending.isEmpty() && System.nanoTime() < deadline) {
      pending.removeIf(u -> answers(http, u));
      for (var e : before.entrySet()) {
        long now = count(e.getKey());
        if (now - e.getValue() >= restartLimit) {
          System.err.println("lote: " + e.getKey().getFileName() + " went from " + e.getValue() + " to " + now + " while waiting");
          return RESTARTED;
        }
      }
      if (!pending.isEmpty()) {
        Thread.sleep(100);
      }
    }
    if (pending.isEmpty()) {
      return 0;
    }
    System.err.println("lote: no answer within " + timeoutSeconds + " s from " + String.join(", ", pending));
    return 1;
  }

  /** The number a restart file holds; 0 when it is missing or not written yet. */
  static long count(Path file) {
    try {
      String s = Files.readString(file).trim();
      return s.isEmpty() ? 0 : Long.parseLong(s);
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  private static boolean answers(HttpClient http, String url) {
    try {
      HttpResponse<Void> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(),
              HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }
}
