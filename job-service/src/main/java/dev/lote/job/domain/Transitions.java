package dev.lote.job.domain;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * A state machine as one table: state x event -> state. A move the table does not hold is refused
 * with an exception, so no domain method can put an aggregate in a state its diagram does not show
 * ({@code docs/states.md} is checked against these tables).
 */
public final class Transitions<S extends Enum<S>, E extends Enum<E>> {

  private final Class<E> eventType;
  private final S initial;
  private final Map<S, Map<E, S>> table;

  private Transitions(Class<S> stateType, Class<E> eventType, S initial) {
    this.eventType = eventType;
    this.initial = initial;
    this.table = new EnumMap<>(stateType);
  }

  public static <S extends Enum<S>, E extends Enum<E>> Transitions<S, E> startingAt(S initial, Class<E> eventType) {
    return new Transitions<>(initial.getDeclaringClass(), eventType, initial);
  }

  /** Adds {@code from x event -> to}; a second target for the same pair is a programming error. */
  public Transitions<S, E> on(S from, E event, S to) {
    S previous = table.computeIfAbsent(from, s -> new EnumMap<>(eventType)).putIfAbsent(event, to);
    if (previous != null) {
      throw new IllegalArgumentException(from + " x " + event + " already leads to " + previous);
    }
    return this;
  }

  public S initial() {
    return initial;
  }

  /** Whether {@code event} may happen in state {@code from}. */
  public boolean allows(S from, E event) {
    return target(from, event).isPresent();
  }

  /** The state {@code event} leads to from {@code from}; an illegal move throws. */
  public S next(S from, E event) {
    return target(from, event)
        .orElseThrow(() -> new IllegalStateException("illegal transition: " + event + " in state " + from));
  }

  /** The whole table, read-only: from -> (event -> to). */
  public Map<S, Map<E, S>> table() {
    return Collections.unmodifiableMap(table);
  }

  private Optional<S> target(S from, E event) {
    return Optional.ofNullable(table.getOrDefault(from, Map.of()).get(event));
  }
}
