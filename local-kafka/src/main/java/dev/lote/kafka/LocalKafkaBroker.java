package dev.lote.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a real single-node Kafka broker (KRaft, broker and controller in one process) as its own
 * JVM, bound to 127.0.0.1. The broker's classpath is the one given (by default this JVM's), which
 * must hold {@code org.apache.kafka:kafka_2.13} and an SLF4J binding.
 */
public final class LocalKafkaBroker implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path logFile;

  private LocalKafkaBroker(Process process, int port, Path logFile) {
    this.process = process;
    this.port = port;
    this.logFile = logFile;
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public Path logFile() {
    return logFile;
  }

  /** Starts a broker with this JVM's classpath on free loopback ports and waits until it serves. */
  public static LocalKafkaBroker start(Path dataDir) {
    return start(dataDir, freePort(), freePort(), System.getProperty("java.class.path"), Duration.ofSeconds(60));
  }

  public static LocalKafkaBroker start(
      Path dataDir, int port, int controllerPort, String classpath, Duration timeout) {
    try {
      Path props = prepare(dataDir, port, controllerPort, classpath);
      Path log = dataDir.resolve("broker.log");
      Process broker =
          java(classpath, "kafka.Kafka", props.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      LocalKafkaBroker b = new LocalKafkaBroker(broker, port, log);
      b.awaitReady(timeout);
      return b;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes {@code server.properties} for a single-node KRaft broker on loopback and formats its
   * storage once (a data directory already formatted keeps its data). Returns the properties file.
   */
  public static Path prepare(Path dataDir, int port, int controllerPort, String classpath)
      throws IOException, InterruptedException {
    return prepare(dataDir, port, controllerPort, "127.0.0.1", classpath);
  }

  /**
   * As {@link #prepare(Path, int, int, String)}, for a broker that clients reach at the given
   * address (its client listener binds it and advertises it; the controller stays on loopback).
   */
  public static Path prepare(Path dataDir, int port, int controllerPort, String address, String classpath)
      throws IOException, InterruptedException {
    Files.createDirectories(dataDir);
    Path logs = dataDir.resolve("kraft-logs");
    Path props = dataDir.resolve("server.properties");
    Files.writeString(props, serverProperties(logs, address, port, controllerPort), StandardCharsets.UTF_8);
    if (!Files.exists(logs.resolve("meta.properties"))) {
      Path formatLog = dataDir.resolve("format.log");
      Process format =
          java(classpath, "kafka.tools.StorageTool", "format", "-t", clusterId(), "-c", props.toString(), "--ignore-formatted")
              .redirectErrorStream(true)
              .redirectOutput(formatLog.toFile())
              .start();
      if (format.waitFor() != 0) {
        throw new IllegalStateException("formatting Kafka storage failed: " + Files.readString(formatLog));
      }
    }
    return props;
  }

  private void awaitReady(Duration timeout) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Kafka broker exited with " + process.exitValue() + "; log: " + tail());
      }
      if (Files.exists(logFile) && Files.readString(logFile).contains("Kafka Server started") && accepts(port)) {
        return;
      }
      Thread.sleep(100);
    }
    close();
    throw new IllegalStateException("Kafka broker did not start within " + timeout + "; log: " + tail());
  }

  private String tail() throws IOException {
    if (!Files.exists(logFile)) {
      return "(no log)";
    }
    String s = Files.readString(logFile);
    return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static String serverProperties(Path logs, String address, int port, int controllerPort) {
    return String.join(
        "\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
        "listeners=PLAINTEXT://" + address + ":" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=PLAINTEXT://" + address + ":" + port,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "inter.broker.listener.name=PLAINTEXT",
        "log.dirs=" + logs.toAbsolutePath(),
        "num.partitions=4",
        "auto.create.topics.enable=true",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=4",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "log.retention.hours=24",
        "log.segment.bytes=67108864",
        // A local broker is mostly idle: fewer threads that wake on timers. Request handlers and
        // network threads each poll their queue several times a second; 4 and 2 still keep two
        // cores busy under load.
        "num.io.threads=4",
        "num.network.threads=2",
        "background.threads=4",
        // The controller appends a no-op record to the metadata log this often when nothing
        // else happens (default 500 ms), which wakes the raft and metadata threads each time.
        "metadata.max.idle.interval.ms=5000",
        "")
        + "\n";
  }

  private static ProcessBuilder java(String classpath, String mainClass, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xms32m");
    cmd.add("-Xmx512m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd);
  }

  /**
   * A new cluster id. Kafka's own generator never starts one with '-', which the storage tool's
   * command line would take for an option (a random URL-safe base64 id does, one time in 64).
   */
  private static String clusterId() {
    return org.apache.kafka.common.Uuid.randomUuid().toString();
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
