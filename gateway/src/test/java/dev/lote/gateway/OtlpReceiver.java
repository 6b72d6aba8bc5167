package dev.lote.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.sun.net.httpserver.HttpServer;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;

/** A real OTLP/HTTP traces endpoint on loopback: it decodes every export request and keeps its spans. */
final class OtlpReceiver implements AutoCloseable {

  /** One received span, its ids in hex and its attributes as strings. */
  record Received(String service, String traceId, String spanId, String parentSpanId, String name, String kind, Map<String, String> attributes) {}

  private final HttpServer server;
  private final ConcurrentLinkedQueue<Received> spans = new ConcurrentLinkedQueue<>();

  OtlpReceiver() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/v1/traces",
        ex -> {
          ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(ex.getRequestBody().readAllBytes());
          for (ResourceSpans rs : request.getResourceSpansList()) {
            String service = strings(rs.getResource().getAttributesList()).get("service.name");
            for (ScopeSpans ss : rs.getScopeSpansList()) {
              for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList()) {
                spans.add(
                    new Received(
                        service, hex(s.getTraceId().toByteArray()), hex(s.getSpanId().toByteArray()), hex(s.getParentSpanId().toByteArray()),
                        s.getName(), s.getKind().name(), strings(s.getAttributesList())));
              }
            }
          }
          byte[] body = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
          ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
          ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  /** The base URL to configure as the OTLP endpoint. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  List<Received> spans() {
    return List.copyOf(spans);
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static Map<String, String> strings(List<KeyValue> attributes) {
    Map<String, String> out = new TreeMap<>();
    for (KeyValue kv : attributes) {
      AnyValue v = kv.getValue();
      out.put(kv.getKey(), v.hasStringValue() ? v.getStringValue() : v.hasIntValue() ? Long.toString(v.getIntValue()) : v.toString().trim());
    }
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
