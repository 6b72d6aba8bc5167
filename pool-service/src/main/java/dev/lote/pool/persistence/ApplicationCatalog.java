package dev.lote.pool.persistence;

import java.util.Locale;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.lote.common.events.ApplicationEvents.ApplicationChanged;
import dev.lote.support.events.EventCodec;

/** The pool-service's copy of the accounts' applications, as the account-service last published each. */
@Repository
public class ApplicationCatalog {

  private final JdbcClient jdbc;
  private final EventCodec codec;

  public ApplicationCatalog(JdbcClient jdbc, EventCodec codec) {
    this.jdbc = jdbc;
    this.codec = codec;
  }

  public Optional<ApplicationChanged> find(String account, String applicationId) {
    return jdbc.sql("select application::text from application_package where account = ? and app_key = ?")
        .params(account, applicationId.toLowerCase(Locale.ROOT))
        .query(String.class)
        .optional()
        .map(text -> codec.mapper().readValue(text, ApplicationChanged.class));
  }

  public void save(String account, ApplicationChanged application) {
    jdbc.sql(
            "insert into application_package (account, app_key, application) values (?, ?, cast(? as jsonb))"
                + " on conflict (account, app_key) do update set application = excluded.application")
        .params(account, application.applicationId().toLowerCase(Locale.ROOT), codec.mapper().writeValueAsString(application))
        .update();
  }

  public void delete(String account, String applicationId) {
    jdbc.sql("delete from application_package where account = ? and app_key = ?").params(account, applicationId.toLowerCase(Locale.ROOT)).update();
  }
}
