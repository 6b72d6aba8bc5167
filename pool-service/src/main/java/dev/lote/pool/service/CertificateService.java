package dev.lote.pool.service;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lote.common.error.BatchErrors;
import dev.lote.pool.domain.Certificate;
import dev.lote.pool.domain.CertificateContent;
import dev.lote.pool.domain.CertificateReference;
import dev.lote.pool.domain.CertificateState;
import dev.lote.pool.persistence.CertificateRepository;
import dev.lote.pool.persistence.PoolRepository;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The certificate operations of the Batch API, the check that a pool references only certificates
 * it may, and what nodes install. A deletion is settled shortly after it is asked for: the
 * certificate goes when no pool references it, and is {@code deletefailed} otherwise.
 */
@Service
public class CertificateService {

  private static final Logger log = LoggerFactory.getLogger(CertificateService.class);

  private final CertificateRepository certificates;
  private final PoolRepository pools;
  private final TransactionTemplate tx;
  private final Clock clock;

  public CertificateService(CertificateRepository certificates, PoolRepository pools, TransactionTemplate tx, Clock clock) {
    this.certificates = certificates;
    this.pools = pools;
    this.tx = tx;
    this.clock = clock;
  }

  /** Certificate_Add. */
  public Certificate add(String account, CertificateContent content) {
    return tx.execute(
        s -> {
          certificates.find(account, content.thumbprintAlgorithm(), content.thumbprint()).ifPresent(existing -> {
            throw existing.state() == CertificateState.DELETING ? Certificate.beingDeleted() : Certificate.exists();
          });
          Certificate c = Certificate.add(account, content, now());
          try {
            certificates.insert(c, content);
          } catch (DuplicateKeyException e) {
            throw Certificate.exists();
          }
          return c;
        });
  }

  /** Certificate_Get. */
  public Certificate get(String account, String algorithm, String thumbprint) {
    return certificates.find(account, algorithm(algorithm), thumbprint(thumbprint)).orElseThrow(Certificate::notFound);
  }

  public List<Certificate> page(String account, String afterKey, int limit) {
    return certificates.page(account, afterKey, limit);
  }

  /** Certificate_Delete: the certificate goes {@code deleting}; {@link #settleDeletions} ends it. */
  public Certificate delete(String account, String algorithm, String thumbprint) {
    return tx.execute(
        s -> {
          Certificate c = certificates.lock(account, algorithm(algorithm), thumbprint(thumbprint)).orElseThrow(Certificate::notFound);
          c.delete(now());
          certificates.update(c);
          return c;
        });
  }

  /** Certificate_CancelDeletion. */
  public Certificate cancelDeletion(String account, String algorithm, String thumbprint) {
    return tx.execute(
        s -> {
          Certificate c = certificates.lock(account, algorithm(algorithm), thumbprint(thumbprint)).orElseThrow(Certificate::notFound);
          c.cancelDeletion(now());
          certificates.update(c);
          return c;
        });
  }

  /** Removes each deleting certificate no pool references; the others go {@code deletefailed}. */
  @Scheduled(fixedDelayString = "${lote.certificates.deletion-interval:PT1S}")
  public void settleDeletions() {
    for (Certificate pending : certificates.deleting()) {
      try {
        tx.executeWithoutResult(
            s -> {
              Certificate c = certificates.lock(pending.account(), pending.thumbprintAlgorithm(), pending.thumbprint()).orElse(null);
              if (c == null || c.state() != CertificateState.DELETING) {
                return;
              }
              List<String> using = pools.idsReferencing(c.account(), c.thumbprintAlgorithm(), c.thumbprint());
              if (c.settleDeletion(using, now())) {
                certificates.delete(c);
              } else {
                certificates.update(c);
              }
            });
      } catch (RuntimeException e) {
        log.warn("could not settle the deletion of certificate {}-{}: {}", pending.thumbprintAlgorithm(), pending.thumbprint(), e.getMessage());
      }
    }
  }

  /**
   * Checks, inside the caller's transaction, that each certificate a pool is to reference exists
   * and is not being deleted, and keeps it so until the transaction ends.
   */
  public void checkReferences(String account, Collection<CertificateReference> references) {
    for (CertificateReference r : references) {
      Certificate c = certificates.share(account, r.thumbprintAlgorithm(), r.thumbprint()).orElse(null);
      if (c == null) {
        throw invalidReference(r, "The account has no such certificate.");
      }
      if (c.state() == CertificateState.DELETING) {
        throw invalidReference(r, "The certificate is being deleted and cannot be referenced.");
      }
    }
  }

  /**
   * What a node of the pool installs: for each reference whose certificate exists, its format,
   * data (base64), password and visibility. Secrets: handed to the node provider alone.
   */
  public ArrayNode forNodes(String account, List<CertificateReference> references) {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    for (CertificateReference r : references) {
      certificates.content(account, r.thumbprintAlgorithm(), r.thumbprint()).ifPresent(c -> {
        ObjectNode n = out.addObject();
        n.put("thumbprintAlgorithm", c.thumbprintAlgorithm());
        n.put("thumbprint", c.thumbprint());
        n.put("certificateFormat", c.format());
        n.put("data", Base64.getEncoder().encodeToString(c.data()));
        if (c.password() != null) {
          n.put("password", c.password());
        }
        ArrayNode v = n.putArray("visibility");
        r.visibility().stream().sorted().forEach(v::add);
      });
    }
    return out;
  }

  private static RuntimeException invalidReference(CertificateReference r, String reason) {
    return BatchErrors.conflict(
        "InvalidCertificateReferences",
        "One or more certificate references of the pool are not valid: " + r.thumbprintAlgorithm() + "-" + r.thumbprint() + ". " + reason);
  }

  private static String algorithm(String given) {
    try {
      return CertificateContent.algorithm(given, "thumbprintAlgorithm");
    } catch (RuntimeException e) {
      throw Certificate.notFound();
    }
  }

  private static String thumbprint(String given) {
    try {
      return CertificateContent.thumbprint(given, "thumbprint");
    } catch (RuntimeException e) {
      throw Certificate.notFound();
    }
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
