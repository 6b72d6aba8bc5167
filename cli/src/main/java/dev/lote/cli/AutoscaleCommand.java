package dev.lote.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Autoscale tools: replay a formula over a pool's recorded metrics before enabling it. */
@Command(name = "autoscale", description = "Autoscale tools.", subcommands = AutoscaleCommand.Replay.class)
public final class AutoscaleCommand {

  @Command(
      name = "replay",
      description = "Evaluate a formula against a pool's recorded metrics and print, per evaluation, what it would have set.")
  public static final class Replay implements Callable<Integer> {

    private static final Pattern SHORT = Pattern.compile("(\\d+)([smhd])");

    @Parameters(index = "0", paramLabel = "POOL")
    String pool;

    @Option(names = "--formula", required = true, paramLabel = "FILE", description = "the formula's text; - reads standard input")
    String formula;

    @Option(names = "--since", defaultValue = "2h", description = "how far back to start: 90s, 30m, 2h, 1d or ISO-8601 (PT2H)")
    String since;

    @Option(names = "--every", description = "time between evaluations (default: the pool's autoscale interval, else 5m)")
    String every;

    @Option(names = "--account", defaultValue = "lote")
    String account;

    @Option(names = "--autoscaler", defaultValue = "http://127.0.0.1:8085", description = "the autoscaler service's URL")
    String autoscaler;

    @Override
    public Integer call() throws IOException, InterruptedException {
      String text = formula.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : Files.readString(Path.of(formula));
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("account", account);
      body.put("poolId", pool);
      body.put("formula", text);
      body.put("since", iso(since));
      if (every != null) {
        body.put("every", iso(every));
      }
      ObjectMapper json = new ObjectMapper();
      HttpResponse<String> r;
      try {
        r = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(autoscaler + "/internal/replay"))
                .timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json")
                // the autoscaler answers Lote's own parts only; ./lote passes the stack's secret
                .header("X-Lote-Internal-Secret", System.getenv().getOrDefault("LOTE_INTERNAL_SECRET", ""))
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        System.err.println("lote: the autoscaler does not answer at " + autoscaler + " (is the stack up? ./lote up): " + e.getMessage());
        return 1;
      }
      JsonNode replay = json.readTree(r.body());
      if (r.statusCode() != 200) {
        JsonNode message = replay.path("message").path("value");
        System.err.println("lote: " + (message.isMissingNode() ? r.body() : message.asText()));
        return 1;
      }
      System.out.printf("pool %s, %d samples, one evaluation every %s%n", replay.path("poolId").asText(), replay.path("samples").asInt(), replay.path("every").asText());
      System.out.printf("%-24s %8s %6s %7s  %s%n", "time", "pending", "nodes", "target", "results or error");
      for (JsonNode step : replay.path("evaluations")) {
        JsonNode error = step.path("error");
        String outcome =
            error.isMissingNode() || error.isNull()
                ? step.path("results").asText()
                : error.path("code").asText() + ": " + error.path("values").path(0).path("value").asText(error.path("message").asText());
        System.out.printf(
            "%-24s %8s %6s %7s  %s%n",
            step.path("time").asText(),
            number(step.path("pendingTasks")),
            number(step.path("currentDedicatedNodes")),
            number(step.path("targetDedicatedNodes")),
            outcome);
      }
      return 0;
    }

    private static String number(JsonNode n) {
      return n.isNumber() ? String.valueOf((long) n.asDouble()) : "-";
    }

    /** 90s, 30m, 2h, 1d, or an ISO-8601 duration as it is. */
    static String iso(String value) {
      Matcher m = SHORT.matcher(value.trim().toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        return value;
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "s" -> "PT" + n + "S";
        case "m" -> "PT" + n + "M";
        case "h" -> "PT" + n + "H";
        default -> "P" + n + "D";
      };
    }
  }
}
