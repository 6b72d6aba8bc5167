package dev.lote.pool.persistence;

import static dev.lote.support.jdbc.Sql.instant;
import static dev.lote.support.jdbc.Sql.ts;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import dev.lote.pool.domain.Certificate;
import dev.lote.pool.domain.CertificateContent;
import dev.lote.pool.domain.CertificateState;
import tools.jackson.databind.json.JsonMapper;

/** The certificates of every account; their data and password sealed by {@link SecretSealer}. */
@Repository
public class CertificateRepository {

  private static final String COLUMNS =
      "account, thumbprint_algorithm, thumbprint, format, public_data, state, state_time, previous_state, previous_state_time,"
          + " delete_error::text as delete_error, last_modified, version";

  private final JdbcTemplate jdbc;
  private final JsonMapper json;
  private final SecretSealer sealer;

  public CertificateRepository(JdbcTemplate jdbc, JsonMapper json, SecretSealer sealer) {
    this.jdbc = jdbc;
    this.json = json;
    this.sealer = sealer;
  }

  /** The key a list pages by: {@code <algorithm>-<thumbprint>}. */
  public static String key(Certificate c) {
    return c.thumbprintAlgorithm() + "-" + c.thumbprint();
  }

  /** Inserts a new certificate; one with the same thumbprint makes this throw DuplicateKeyException. */
  public void insert(Certificate c, CertificateContent content) {
    String at = context(c.account(), c.thumbprintAlgorithm(), c.thumbprint());
    jdbc.update(
        "insert into certificate (account, thumbprint_algorithm, thumbprint, format, public_data, sealed_data, sealed_password,"
            + " state, state_time, last_modified, version) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        c.account(), c.thumbprintAlgorithm(), c.thumbprint(), c.format(), c.publicData(),
        sealer.seal(content.data(), at + "/data"),
        content.password() == null ? null : sealer.seal(content.password().getBytes(StandardCharsets.UTF_8), at + "/password"),
        c.state().wire(), ts(c.stateTransitionTime()), ts(c.lastModified()), c.version());
  }

  /** Writes the certificate's state. */
  public void update(Certificate c) {
    jdbc.update(
        "update certificate set state = ?, state_time = ?, previous_state = ?, previous_state_time = ?, delete_error = ?::json,"
            + " last_modified = ?, version = ? where account = ? and thumbprint_algorithm = ? and thumbprint = ?",
        c.state().wire(), ts(c.stateTransitionTime()), c.previousState() == null ? null : c.previousState().wire(),
        c.previousStateTransitionTime() == null ? null : ts(c.previousStateTransitionTime()),
        c.deleteError() == null ? null : json.writeValueAsString(c.deleteError()), ts(c.lastModified()), c.version(),
        c.account(), c.thumbprintAlgorithm(), c.thumbprint());
  }

  public void delete(Certificate c) {
    jdbc.update(
        "delete from certificate where account = ? and thumbprint_algorithm = ? and thumbprint = ?", c.account(), c.thumbprintAlgorithm(), c.thumbprint());
  }

  public Optional<Certificate> find(String account, String algorithm, String thumbprint) {
    return jdbc.query(
            "select " + COLUMNS + " from certificate where account = ? and thumbprint_algorithm = ? and thumbprint = ?",
            this::certificate, account, algorithm, thumbprint)
        .stream()
        .findFirst();
  }

  /** The certificate, locked until the end of the transaction. */
  public Optional<Certificate> lock(String account, String algorithm, String thumbprint) {
    return jdbc.query(
            "select " + COLUMNS + " from certificate where account = ? and thumbprint_algorithm = ? and thumbprint = ? for update",
            this::certificate, account, algorithm, thumbprint)
        .stream()
        .findFirst();
  }

  /**
   * The certificate, kept from changing until the end of the transaction (a pool that references
   * it is written meanwhile, and a deletion waits for it).
   */
  public Optional<Certificate> share(String account, String algorithm, String thumbprint) {
    return jdbc.query(
            "select " + COLUMNS + " from certificate where account = ? and thumbprint_algorithm = ? and thumbprint = ? for share",
            this::certificate, account, algorithm, thumbprint)
        .stream()
        .findFirst();
  }

  /** Up to {@code limit} certificates of the account after the given key, in key order. */
  public List<Certificate> page(String account, String afterKey, int limit) {
    return jdbc.query(
        "select " + COLUMNS + " from certificate where account = ? and thumbprint_algorithm || '-' || thumbprint > ?"
            + " order by thumbprint_algorithm || '-' || thumbprint limit ?",
        this::certificate, account, afterKey, limit);
  }

  /** Certificates of every account whose deletion is to be settled. */
  public List<Certificate> deleting() {
    return jdbc.query("select " + COLUMNS + " from certificate where state = 'deleting'", this::certificate);
  }

  /** What a node installs: the certificate as given and its password, opened; empty when it is gone. */
  public Optional<CertificateContent> content(String account, String algorithm, String thumbprint) {
    String at = context(account, algorithm, thumbprint);
    return jdbc.query(
            "select format, public_data, sealed_data, sealed_password from certificate"
                + " where account = ? and thumbprint_algorithm = ? and thumbprint = ?",
            (rs, i) -> {
              byte[] password = rs.getBytes("sealed_password");
              return new CertificateContent(
                  algorithm, thumbprint, rs.getString("format"), sealer.open(rs.getBytes("sealed_data"), at + "/data"),
                  password == null ? null : new String(sealer.open(password, at + "/password"), StandardCharsets.UTF_8),
                  rs.getBytes("public_data"));
            },
            account, algorithm, thumbprint)
        .stream()
        .findFirst();
  }

  private static String context(String account, String algorithm, String thumbprint) {
    return account + "/" + algorithm + "-" + thumbprint;
  }

  private Certificate certificate(ResultSet rs, int i) throws SQLException {
    String previous = rs.getString("previous_state");
    String error = rs.getString("delete_error");
    return new Certificate(
        rs.getString("account"),
        rs.getString("thumbprint_algorithm"),
        rs.getString("thumbprint"),
        rs.getString("format"),
        rs.getBytes("public_data"),
        CertificateState.fromWire(rs.getString("state")),
        instant(rs, "state_time"),
        previous == null ? null : CertificateState.fromWire(previous),
        previous == null ? null : instant(rs, "previous_state_time"),
        error == null ? null : json.readValue(error, Certificate.DeleteError.class),
        instant(rs, "last_modified"),
        rs.getLong("version"));
  }
}
