package dev.lote.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class LocalPostgresTest {

  @Test
  void dataSurvivesARestart() throws Exception {
    Path target = LocalPostgres.scratchFolder("lote-local-postgres-test");
    Path data = target.resolve("pg-test-" + UUID.randomUUID()).resolve("data");
    int port = freePort();
    LocalPostgres pg = LocalPostgres.prepare(target.resolve("postgres-binaries"), data, port);
    Path log = data.getParent().resolve("postgres.log");
    try {
      pg.start(log);
      assertTrue(pg.running());
      try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), "postgres", "");
          Statement s = c.createStatement()) {
        s.execute("create database survives");
      }
      try (Connection c = DriverManager.getConnection(pg.jdbcUrl("survives"), "postgres", "");
          Statement s = c.createStatement()) {
        s.execute("create table kept (id int primary key, word text)");
        s.execute("insert into kept values (1, 'still here')");
      }
      pg.stop();
      assertFalse(pg.running());

      // a second prepare finds the cluster and the unpacked binaries and changes nothing
      pg = LocalPostgres.prepare(target.resolve("postgres-binaries"), data, port);
      pg.start(log);
      try (Connection c = DriverManager.getConnection(pg.jdbcUrl("survives"), "postgres", "");
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select word, version() from kept where id = 1")) {
        assertTrue(rs.next());
        assertEquals("still here", rs.getString(1));
        assertTrue(rs.getString(2).startsWith("PostgreSQL 17.5"), rs.getString(2));
      }
    } finally {
      pg.stop();
      delete(data.getParent());
    }
  }

  @Test
  void listensOnLoopbackOnlyWithoutUnixSocket() throws Exception {
    Path target = LocalPostgres.scratchFolder("lote-local-postgres-test");
    Path data = target.resolve("pg-test-" + UUID.randomUUID()).resolve("data");
    LocalPostgres.prepare(target.resolve("postgres-binaries"), data, freePort());
    String conf = Files.readString(data.resolve("postgresql.conf"));
    assertTrue(conf.contains("listen_addresses = '127.0.0.1'"), conf);
    assertTrue(conf.contains("unix_socket_directories = ''"), conf);
    delete(data.getParent());
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
