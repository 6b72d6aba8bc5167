package dev.lote.systemtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Hosts made of network namespaces on this machine: a bridge in the machine's own namespace with
 * the first address of a private /24, and per host a namespace joined to it by a veth pair, with
 * an address of its own on that subnet. The stack listens on the bridge's address; each host
 * reaches it and the other hosts there, and nothing else. Everything carries a prefix
 * ({@value #PREFIX} unless another is given, with a subnet of its own, so that two tests never
 * touch each other's), so that what a failed run left is found and deleted before the next one.
 * Needs root and {@code ip}.
 */
final class HostNetwork implements AutoCloseable {

  static final String PREFIX = "lotehn";
  static final String SUBNET = "10.231.0";

  private final int hosts;
  private final String prefix;
  private final String subnet;

  private HostNetwork(int hosts, String prefix, String subnet) {
    this.hosts = hosts;
    this.prefix = prefix;
    this.subnet = subnet;
  }

  /** Why namespaces cannot be made here, or null when they can. */
  static String unavailable() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "making network namespaces needs root; this runs as " + System.getProperty("user.name");
    }
    if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip")) && !Files.isExecutable(Path.of("/usr/bin/ip"))) {
      return "the ip command (iproute2) is not installed";
    }
    try {
      run("ip", "netns", "list");
    } catch (IllegalStateException e) {
      return "ip netns does not work here: " + e.getMessage();
    }
    return null;
  }

  /** The bridge's address of the default network: where the stack listens. */
  static String gateway() {
    return SUBNET + ".1";
  }

  static String namespace(int host) {
    return PREFIX + "-" + host;
  }

  static String address(int host) {
    return SUBNET + "." + (10 + host);
  }

  /** This network's bridge address. */
  String gatewayAddress() {
    return subnet + ".1";
  }

  /** This network's address of a host. */
  String hostAddress(int host) {
    return subnet + "." + (10 + host);
  }

  /**
   * {@code ip netns exec <host> java -jar node-agent.jar host ...}: a host agent in a host of this
   * network that joins the stack with the token in its environment, its state and log
   * ({@code host-agent.log}) under {@code root}.
   */
  Process startHostAgent(LoteStack stack, int host, String hostId, Path root, String token) throws IOException {
    Files.createDirectories(root);
    List<String> command =
        inHostOf(
            host,
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-XX:+UseSerialGC",
                "-jar",
                stack.repo.resolve("node-agent/target/node-agent.jar").toString(),
                "host",
                "--lote.host.id=" + hostId,
                "--lote.host.address=" + hostAddress(host),
                "--lote.host.pool-url=http://" + gatewayAddress() + ":" + stack.servicePort("pool-service"),
                "--lote.host.kafka=" + gatewayAddress() + ":" + stack.settings.kafkaPort(),
                "--lote.host.root=" + root,
                "--lote.host.cores=2",
                "--lote.host.agent-heartbeat-interval=PT2S"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(root.resolve("host-agent.log").toFile());
    pb.environment().put("LOTE_JOIN_TOKEN", token);
    return pb.start();
  }

  /** The command, run in a host of this network. */
  List<String> inHostOf(int host, List<String> command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", prefix + "-" + host));
    full.addAll(command);
    return full;
  }

  /** Deletes what an earlier run left, then makes the bridge and {@code hosts} namespaces, 1 to {@code hosts}. */
  static HostNetwork create(int hosts) {
    return create(hosts, PREFIX, SUBNET);
  }

  /**
   * As {@link #create(int)}, with names of another prefix on another /24 ({@code subnet} is its
   * first three octets).
   */
  static HostNetwork create(int hosts, String prefix, String subnet) {
    deleteStale(prefix);
    HostNetwork net = new HostNetwork(hosts, prefix, subnet);
    String bridge = prefix + "br";
    try {
      run("ip", "link", "add", bridge, "type", "bridge");
      run("ip", "addr", "add", net.gatewayAddress() + "/24", "dev", bridge);
      run("ip", "link", "set", bridge, "up");
      for (int i = 1; i <= hosts; i++) {
        String ns = prefix + "-" + i;
        String outside = prefix + "v" + i;
        String inside = prefix + "p" + i;
        run("ip", "netns", "add", ns);
        run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside);
        run("ip", "link", "set", inside, "netns", ns);
        run("ip", "link", "set", outside, "master", bridge);
        run("ip", "link", "set", outside, "up");
        run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        run("ip", "netns", "exec", ns, "ip", "addr", "add", net.hostAddress(i) + "/24", "dev", inside);
        run("ip", "netns", "exec", ns, "ip", "link", "set", inside, "up");
      }
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
    return net;
  }

  /** The command, run in the host's namespace. */
  static List<String> inHost(int host, List<String> command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace(host)));
    full.addAll(command);
    return full;
  }

  /** The processes that run in the host's namespace. */
  static List<Long> processes(int host) {
    String out = run("ip", "netns", "pids", namespace(host));
    return out.lines().map(String::trim).filter(l -> !l.isEmpty()).map(Long::parseLong).toList();
  }

  /** Deletes every namespace and link of the default prefix, killing what runs in those namespaces first. */
  static void deleteStale() {
    deleteStale(PREFIX);
  }

  /** Deletes every namespace and link of the prefix, killing what runs in those namespaces first. */
  static void deleteStale(String prefix) {
    for (String line : run("ip", "netns", "list").lines().toList()) {
      String ns = line.split("\\s+")[0];
      if (ns.startsWith(prefix + "-")) {
        for (String pid : runQuietly("ip", "netns", "pids", ns).lines().map(String::trim).filter(l -> !l.isEmpty()).toList()) {
          ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
        }
        runQuietly("ip", "netns", "delete", ns);
      }
    }
    for (String line : runQuietly("ip", "-o", "link", "show").lines().toList()) {
      String[] parts = line.split(":\\s+");
      if (parts.length > 1) {
        String name = parts[1].split("@")[0].trim();
        if (name.startsWith(prefix)) {
          runQuietly("ip", "link", "delete", name);
        }
      }
    }
  }

  @Override
  public void close() {
    deleteStale(prefix);
  }

  int hosts() {
    return hosts;
  }

  static String run(String... command) {
    Result r = exec(command);
    if (r.code != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed (" + r.code + "): " + r.output);
    }
    return r.output;
  }

  private static String runQuietly(String... command) {
    return exec(command).output;
  }

  private record Result(int code, String output) {}

  private static Result exec(String... command) {
    try {
      Path out = Files.createTempFile("lote-netns", ".out");
      try {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return new Result(-1, "timed out");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      return new Result(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, e.toString());
    }
  }
}
