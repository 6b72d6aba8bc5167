package dev.lote.kafka;

import java.nio.file.Path;

/**
 * {@code java -cp 'local-kafka/target/lib/*:local-kafka/target/local-kafka.jar' dev.lote.kafka.LocalKafkaMain prepare DIR PORT CONTROLLER_PORT [ADDRESS]}
 * writes the broker configuration into DIR (clients reach it at ADDRESS, 127.0.0.1 unless given), formats its storage if needed and prints the path of
 * {@code server.properties}; the broker itself is then started with {@code kafka.Kafka <that file>}.
 */
public final class LocalKafkaMain {
  public static void main(String[] args) throws Exception {
    if ((args.length != 4 && args.length != 5) || !args[0].equals("prepare")) {
      System.err.println("usage: LocalKafkaMain prepare DATA_DIR PORT CONTROLLER_PORT [ADDRESS]");
      System.exit(2);
    }
    Path props =
        LocalKafkaBroker.prepare(
            Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), args.length == 5 ? args[4] : "127.0.0.1",
            System.getProperty("java.class.path"));
    System.out.println(props.toAbsolutePath());
  }

  private LocalKafkaMain() {}
}
