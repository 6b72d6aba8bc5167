package dev.lote.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** Against the local PostgreSQL (127.0.0.1:5432, user postgres), as ./lote uses it. */
class DbCommandTest {

  private static final String URL = System.getenv().getOrDefault("LOTE_TEST_PG_BASE", "jdbc:postgresql://127.0.0.1:5432");

  @Test
  void ensureCreatesMissingDatabasesAndIsIdempotentAndDropRemovesThem() throws Exception {
    String name = "lote_clitest_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    assertThat(run("db", "ensure", "--url", URL, name)).isZero();
    assertThat(run("db", "ensure", "--url", URL, name)).isZero();
    try (Connection c = DriverManager.getConnection(URL + "/postgres", "postgres", "")) {
      assertThat(DbCommand.exists(c, name)).isTrue();
    }
    assertThat(run("db", "drop", "--url", URL, name)).isZero();
    try (Connection c = DriverManager.getConnection(URL + "/postgres", "postgres", "")) {
      assertThat(DbCommand.exists(c, name)).isFalse();
    }
  }

  @Test
  void aServerThatDoesNotAnswerGivesOneLineSayingHowToStartOne() {
    PrintStream old = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err));
    int code;
    try {
      code = run("db", "ensure", "--url", "jdbc:postgresql://127.0.0.1:1", "lote_x");
    } finally {
      System.setErr(old);
    }
    assertThat(code).isEqualTo(DbCommand.EXIT_NO_DATABASE);
    assertThat(err.toString().strip().lines()).hasSize(1);
    assertThat(err.toString()).contains("PostgreSQL does not answer at 127.0.0.1:1").contains("LOTE_DB_URL");
  }

  @Test
  void anInvalidDatabaseNameIsRefused() {
    assertThat(run("db", "ensure", "--url", URL, "x; drop table")).isEqualTo(2);
  }

  @Test
  void percentilesPickTheNearestRank() {
    java.util.List<Double> v = java.util.stream.IntStream.rangeClosed(1, 50).mapToObj(i -> (double) i).toList();
    assertThat(BenchCommand.percentile(v, 50)).isEqualTo(25.0);
    assertThat(BenchCommand.percentile(v, 99)).isEqualTo(50.0);
  }

  private static int run(String... args) {
    return new CommandLine(new LoteCli()).execute(args);
  }
}
