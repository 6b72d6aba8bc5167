package dev.lote.pool.domain;

import static dev.lote.pool.domain.CertificateState.ACTIVE;
import static dev.lote.pool.domain.CertificateState.DELETEFAILED;
import static dev.lote.pool.domain.CertificateState.DELETING;

import java.util.List;

/**
 * The one table of a certificate's state changes: source state x event -> target. A null state is
 * the start or the end of a certificate's life ({@code [*]}). {@code docs/states.md} draws this
 * table (a test checks that they agree).
 */
public final class CertificateTransitions {

  /** What happens to a certificate. */
  public enum Event {
    ADDED("POST /certificates"),
    DELETE("DELETE /certificates(...)"),
    UNUSED("no pool references it: removed"),
    STILL_USED("a pool references it"),
    CANCEL_DELETE("POST .../canceldelete");

    private final String label;

    Event(String label) {
      this.label = label;
    }

    /** How the diagram names the event. */
    public String label() {
      return label;
    }
  }

  /** One allowed move. */
  public record Transition(CertificateState from, Event event, CertificateState to) {}

  private static final List<Transition> TABLE =
      List.of(
          new Transition(null, Event.ADDED, ACTIVE),
          new Transition(ACTIVE, Event.DELETE, DELETING),
          new Transition(DELETEFAILED, Event.DELETE, DELETING),
          new Transition(DELETING, Event.UNUSED, null),
          new Transition(DELETING, Event.STILL_USED, DELETEFAILED),
          new Transition(DELETEFAILED, Event.CANCEL_DELETE, ACTIVE));

  /** Every allowed move. */
  public static List<Transition> all() {
    return TABLE;
  }

  /** Where the event takes a certificate in {@code from}; null when the table has no such move. */
  public static Transition find(CertificateState from, Event event) {
    return TABLE.stream().filter(t -> t.from() == from && t.event() == event).findFirst().orElse(null);
  }

  private CertificateTransitions() {}
}
