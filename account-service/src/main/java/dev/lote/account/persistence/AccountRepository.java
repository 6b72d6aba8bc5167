package dev.lote.account.persistence;

import java.util.Locale;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class AccountRepository {

  private final JdbcClient jdbc;

  public AccountRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public Optional<Account> find(String name) {
    return jdbc.sql("select name, primary_key, secondary_key, created_at from account where name = ?")
        .param(name.toLowerCase(Locale.ROOT))
        .query((rs, i) -> new Account(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant()))
        .optional();
  }

  /** Inserts the account unless one of that name exists; an existing account keeps its keys. */
  public boolean insertIfMissing(String name, String primaryKey, String secondaryKey) {
    return jdbc.sql("insert into account (name, primary_key, secondary_key) values (?, ?, ?) on conflict (name) do nothing")
            .params(name.toLowerCase(Locale.ROOT), primaryKey, secondaryKey)
            .update()
        == 1;
  }
}
