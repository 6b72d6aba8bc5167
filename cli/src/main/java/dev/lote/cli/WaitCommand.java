package dev.lote.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Waits until every URL answers 200: how ./lote knows the services have started. */
@Command(name = "wait", description = "Wait until each URL answers HTTP 200.")
public final class WaitCommand implements Callable<Integer> {

  @Option(names = "--timeout", defaultValue = "120", description = "seconds")
  int timeoutSeconds;

  @Parameters(arity = "1..*", paramLabel = "URL")
  List<String> urls;

  @Override
  public Integer call() throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    List<String> pending = new ArrayList<>(urls);
    long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
    while (!pending.isEmpty() && System.nanoTime() < deadline) {
      pending.removeIf(u -> answers(http, u));
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
