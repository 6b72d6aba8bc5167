package dev.lote.pool.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A machine of the {@code hosts} node provider, as its host agent last described it.
 *
 * @param address  where the host's node agents serve their files, and how the host is reached
 * @param cores    the host's processors: it holds {@code cores / cores of the vmSize} nodes of a size
 * @param running  the nodes whose agents the host said run there
 * @param lost     the host fell silent past the heartbeat time-to-live; it gets no nodes
 */
public record Host(
    String id,
    String address,
    int cores,
    long memoryMb,
    Map<String, String> labels,
    List<String> running,
    Instant joined,
    Instant lastHeard,
    boolean lost) {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");

  /** Whether the text can name a host (it names the host's command topic too). */
  public static boolean isWellFormedId(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /** Whether the host has been silent for longer than the timeout. */
  public boolean silentAt(Instant now, Duration timeout) {
    return lastHeard.plus(timeout).isBefore(now);
  }
}
