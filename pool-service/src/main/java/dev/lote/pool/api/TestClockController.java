package dev.lote.pool.api;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.events.EventTypes;
import dev.lote.common.events.TestEvents.TestClockSet;
import dev.lote.common.events.Topics;
import dev.lote.common.time.IsoDurations;
import dev.lote.common.time.TestClock;
import dev.lote.support.outbox.Outbox;
import dev.lote.support.web.BatchRequest;
import tools.jackson.databind.JsonNode;

/**
 * The clock of a stack in test mode ({@code ./lote up --test-mode}): read it, or move it forward
 * for every service at once ({@code test.clock-set} on {@code lote.test-clock}, through the
 * outbox). The gateway serves these at {@code /lote/test/clock} to the account's key holders.
 * Internal, and there only in test mode.
 */
@RestController
@ConditionalOnProperty(name = "lote.test-mode", havingValue = "true")
public class TestClockController {

  /** How far one call may move the clock. */
  static final Duration MAX_ADVANCE = Duration.ofDays(366);

  private final TestClock clock;
  private final Outbox outbox;
  private final TransactionTemplate tx;

  public TestClockController(Clock clock, Outbox outbox, TransactionTemplate tx) {
    this.clock = (TestClock) clock;
    this.outbox = outbox;
    this.tx = tx;
  }

  @GetMapping("/internal/test/clock")
  public Map<String, Object> read() {
    return state();
  }

  /** Moves the clock forward by {@code advanceBy} (ISO-8601, e.g. {@code PT15M}); answers the clock as it is then. */
  @PostMapping("/internal/test/clock")
  public synchronized Map<String, Object> advance(@RequestBody(required = false) JsonNode body, HttpServletRequest request) {
    JsonNode by = body == null ? null : body.get("advanceBy");
    if (by == null || by.isNull()) {
      throw BatchErrors.missingProperty("advanceBy");
    }
    Duration step;
    try {
      step = IsoDurations.parse(by.asString());
    } catch (IllegalArgumentException e) {
      step = null;
    }
    if (step == null || step.isNegative() || step.isZero() || step.compareTo(MAX_ADVANCE) > 0) {
      throw BatchErrors.invalidProperty(
          "advanceBy", by.asString(), "The value must be an ISO-8601 duration such as PT15M, more than zero and at most " + MAX_ADVANCE.toDays() + " days.");
    }
    Duration offset = clock.offset().plus(step);
    BatchRequest br = BatchRequest.of(request);
    TestClockSet set = new TestClockSet(IsoDurations.format(offset), IsoDurations.format(step));
    tx.executeWithoutResult(
        s -> outbox.publish(Topics.TEST_CLOCK, outbox.envelope(EventTypes.TEST_CLOCK_SET, br.account(), "clock", br.requestId(), set)));
    // this service moves at once, so that a second call builds on this one; the others follow the topic
    clock.advanceTo(offset);
    return state();
  }

  private Map<String, Object> state() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("now", clock.instant().toString());
    out.put("offset", IsoDurations.format(clock.offset()));
    return out;
  }
}
