package dev.lote.account.persistence;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.lote.account.domain.Application;
import dev.lote.account.domain.PackageVersion;

/** The applications of the accounts and their package versions. */
@Repository
public class ApplicationRepository {

  private static final String COLUMNS = "account, id, display_name, allow_updates, default_version, created_at, last_modified, app_key";

  private final JdbcClient jdbc;

  public ApplicationRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public Optional<Application> find(String account, String id) {
    return read("select " + COLUMNS + " from application where account = ? and app_key = ?", account, Application.key(id)).stream().findFirst();
  }

  /** The same row, locked until the transaction ends, so changes of one application are applied one at a time. */
  public Optional<Application> lock(String account, String id) {
    return read("select " + COLUMNS + " from application where account = ? and app_key = ? for update", account, Application.key(id))
        .stream()
        .findFirst();
  }

  /** At most {@code limit} applications of the account whose key is after {@code afterKey}, in key order. */
  public List<Application> page(String account, String afterKey, int limit) {
    return read(
        "select " + COLUMNS + " from application where account = ? and app_key > ? order by app_key limit " + Math.max(1, limit),
        account,
        afterKey == null ? "" : afterKey);
  }

  public boolean insert(Application a) {
    return jdbc.sql(
                "insert into application (account, app_key, id, display_name, allow_updates, default_version, created_at, last_modified)"
                    + " values (?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing")
            .params(a.account(), a.key(), a.id(), a.displayName(), a.allowUpdates(), a.defaultVersion(), ts(a.createdAt()), ts(a.lastModified()))
            .update()
        == 1;
  }

  public void update(Application a) {
    jdbc.sql("update application set display_name = ?, allow_updates = ?, default_version = ?, last_modified = ? where account = ? and app_key = ?")
        .params(a.displayName(), a.allowUpdates(), a.defaultVersion(), ts(a.lastModified()), a.account(), a.key())
        .update();
  }

  public void delete(String account, String id) {
    jdbc.sql("delete from application where account = ? and app_key = ?").params(account, Application.key(id)).update();
  }

  public void putVersion(String account, String id, PackageVersion v) {
    jdbc.sql(
            "insert into application_version (account, app_key, version, format, sha256, size, created_at) values (?, ?, ?, ?, ?, ?, ?)"
                + " on conflict (account, app_key, version) do update set format = excluded.format, sha256 = excluded.sha256,"
                + " size = excluded.size, created_at = excluded.created_at")
        .params(account, Application.key(id), v.version(), v.format(), v.sha256(), v.size(), ts(v.createdAt()))
        .update();
  }

  public void deleteVersion(String account, String id, String version) {
    jdbc.sql("delete from application_version where account = ? and app_key = ? and version = ?").params(account, Application.key(id), version).update();
  }

  private List<Application> read(String sql, Object... params) {
    List<Row> rows = jdbc.sql(sql).params(params).query(ApplicationRepository::row).list();
    if (rows.isEmpty()) {
      return List.of();
    }
    Map<String, List<PackageVersion>> versions = new LinkedHashMap<>();
    rows.forEach(r -> versions.put(r.key, new ArrayList<>()));
    String account = rows.get(0).account;
    jdbc.sql(
            "select app_key, version, format, sha256, size, created_at from application_version where account = ? and app_key = any (?)")
        .params(account, versions.keySet().toArray(String[]::new))
        .query(
            (rs, i) ->
                versions.get(rs.getString(1)).add(new PackageVersion(rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getTimestamp(6).toInstant())))
        .list();
    return rows.stream()
        .map(r -> new Application(r.account, r.id, r.displayName, r.allowUpdates, r.defaultVersion, versions.get(r.key), r.createdAt, r.lastModified))
        .toList();
  }

  private record Row(String account, String id, String displayName, boolean allowUpdates, String defaultVersion, Instant createdAt, Instant lastModified, String key) {}

  private static Row row(ResultSet rs, int i) throws SQLException {
    return new Row(
        rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getString(5), rs.getTimestamp(6).toInstant(), rs.getTimestamp(7).toInstant(), rs.getString(8));
  }

  private static Timestamp ts(Instant i) {
    return Timestamp.from(i);
  }
}
