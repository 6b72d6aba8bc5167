package dev.lote.autoscaler;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server that answers what the job-service answers the autoscaler: a pool's task
 * counts, {@code GET /internal/pools/{poolId}/task-counts}. Pools it was not told about get 503.
 */
final class FakeJobService implements AutoCloseable {

  private final HttpServer server;
  private final Map<String, long[]> counts = new ConcurrentHashMap<>();

  FakeJobService() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.createContext("/internal/pools/", this::answer);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** From now on the pool has these many queued and running tasks. */
  void counts(String poolId, long active, long running) {
    counts.put(poolId.toLowerCase(Locale.ROOT), new long[] {active, running});
  }

  /** From now on the pool's counts cannot be read. */
  void unavailable(String poolId) {
    counts.remove(poolId.toLowerCase(Locale.ROOT));
  }

  private void answer(HttpExchange exchange) throws IOException {
    String[] path = exchange.getRequestURI().getPath().split("/");
    long[] c = path.length == 5 && "task-counts".equals(path[4]) ? counts.get(path[3].toLowerCase(Locale.ROOT)) : null;
    boolean known = c != null && "lote".equals(exchange.getRequestHeaders().getFirst("X-Lote-Account"));
    byte[] body =
        (known ? "{\"poolId\":\"" + path[3] + "\",\"active\":" + c[0] + ",\"running\":" + c[1] + "}" : "{}")
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(known ? 200 : 503, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
