package dev.lote.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

/** Real HTTP servers on loopback that stand in for the services behind the gateway in its tests. */
final class StandIns {

  private StandIns() {}

  /** A started server with these contexts (path prefix to handler), on a free port. */
  static HttpServer serve(Map<String, HttpHandler> contexts) {
    try {
      HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      contexts.forEach(s::createContext);
      s.start();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The account-service's {@code /internal/accounts/} for one account, {@code lote}, with this key. */
  static HttpHandler accountWithKey(String key) {
    return ex -> reply(ex, 200, "{\"name\":\"lote\",\"keys\":[\"" + key + "\"]}");
  }

  static String url(HttpServer server) {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
