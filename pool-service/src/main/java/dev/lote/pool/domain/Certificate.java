package dev.lote.pool.domain;

import java.time.Instant;
import java.util.List;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.pool.domain.CertificateTransitions.Event;
import dev.lote.pool.domain.CertificateTransitions.Transition;

/**
 * A certificate of an account (Batch {@code Certificate}): its public part, its state and why its
 * last deletion failed. The private data and password are not part of it ({@link CertificateContent}).
 * Every state change passes {@link CertificateTransitions}.
 */
public final class Certificate {

  /** Why a deletion failed: the pools that still reference the certificate, as Batch says it. */
  public record DeleteError(String code, String message, List<NameValue> values) {

    static DeleteError poolsReferencing(List<String> poolIds) {
      return new DeleteError(
          "PoolsReferencingCertificate",
          "The specified certificate is being used by the below mentioned pool(s)",
          poolIds.stream().limit(100).map(id -> new NameValue("Pools", id)).toList());
    }
  }

  public record NameValue(String name, String value) {}

  private final String account;
  private final String thumbprintAlgorithm;
  private final String thumbprint;
  private final String format;
  private final byte[] publicData;
  private CertificateState state;
  private Instant stateTransitionTime;
  private CertificateState previousState;
  private Instant previousStateTransitionTime;
  private DeleteError deleteError;
  private Instant lastModified;
  private long version;

  public Certificate(
      String account,
      String thumbprintAlgorithm,
      String thumbprint,
      String format,
      byte[] publicData,
      CertificateState state,
      Instant stateTransitionTime,
      CertificateState previousState,
      Instant previousStateTransitionTime,
      DeleteError deleteError,
      Instant lastModified,
      long version) {
    this.account = account;
    this.thumbprintAlgorithm = thumbprintAlgorithm;
    this.thumbprint = thumbprint;
    this.format = format;
    this.publicData = publicData.clone();
    this.state = state;
    this.stateTransitionTime = stateTransitionTime;
    this.previousState = previousState;
    this.previousStateTransitionTime = previousStateTransitionTime;
    this.deleteError = deleteError;
    this.lastModified = lastModified;
    this.version = version;
  }

  /** A certificate just added: active, without a previous state. */
  public static Certificate add(String account, CertificateContent content, Instant now) {
    CertificateState to = CertificateTransitions.find(null, Event.ADDED).to();
    return new Certificate(
        account, content.thumbprintAlgorithm(), content.thumbprint(), content.format(), content.publicData(), to, now, null, null, null, now, 1);
  }

  /** Certificate_Delete: the certificate goes {@code deleting}; whether it can go is decided by {@link #settleDeletion}. */
  public void delete(Instant now) {
    if (state == CertificateState.DELETING) {
      throw beingDeleted();
    }
    move(Event.DELETE, now);
    deleteError = null;
  }

  /**
   * Ends a deletion: true when no pool references the certificate (it is to be removed), else it
   * goes {@code deletefailed} naming the pools.
   */
  public boolean settleDeletion(List<String> referencingPools, Instant now) {
    if (referencingPools.isEmpty()) {
      move(Event.UNUSED, now);
      return true;
    }
    move(Event.STILL_USED, now);
    deleteError = DeleteError.poolsReferencing(referencingPools);
    return false;
  }

  /** Certificate_CancelDeletion: back to {@code active}, allowed from {@code deletefailed} only. */
  public void cancelDeletion(Instant now) {
    if (state == CertificateState.DELETING) {
      throw beingDeleted();
    }
    if (state == CertificateState.ACTIVE) {
      throw BatchErrors.conflict("CertificateStateActive", "The specified certificate is active; only a certificate whose deletion failed can have its deletion cancelled.");
    }
    move(Event.CANCEL_DELETE, now);
    deleteError = null;
  }

  private void move(Event event, Instant now) {
    Transition t = CertificateTransitions.find(state, event);
    if (t == null) {
      throw new IllegalStateException("a certificate cannot take " + event + " in state " + state.wire());
    }
    previousState = state;
    previousStateTransitionTime = stateTransitionTime;
    state = t.to();
    stateTransitionTime = now;
    lastModified = now;
    version++;
  }

  public static BatchException beingDeleted() {
    return BatchErrors.conflict("CertificateBeingDeleted", "The specified certificate has been marked for deletion and is being deleted.");
  }

  public static BatchException notFound() {
    return BatchErrors.notFound("CertificateNotFound", "The specified certificate does not exist.");
  }

  public static BatchException exists() {
    return BatchErrors.conflict("CertificateExists", "The specified certificate already exists.");
  }

  public String account() {
    return account;
  }

  public String thumbprintAlgorithm() {
    return thumbprintAlgorithm;
  }

  public String thumbprint() {
    return thumbprint;
  }

  public String format() {
    return format;
  }

  /** The public certificate, DER. */
  public byte[] publicData() {
    return publicData.clone();
  }

  /** null while the certificate is gone (after {@link #settleDeletion} removed it). */
  public CertificateState state() {
    return state;
  }

  public Instant stateTransitionTime() {
    return stateTransitionTime;
  }

  public CertificateState previousState() {
    return previousState;
  }

  public Instant previousStateTransitionTime() {
    return previousStateTransitionTime;
  }

  public DeleteError deleteError() {
    return deleteError;
  }

  public Instant lastModified() {
    return lastModified;
  }

  public long version() {
    return version;
  }
}
