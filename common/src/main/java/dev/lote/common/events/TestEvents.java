package dev.lote.common.events;

/** Payloads of a stack started in test mode. */
public final class TestEvents {

  /**
   * pool-service, {@link Topics#TEST_CLOCK}: every service's clock is this far ahead of the system
   * clock from now on.
   *
   * @param offset ISO-8601 duration, e.g. {@code PT15M}
   * @param by     how far this setting moved the clock, for the record
   */
  public record TestClockSet(String offset, String by) {}

  private TestEvents() {}
}
