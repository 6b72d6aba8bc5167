package dev.lote.postgres;

import java.nio.file.Path;

/**
 * {@code java -cp 'local-postgres/target/lib/*:local-postgres/target/local-postgres.jar' dev.lote.postgres.LocalPostgresMain prepare HOME DATA PORT}
 * unpacks the binaries under HOME (once per version), creates the cluster in DATA if it holds
 * none, and prints the command that runs the server in the foreground, one argument per line,
 * for {@code ./lote}'s supervisor.
 */
public final class LocalPostgresMain {
  public static void main(String[] args) throws Exception {
    if (args.length != 4 || !args[0].equals("prepare")) {
      System.err.println("usage: LocalPostgresMain prepare BINARIES_HOME DATA_DIR PORT");
      System.exit(2);
    }
    LocalPostgres pg = LocalPostgres.prepare(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]));
    for (String a : pg.foregroundCommand()) {
      System.out.println(a);
    }
  }

  private LocalPostgresMain() {}
}
