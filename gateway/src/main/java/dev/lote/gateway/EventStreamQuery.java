package dev.lote.gateway;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.common.ids.BatchIds;

/**
 * What a client asks of {@code GET /events}: {@code jobId} and {@code poolId} (comma-separated
 * ids), {@code types} (comma-separated types or {@code family.*}), where to start
 * ({@code Last-Event-ID} header, else the {@code lastEventId} parameter, else {@code from=now}, the
 * default, or {@code from=earliest}). {@code api-version} may be given and is not used. Anything
 * else is a 400 in the Batch format.
 */
record EventStreamQuery(Set<String> jobIds, Set<String> poolIds, Set<String> types, Start start) {

  sealed interface Start {}

  /** From the end of the log: what happens from now on. */
  record Now() implements Start {}

  /** From the first event the log still holds. */
  record Earliest() implements Start {}

  /**
   * Right after the event that carried this id.
   *
   * @param invalid the error for an id that turns out not to be one, naming where it was given
   */
  record After(EventPosition position, Function<String, BatchException> invalid) implements Start {}

  static EventStreamQuery parse(String rawQuery, String lastEventIdHeader) {
    Set<String> jobIds = Set.of();
    Set<String> poolIds = Set.of();
    Set<String> types = Set.of();
    String from = null;
    String lastEventId = null;
    for (Map.Entry<String, List<String>> e : RequestChecks.query(rawQuery).entrySet()) {
      String name = e.getKey();
      if (e.getValue().size() > 1) {
        throw BatchErrors.invalidQueryParameter(name, null, "The query parameter '" + name + "' is given more than once; give several ids comma-separated.");
      }
      String value = e.getValue().get(0);
      switch (name.toLowerCase(Locale.ROOT)) {
        case "api-version" -> {}
        case "jobid" -> jobIds = ids(name, value);
        case "poolid" -> poolIds = ids(name, value);
        case "types" -> types = types(name, value);
        case "from" -> from = value;
        case "lasteventid" -> lastEventId = value;
        default -> throw BatchErrors.invalidQueryParameter(
            name, null, "The event stream takes jobId, poolId, types, from and lastEventId; '" + shorten(name) + "' is none of them.");
      }
    }
    Start start;
    if (lastEventIdHeader != null && !lastEventIdHeader.isBlank()) {
      start = after(lastEventIdHeader.trim(), reason -> RequestChecks.invalidHeader("Last-Event-ID", lastEventIdHeader, reason));
    } else if (lastEventId != null && !lastEventId.isBlank()) {
      String id = lastEventId;
      start = after(id.trim(), reason -> BatchErrors.invalidQueryParameter("lastEventId", shorten(id), reason));
    } else if (from == null || from.equalsIgnoreCase("now")) {
      start = new Now();
    } else if (from.equalsIgnoreCase("earliest")) {
      start = new Earliest();
    } else {
      throw BatchErrors.invalidQueryParameter("from", shorten(from), "from is now (the default) or earliest");
    }
    return new EventStreamQuery(jobIds, poolIds, types, start);
  }

  private static Start after(String id, Function<String, BatchException> invalid) {
    try {
      return new After(EventPosition.parse(id), invalid);
    } catch (IllegalArgumentException e) {
      throw invalid.apply("not an event id of this stream: " + e.getMessage());
    }
  }

  private static Set<String> ids(String name, String value) {
    Set<String> ids = new LinkedHashSet<>();
    for (String id : value.split(",", -1)) {
      String trimmed = id.trim();
      if (!(name.equalsIgnoreCase("jobId") ? BatchIds.isJobId(trimmed) : BatchIds.isValid(trimmed))) {
        throw BatchErrors.invalidQueryParameter(name, shorten(value), "'" + shorten(trimmed) + "' is not a Batch id (letters, digits, - and _, at most 64)");
      }
      ids.add(trimmed.toLowerCase(Locale.ROOT));
    }
    return Set.copyOf(ids);
  }

  private static Set<String> types(String name, String value) {
    Set<String> types = new LinkedHashSet<>();
    for (String type : value.split(",", -1)) {
      String t = type.trim();
      boolean family = t.endsWith(".*") && EventTopics.TYPES.stream().anyMatch(known -> (EventFilter.family(known) + ".*").equals(t));
      if (!family && !EventTopics.TYPES.contains(t)) {
        throw BatchErrors.invalidQueryParameter(
            name, shorten(value), "'" + shorten(t) + "' is not a type of the stream; they are " + String.join(", ", EventTopics.TYPES.stream().sorted().toList())
                + ", or a family such as task.*");
      }
      types.add(t);
    }
    return Set.copyOf(types);
  }

  private static String shorten(String s) {
    return s.length() <= 128 ? s : s.substring(0, 128) + "...";
  }
}
