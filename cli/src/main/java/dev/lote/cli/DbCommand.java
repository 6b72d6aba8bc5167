package dev.lote.cli;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Creates or drops the services' databases on a PostgreSQL server. */
@Command(name = "db", description = "Create or drop Lote's databases.", subcommands = {DbCommand.Ensure.class, DbCommand.Drop.class})
public final class DbCommand {

  static final int EXIT_NO_DATABASE = 3;
  private static final Pattern NAME = Pattern.compile("^[a-z_][a-z0-9_]{0,62}$");

  abstract static class Base implements Callable<Integer> {
    @Option(names = "--url", required = true, description = "JDBC base URL without a database, e.g. jdbc:postgresql://127.0.0.1:5432")
    String url;

    @Option(names = "--user", defaultValue = "postgres")
    String user;

    @Option(names = "--password", defaultValue = "")
    String password;

    @Parameters(arity = "1..*", paramLabel = "NAME")
    List<String> names;

    Connection connect() throws SQLException {
      String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      return DriverManager.getConnection(base + "/postgres", user, password);
    }

    @Override
    public Integer call() {
      for (String n : names) {
        if (!NAME.matcher(n).matches()) {
          System.err.println("lote: '" + n + "' is not a valid database name (lower-case letters, digits, underscores)");
          return 2;
        }
      }
      try (Connection c = connect()) {
        apply(c);
        return 0;
      } catch (SQLException e) {
        System.err.println(
            "lote: PostgreSQL does not answer at " + hostPort() + " (" + firstLine(e.getMessage()) + "). "
                + "Start it (on Debian: pg_ctlcluster --skip-systemctl-redirect <version> main start) or point LOTE_DB_URL at one.");
        return EXIT_NO_DATABASE;
      }
    }

    abstract void apply(Connection c) throws SQLException;

    String hostPort() {
      try {
        URI u = URI.create(url.substring("jdbc:".length()));
        return u.getHost() + ":" + (u.getPort() < 0 ? 5432 : u.getPort());
      } catch (RuntimeException e) {
        return url;
      }
    }
  }

  @Command(name = "ensure", description = "Create each database that does not exist yet.")
  static final class Ensure extends Base {
    @Override
    void apply(Connection c) throws SQLException {
      for (String n : names) {
        if (!exists(c, n)) {
          try (Statement s = c.createStatement()) {
            s.execute("create database " + n);
          } catch (SQLException e) {
            if (!exists(c, n)) { // another process may have created it in the meantime
              throw e;
            }
          }
        }
      }
    }
  }

  @Command(name = "drop", description = "Drop the databases if they exist.")
  static final class Drop extends Base {
    @Override
    void apply(Connection c) throws SQLException {
      for (String n : names) {
        try (Statement s = c.createStatement()) {
          s.execute("drop database if exists " + n + " with (force)");
        }
      }
    }
  }

  static boolean exists(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select 1 from pg_database where datname = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  static String firstLine(String s) {
    if (s == null) {
      return "no answer";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private DbCommand() {}
}
