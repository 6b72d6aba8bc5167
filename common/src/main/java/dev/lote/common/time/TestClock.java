package dev.lote.common.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clock of a stack started in test mode ({@code ./lote up --test-mode}): the system clock
 * plus an offset that only grows, set for every service at once through the
 * {@code lote.test-clock} topic. Advancing it makes what waits on time (autoscale intervals,
 * retention, wall-clock limits) see that time as passed, without waiting for it. Each part with a
 * timer registers with {@link #onAdvance} to look again at what is now due. Immutable views from
 * {@link #withZone} share the offset.
 */
public final class TestClock extends Clock {

  private final Clock base;
  private final AtomicLong offsetMillis;
  private final AtomicLong advancedAtNanos;
  private final List<Runnable> listeners;
  private final ZoneId zone;

  public TestClock(Clock base) {
    this(base, new AtomicLong(), new AtomicLong(Long.MIN_VALUE), new CopyOnWriteArrayList<>(), ZoneOffset.UTC);
  }

  private TestClock(Clock base, AtomicLong offsetMillis, AtomicLong advancedAtNanos, List<Runnable> listeners, ZoneId zone) {
    this.base = base;
    this.offsetMillis = offsetMillis;
    this.advancedAtNanos = advancedAtNanos;
    this.listeners = listeners;
    this.zone = zone;
  }

  /** How far ahead of the system clock this clock is. */
  public Duration offset() {
    return Duration.ofMillis(offsetMillis.get());
  }

  /**
   * Sets the offset, if it is ahead of the current one (a clock never goes back: an older setting
   * read again changes nothing), and tells the listeners.
   *
   * @return whether the clock moved
   */
  public boolean advanceTo(Duration offset) {
    long wanted = offset.toMillis();
    long before = offsetMillis.getAndAccumulate(wanted, Math::max);
    if (wanted <= before) {
      return false;
    }
    advancedAtNanos.set(System.nanoTime());
    for (Runnable listener : listeners) {
      listener.run();
    }
    return true;
  }

  /** Runs {@code listener} after each advance, on the thread that advanced the clock. */
  public void onAdvance(Runnable listener) {
    listeners.add(listener);
  }

  /**
   * Whether the clock moved within the last {@code window} of real time: a silence measured across
   * the jump is the jump's, not a sign of a dead peer.
   */
  public boolean advancedWithin(Duration window) {
    long at = advancedAtNanos.get();
    return at != Long.MIN_VALUE && System.nanoTime() - at < window.toNanos();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId z) {
    return new TestClock(base, offsetMillis, advancedAtNanos, listeners, z);
  }

  @Override
  public Instant instant() {
    return base.instant().plusMillis(offsetMillis.get());
  }

  @Override
  public long millis() {
    return base.millis() + offsetMillis.get();
  }
}
