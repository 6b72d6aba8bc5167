package dev.lote.common.events;

/** Payloads of the dead-letter topics ({@link Topics#deadLetters}). */
public final class DeadLetters {

  /**
   * A record a service could never apply, kept with the reason instead of being skipped.
   *
   * @param service   the consuming service
   * @param topic     where the record was read
   * @param partition its partition, -1 when unknown
   * @param offset    its offset, -1 when unknown
   * @param key       its key, or null
   * @param eventId   the envelope's id when the record was an envelope, or null
   * @param eventType the envelope's type when known, or null
   * @param reason    why it could not be applied
   * @param body      the record's value, Base64
   */
  public record DeadLettered(
      String service,
      String topic,
      int partition,
      long offset,
      String key,
      String eventId,
      String eventType,
      String reason,
      String body) {}

  private DeadLetters() {}
}
