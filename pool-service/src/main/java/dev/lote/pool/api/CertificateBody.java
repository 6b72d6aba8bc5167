package dev.lote.pool.api;

import java.time.Instant;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.lote.pool.domain.Certificate;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.ETags;

/** Batch {@code Certificate}: the public part and the state; never the private data or password. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CertificateBody(
    @JsonProperty("odata.metadata") String odataMetadata,
    String thumbprint,
    String thumbprintAlgorithm,
    String url,
    String state,
    Instant stateTransitionTime,
    String previousState,
    Instant previousStateTransitionTime,
    String publicData,
    DeleteError deleteCertificateError) {

  /** Batch {@code DeleteCertificateError}. */
  public record DeleteError(String code, String message, List<Certificate.NameValue> values) {}

  static CertificateBody of(Certificate c, BatchRequest br, boolean entity) {
    Certificate.DeleteError e = c.deleteError();
    return new CertificateBody(
        entity ? br.metadata("certificates/@Element") : null,
        c.thumbprint(),
        c.thumbprintAlgorithm(),
        url(br, c.thumbprintAlgorithm(), c.thumbprint()),
        c.state().wire(),
        c.stateTransitionTime(),
        c.previousState() == null ? null : c.previousState().wire(),
        c.previousStateTransitionTime(),
        Base64.getEncoder().encodeToString(c.publicData()),
        e == null ? null : new DeleteError(e.code(), e.message(), e.values()));
  }

  static String url(BatchRequest br, String algorithm, String thumbprint) {
    return br.url("/certificates(thumbprintAlgorithm=" + algorithm + ",thumbprint=" + thumbprint + ")");
  }

  static String etag(Certificate c) {
    return ETags.of(c.version(), c.lastModified());
  }
}
