package dev.lote.support.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

import dev.lote.kafka.LocalKafkaBroker;
import dev.lote.postgres.LocalPostgres;

/**
 * The real infrastructure tests run against, started once per JVM. PostgreSQL: the server named by
 * {@code LOTE_TEST_PG_URL}, else the local one on {@code 127.0.0.1:5432} (user {@code postgres},
 * no password), else a container where a Docker engine answers, else a server of this JVM's own
 * from the {@code local-postgres} binaries under {@code target/} ({@code LOTE_TEST_PG=embedded}
 * picks it first). Kafka: a container where Docker answers, otherwise a broker forked from this
 * JVM's classpath on free loopback ports ({@code LOTE_TEST_KAFKA} to reuse one).
 */
public final class LoteTestInfra {

  private static String kafka;
  private static PostgreSQLContainer postgres;
  private static LocalPostgres embedded;
  private static Boolean docker;
  private static final java.util.List<String[]> created = new java.util.ArrayList<>();
  private static boolean dropHookAdded;

  public static synchronized boolean dockerAvailable() {
    if (docker == null) {
      boolean useDocker = !"false".equalsIgnoreCase(System.getenv("LOTE_TEST_DOCKER"));
      try {
        docker = useDocker && DockerClientFactory.instance().isDockerAvailable();
      } catch (RuntimeException e) {
        docker = false;
      }
    }
    return docker;
  }

  /** Bootstrap servers of a running broker. */
  public static synchronized String kafkaBootstrapServers() {
    if (kafka != null) {
      return kafka;
    }
    String given = System.getenv("LOTE_TEST_KAFKA");
    if (given != null && !given.isBlank()) {
      kafka = given;
    } else if (dockerAvailable()) {
      KafkaContainer c = new KafkaContainer("apache/kafka:4.1.1");
      c.start();
      kafka = c.getBootstrapServers();
    } else {
      try {
        Path dir = Files.createTempDirectory("lote-test-kafka");
        LocalKafkaBroker broker = LocalKafkaBroker.start(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
        kafka = broker.bootstrapServers();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return kafka;
  }

  /** Admin connection settings: url of a maintenance database, user, password. */
  private static synchronized String[] admin() {
    String url = System.getenv("LOTE_TEST_PG_URL");
    if (url != null && !url.isBlank()) {
      return new String[] {url, env("LOTE_TEST_PG_USER", "postgres"), env("LOTE_TEST_PG_PASSWORD", "")};
    }
    boolean embeddedFirst = "embedded".equalsIgnoreCase(System.getenv("LOTE_TEST_PG"));
    if (!embeddedFirst && localPostgresAnswers()) {
      return new String[] {"jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", ""};
    }
    if (!embeddedFirst && dockerAvailable()) {
      if (postgres == null) {
        postgres = new PostgreSQLContainer("postgres:17-alpine");
        postgres.start();
      }
      return new String[] {postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword()};
    }
    return new String[] {embeddedPostgres().jdbcUrl("postgres"), "postgres", ""};
  }

  /** A PostgreSQL server of this JVM on a free port, its data in a scratch folder, stopped when the JVM exits. */
  private static LocalPostgres embeddedPostgres() {
    if (embedded == null) {
      try {
        Path target = LocalPostgres.scratchFolder("lote-test-postgres");
        Path dir = target.resolve("run-" + UUID.randomUUID().toString().substring(0, 8));
        LocalPostgres pg = LocalPostgres.prepare(target.resolve("postgres-binaries"), dir.resolve("data"), freePort());
        pg.start(dir.resolve("postgres.log"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            pg.stop();
          } catch (IOException e) {
            // the JVM is exiting; the next run starts its own server in a new folder
          }
        }));
        embedded = pg;
      } catch (IOException e) {
        throw new IllegalStateException("could not start the embedded PostgreSQL: " + e.getMessage(), e);
      }
    }
    return embedded;
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static boolean localPostgresAnswers() {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /** A new empty database; returns {url, user, password}. */
  public static String[] freshDatabase(String prefix) {
    String[] admin = admin();
    String name = (prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)).toLowerCase(Locale.ROOT);
    try (Connection c = DriverManager.getConnection(admin[0], admin[1], admin[2]);
        Statement s = c.createStatement()) {
      s.execute("create database " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create test database " + name + " at " + admin[0] + ": " + e.getMessage(), e);
    }
    String url = admin[0].replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
    rememberForDrop(admin, name);
    return new String[] {url, admin[1], admin[2]};
  }

  /** Test databases are dropped when the test JVM exits, so repeated runs leave nothing behind. */
  private static synchronized void rememberForDrop(String[] admin, String name) {
    created.add(new String[] {admin[0], admin[1], admin[2], name});
    if (!dropHookAdded) {
      dropHookAdded = true;
      Runtime.getRuntime().addShutdownHook(new Thread(LoteTestInfra::dropCreated));
    }
  }

  private static synchronized void dropCreated() {
    for (String[] d : created) {
      try (Connection c = DriverManager.getConnection(d[0], d[1], d[2]);
          Statement s = c.createStatement()) {
        s.execute("drop database if exists " + d[3] + " with (force)");
      } catch (SQLException e) {
        // the database server may already be gone; nothing else to do on exit
      }
    }
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null ? fallback : v;
  }

  private LoteTestInfra() {}
}
