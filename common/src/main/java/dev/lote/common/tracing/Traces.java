package dev.lote.common.tracing;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;

/**
 * Lote's traces: OpenTelemetry spans exported over OTLP/HTTP when an endpoint is configured, and
 * nothing at all otherwise ({@link #off()} makes no-op spans, and the helpers that read the
 * current span find none).
 *
 * <p>A trace crosses the parts of Lote as a W3C {@code traceparent}: on the forwarded HTTP request,
 * in a Kafka header of every event written through the outbox, and in the {@code TRACEPARENT}
 * environment variable of a task's process. The gateway starts each trace; when the client sent a
 * {@code client-request-id} that is a UUID, the trace id is that UUID's 32 hex digits, so the trace
 * of any SDK call is found by the id the client chose ({@link #traceIdOf}).
 */
public final class Traces implements AutoCloseable {

  /** The W3C header (HTTP and Kafka) that carries the span a receiver continues. */
  public static final String TRACEPARENT = "traceparent";
  /** The same in a process's environment (OpenTelemetry's environment-carrier convention). */
  public static final String TRACEPARENT_VARIABLE = "TRACEPARENT";

  /** Where the endpoint is looked up, in this order, as Spring property names (environment: upper case, '_' for '.'). */
  public static final String[] ENDPOINT_PROPERTIES = {
    "lote.otlp.endpoint", "management.otlp.tracing.endpoint", "otel.exporter.otlp.traces.endpoint", "otel.exporter.otlp.endpoint"
  };

  public static final AttributeKey<String> CLIENT_REQUEST_ID = AttributeKey.stringKey("lote.client_request_id");
  public static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("lote.request_id");
  public static final AttributeKey<String> ACCOUNT = AttributeKey.stringKey("lote.account");
  public static final AttributeKey<String> OPERATION = AttributeKey.stringKey("lote.operation");
  public static final AttributeKey<String> EVENT_TYPE = AttributeKey.stringKey("lote.event_type");
  public static final AttributeKey<String> EVENT_ID = AttributeKey.stringKey("lote.event_id");
  public static final AttributeKey<String> JOB_ID = AttributeKey.stringKey("lote.job_id");
  public static final AttributeKey<String> TASK_ID = AttributeKey.stringKey("lote.task_id");
  public static final AttributeKey<String> NODE_ID = AttributeKey.stringKey("lote.node_id");
  public static final AttributeKey<String> POOL_ID = AttributeKey.stringKey("lote.pool_id");

  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final Traces OFF = new Traces(null, OpenTelemetry.noop().getTracer("lote"));

  private final OpenTelemetrySdk sdk;
  private final Tracer tracer;

  private Traces(OpenTelemetrySdk sdk, Tracer tracer) {
    this.sdk = sdk;
    this.tracer = tracer;
  }

  /** No traces: spans are no-ops and nothing is exported. */
  public static Traces off() {
    return OFF;
  }

