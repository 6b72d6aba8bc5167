package dev.lote.common.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;

class TracesTest {

  @Test
  void aClientRequestIdUuidIsItsHexDigitsInLowerCase() {
    assertThat(Traces.traceIdOf("9C4F2E33-0B5A-4D8E-9F1A-3C2B1A0D9E8F")).isEqualTo("9c4f2e330b5a4d8e9f1a3c2b1a0d9e8f");
    assertThat(Traces.traceIdOf(" 9c4f2e33-0b5a-4d8e-9f1a-3c2b1a0d9e8f ")).isEqualTo("9c4f2e330b5a4d8e9f1a3c2b1a0d9e8f");
  }

  @Test
  void anythingElseHasNoTraceIdOfItsOwn() {
    assertThat(Traces.traceIdOf(null)).isNull();
    assertThat(Traces.traceIdOf("not-a-uuid")).isNull();
    assertThat(Traces.traceIdOf("1-2-3-4-5")).isNull();
    assertThat(Traces.traceIdOf("00000000-0000-0000-0000-000000000000")).isNull();
    assertThat(Traces.traceIdOf("9c4f2e33-0b5a-4d8e-9f1a-3c2b1a0d9e8g")).isNull();
  }

  @Test
  void aTraceparentIsReadAndWrittenInTheW3cForm() {
    String tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    SpanContext c = Traces.parse(tp);
    assertThat(c.isValid()).isTrue();
    assertThat(c.isRemote()).isTrue();
    assertThat(c.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(Traces.traceparent(c)).isEqualTo(tp);
    assertThat(Traces.parse(null).isValid()).isFalse();
    assertThat(Traces.parse("00-00000000000000000000000000000000-b7ad6b7169203331-01").isValid()).isFalse();
    assertThat(Traces.parse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-zz").isValid()).isFalse();
    assertThat(Traces.parse("garbage").isValid()).isFalse();
  }

  @Test
  void theEndpointIsTheFirstSettingGivenAndSpansGoToItsTracesPath() {
    assertThat(Traces.endpointFromEnvironment(Map.of())).isNull();
    assertThat(Traces.endpointFromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel:4318"))).isEqualTo("http://otel:4318");
    assertThat(Traces.endpointFromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel:4318", "LOTE_OTLP_ENDPOINT", "http://lote:4318")))
        .isEqualTo("http://lote:4318");
    assertThat(Traces.endpointFromEnvironment(Map.of("LOTE_OTLP_ENDPOINT", " "))).isNull();
    assertThat(Traces.tracesUrl("http://c:4318")).isEqualTo("http://c:4318/v1/traces");
    assertThat(Traces.tracesUrl("http://c:4318/")).isEqualTo("http://c:4318/v1/traces");
    assertThat(Traces.tracesUrl("http://c:4318/v1/traces")).isEqualTo("http://c:4318/v1/traces");
  }

  @Test
  void offMakesNoSpansAndNoTraceparent() {
    Traces off = Traces.start("lote-test", null, Map.of());
    assertThat(off.enabled()).isFalse();
    Span span = off.span("x", SpanKind.INTERNAL, null).startSpan();
    try (Scope scope = span.makeCurrent()) {
      assertThat(span.isRecording()).isFalse();
      assertThat(Traces.currentTraceparent()).isNull();
    } finally {
      span.end();
    }
  }

  @Test
  void onAStartedTraceHasTheGivenTraceIdAndItsChildrenContinueIt() {
    try (Traces on = Traces.start("lote-test", "http://127.0.0.1:9", Map.of())) {
      assertThat(on.enabled()).isTrue();
      Span root = on.startTrace(on.tracer().spanBuilder("root"), "9c4f2e330b5a4d8e9f1a3c2b1a0d9e8f");
      String tp;
      try (Scope scope = root.makeCurrent()) {
        tp = Traces.currentTraceparent();
      } finally {
        root.end();
      }
      assertThat(tp).matches("00-9c4f2e330b5a4d8e9f1a3c2b1a0d9e8f-[0-9a-f]{16}-01");
      Span child = on.span("child", SpanKind.CONSUMER, tp).startSpan();
      assertThat(child.getSpanContext().getTraceId()).isEqualTo("9c4f2e330b5a4d8e9f1a3c2b1a0d9e8f");
      child.end();
      Span other = on.startTrace(on.tracer().spanBuilder("other"), null);
      assertThat(other.getSpanContext().getTraceId()).isNotEqualTo("9c4f2e330b5a4d8e9f1a3c2b1a0d9e8f");
      other.end();
    }
  }
}
