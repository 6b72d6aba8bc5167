package dev.lote.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import dev.lote.common.auth.SharedKey;

/**
 * The operator API of a stack started with {@code ./lote up --test-mode}: read the stack's clock,
 * move it forward, preempt a low-priority node, make a node unusable, restart a node's host. Each call is signed with the account's key, as a
 * Batch call is.
 */
@Command(
    name = "test",
    description = "Drive a stack started with ./lote up --test-mode.",
    subcommands = {
      TestModeCommand.Clock.class, TestModeCommand.Advance.class, TestModeCommand.Preempt.class, TestModeCommand.Unusable.class,
      TestModeCommand.Reboot.class
    })
public final class TestModeCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  @Command(name = "clock", description = "Print the stack's time and how far it is ahead of the system clock.")
  static final class Clock implements Callable<Integer> {
    @Mixin BatchSession session;

    @Override
    public Integer call() throws Exception {
      return print(send(session, "GET", "/lote/test/clock", null));
    }
  }

  @Command(name = "advance", description = "Move the clock of every service forward, e.g. 'advance PT15M' (ISO-8601).")
  static final class Advance implements Callable<Integer> {
    @Mixin BatchSession session;

    @Parameters(paramLabel = "DURATION", description = "ISO-8601 duration such as PT15M or P1D")
    String by;

    @Override
    public Integer call() throws Exception {
      return print(send(session, "POST", "/lote/test/clock", "{\"advanceBy\":\"" + by.replace("\"", "") + "\"}"));
    }
  }

  @Command(name = "preempt", description = "Preempt a low-priority node: its tasks are queued again.")
  static final class Preempt implements Callable<Integer> {
    @Mixin BatchSession session;

    @Parameters(index = "0", paramLabel = "POOL")
    String pool;

    @Parameters(index = "1", paramLabel = "NODE")
    String node;

    @Override
    public Integer call() throws Exception {
      return print(send(session, "POST", "/lote/test/pools/" + pool + "/nodes/" + node + "/preempt", ""));
    }
  }

  @Command(
      name = "unusable",
      description = "Make a node unusable with an error of your choosing: its tasks are queued again; a reboot or reimage brings it back.")
  static final class Unusable implements Callable<Integer> {
    @Mixin BatchSession session;

    @Parameters(index = "0", paramLabel = "POOL")
    String pool;

    @Parameters(index = "1", paramLabel = "NODE")
    String node;

    @Option(names = "--code", paramLabel = "CODE", description = "the error's code in the node's errors (default InjectedFault)")
    String code;

    @Option(names = "--message", paramLabel = "MESSAGE", description = "the error's message")
    String message;

    @Override
    public Integer call() throws Exception {
      Map<String, String> body = new java.util.LinkedHashMap<>();
      if (code != null) {
        body.put("code", code);
      }
      if (message != null) {
        body.put("message", message);
      }
      return print(send(session, "POST", "/lote/test/pools/" + pool + "/nodes/" + node + "/unusable", JSON.writeValueAsString(body)));
    }
  }

  @Command(
      name = "reboot",
      description = "Restart a node's host without warning: its agent and tasks are killed at once, its tasks queued again, and the node starts over.")
  static final class Reboot implements Callable<Integer> {
    @Mixin BatchSession session;

    @Parameters(index = "0", paramLabel = "POOL")
    String pool;

    @Parameters(index = "1", paramLabel = "NODE")
    String node;

    @Override
    public Integer call() throws Exception {
      return print(send(session, "POST", "/lote/test/pools/" + pool + "/nodes/" + node + "/reboot", ""));
    }
  }

  private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();

  private static int print(HttpResponse<String> res) {
    if (res.statusCode() / 100 == 2) {
      System.out.println(res.body().isEmpty() ? res.statusCode() : res.body());
      return 0;
    }
    System.err.println("HTTP " + res.statusCode() + ": " + (res.statusCode() == 404 ? "is the stack in test mode (./lote up --test-mode)? " : "") + res.body());
    return 1;
  }

  /** One call signed with SharedKey, as the Batch SDKs sign theirs. */
  static HttpResponse<String> send(BatchSession session, String method, String path, String body) throws IOException, InterruptedException {
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    String contentType = body == null ? null : "application/json; charset=utf-8";
    String length = body == null || bytes.length == 0 ? null : Integer.toString(bytes.length);
    Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.put("ocp-date", date);
    if (contentType != null) {
      headers.put("Content-Type", contentType);
    }
    if (length != null) {
      headers.put("Content-Length", length);
    }
    String toSign = SharedKey.stringToSign(new SharedKey.Request(method, path, null, headers::get, List.copyOf(headers.keySet())), session.account, null);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(session.endpoint.replaceAll("/+$", "") + path))
            .timeout(Duration.ofSeconds(30))
            .header("ocp-date", date)
            .header("Authorization", "SharedKey " + session.account + ":" + SharedKey.sign(session.key, toSign))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