  /**
   * Traces exported to {@code endpoint}, or {@link #off()} when it is null or blank.
   *
   * @param endpoint    the collector's OTLP/HTTP base URL ({@code http://collector:4318}) or its
   *     traces URL (ending in {@code /v1/traces})
   * @param attributes  more resource attributes (the node a node agent runs, for one)
   */
  public static Traces start(String serviceName, String endpoint, Map<String, String> attributes) {
    if (endpoint == null || endpoint.isBlank()) {
      return OFF;
    }
    AttributesBuilder resource = Attributes.builder().put(SERVICE_NAME, serviceName);
    attributes.forEach((k, v) -> {
      if (v != null) {
        resource.put(AttributeKey.stringKey(k), v);
      }
    });
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(tracesUrl(endpoint)).setTimeout(Duration.ofSeconds(10)).build();
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(Resource.getDefault().merge(Resource.create(resource.build())))
            .setIdGenerator(KeyedIds.INSTANCE)
            .setSampler(Sampler.parentBased(Sampler.alwaysOn()))
            .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofSeconds(1)).build())
            .build();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider).build();
    return new Traces(sdk, sdk.getTracer("dev.lote"));
  }

  /** The first of {@link #ENDPOINT_PROPERTIES} that {@code lookup} knows and is not blank; null for none. */
  public static String endpoint(Function<String, String> lookup) {
    for (String name : ENDPOINT_PROPERTIES) {
      String v = lookup.apply(name);
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }

  /** {@link #endpoint} from environment variables ({@code LOTE_OTLP_ENDPOINT}, {@code OTEL_EXPORTER_OTLP_ENDPOINT}, ...). */
  public static String endpointFromEnvironment(Map<String, String> env) {
    return endpoint(name -> env.get(name.toUpperCase(Locale.ROOT).replace('.', '_')));
  }

  /** The URL spans are posted to: the endpoint as given if it names {@code /v1/traces}, else with it appended. */
  static String tracesUrl(String endpoint) {
    String e = endpoint.trim();
    if (e.endsWith("/v1/traces")) {
      return e;
    }
    return (e.endsWith("/") ? e.substring(0, e.length() - 1) : e) + "/v1/traces";
  }

  public boolean enabled() {
    return sdk != null;
  }

  public Tracer tracer() {
    return tracer;
  }

  /** A span builder whose parent is the span {@code traceparent} names, or the current span when it names none. */
  public SpanBuilder span(String name, SpanKind kind, String traceparent) {
    SpanBuilder b = tracer.spanBuilder(name).setSpanKind(kind);
    SpanContext parent = parse(traceparent);
    if (parent.isValid()) {
      b.setParent(Context.root().with(Span.wrap(parent)));
    }
    return b;
  }

  /**
   * Starts a span that begins a trace: with {@code traceId} (32 lower-case hex digits, as
   * {@link #traceIdOf} makes) when it is valid, else a random one.
   */
  public Span startTrace(SpanBuilder builder, String traceId) {
    builder.setNoParent();
    if (traceId == null || !TraceId.isValid(traceId)) {
      return builder.startSpan();
    }
    KeyedIds.NEXT.set(traceId);
    try {
      return builder.startSpan();
    } finally {
      KeyedIds.NEXT.remove();
    }
  }

  /**
   * The trace id a client request id stands for: a UUID's 32 hex digits without the dashes, in
   * lower case; null for anything else (and for the nil UUID, which is not a valid trace id).
   */
  public static String traceIdOf(String clientRequestId) {
    if (clientRequestId == null) {
      return null;
    }
    clientRequestId = clientRequestId.trim();
    if (clientRequestId.length() != 36) {
      return null;
    }
    UUID uuid;
    try {
      uuid = UUID.fromString(clientRequestId);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (!uuid.toString().equalsIgnoreCase(clientRequestId)) {
      return null; // UUID.fromString accepts shortened groups; a client request id must be the canonical form
    }
    String id = TraceId.fromLongs(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
    return TraceId.isValid(id) ? id : null;
  }

  /** The W3C form of a span context ({@code 00-<trace id>-<span id>-<flags>}); null if it is not valid. */
  public static String traceparent(SpanContext c) {
    if (c == null || !c.isValid()) {
      return null;
    }
    return "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex();
  }

  /** The traceparent of the current span; null when there is none (always when traces are off). */
  public static String currentTraceparent() {
    return traceparent(Span.current().getSpanContext());
  }

  /** The remote span context a W3C traceparent names; {@link SpanContext#getInvalid()} for anything else. */
  public static SpanContext parse(String traceparent) {
    if (traceparent == null || traceparent.length() != 55) {
      return SpanContext.getInvalid();
    }
    String[] parts = traceparent.split("-");
    if (parts.length != 4 || parts[0].length() != 2 || "ff".equals(parts[0]) || parts[3].length() != 2 || !isHex(parts[3])) {
      return SpanContext.getInvalid();
    }
    return SpanContext.createFromRemoteParent(
        parts[1].toLowerCase(Locale.ROOT), parts[2].toLowerCase(Locale.ROOT),
        TraceFlags.fromByte((byte) Integer.parseInt(parts[3], 16)), TraceState.getDefault());
  }

  private static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.digit(s.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  /** Exports what is buffered, waiting at most {@code timeout}. */
  public void flush(Duration timeout) {
    if (sdk != null) {
      sdk.getSdkTracerProvider().forceFlush().join(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Exports what is buffered and stops. */
  @Override
  public void close() {
    if (sdk != null) {
      sdk.getSdkTracerProvider().shutdown().join(5, TimeUnit.SECONDS);
    }
  }

  /**
   * Random ids, except for the trace id of a span {@link #startTrace} starts with a trace id of
   * its own: that is handed over through a thread-local the span's construction reads at once.
   */
  private static final class KeyedIds implements IdGenerator {
    static final KeyedIds INSTANCE = new KeyedIds();
    static final ThreadLocal<String> NEXT = new ThreadLocal<>();
    private final IdGenerator random = IdGenerator.random();

    @Override
    public String generateSpanId() {
      return random.generateSpanId();
    }

    @Override
    public String generateTraceId() {
      String next = NEXT.get();
      if (next != null) {
        NEXT.remove();
        return next;
      }
      return random.generateTraceId();
    }
  }
}
