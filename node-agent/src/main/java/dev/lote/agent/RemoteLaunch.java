package dev.lote.agent;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The remote launcher of multi-instance tasks, as Open MPI calls an rsh agent: {@code lote-rsh
 * [options] <host> <command...>}. It asks the agent of the instance on {@code host} (an IP address
 * or node id of the task's instances) to run the command there as that instance, prints what the
 * command writes and exits with its exit code, staying alive while the command runs, as {@code ssh}
 * would. It knows the instances' agents, its attempt and the attempt's secret from the
 * environment the agent gave the task. Options before the host (such as ssh's {@code -x}) are
 * ignored.
 */
public final class RemoteLaunch {

  static final String AGENTS = "LOTE_MI_AGENTS";
  static final String SECRET = "LOTE_MI_SECRET";
  static final String ATTEMPT = "LOTE_MI_ATTEMPT";

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out));
  }

  static int run(String[] args, Map<String, String> env, OutputStream stdout) {
    int i = 0;
    while (i < args.length && args[i].startsWith("-")) {
      i++;
    }
    if (i >= args.length - 1) {
      System.err.println("lote-rsh: usage: lote-rsh <host> <command...>");
      return 255;
    }
    String host = args[i];
    List<String> words = new ArrayList<>();
    for (int j = i + 1; j < args.length; j++) {
      words.add(args[j]);
    }
    Map<String, String> agents = new HashMap<>();
    for (String pair : env.getOrDefault(AGENTS, "").split(",")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        agents.putIfAbsent(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    String agent = agents.get(host);
    if (agent == null || env.get(SECRET) == null || env.get(ATTEMPT) == null) {
      System.err.println("lote-rsh: " + host + " is not a node of this multi-instance task");
      return 255;
    }
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(agent + MultiInstanceRuns.PATH + env.get(ATTEMPT) + "/exec").toURL().openConnection();
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setConnectTimeout(5_000);
      c.setReadTimeout(0);
      c.setRequestProperty(MultiInstanceRuns.SECRET_HEADER, env.get(SECRET));
      c.setRequestProperty("Content-Type", "application/json");
      String body = Events.JSON.writeValueAsString(Map.of("command", String.join(" ", words)));
      try (OutputStream out = c.getOutputStream()) {
        out.write(body.getBytes(StandardCharsets.UTF_8));
      }
      if (c.getResponseCode() != 200) {
        System.err.println("lote-rsh: the agent of " + host + " refused the command (" + c.getResponseCode() + ")");
        return 255;
      }
      try (DataInputStream in = new DataInputStream(c.getInputStream())) {
        while (true) {
          int type = in.readByte();
          int n = in.readInt();
          if (type == 'X') {
            stdout.flush();
            return n;
          }
          byte[] data = in.readNBytes(n);
          stdout.write(data);
          stdout.flush();
        }
      }
    } catch (EOFException e) {
      System.err.println("lote-rsh: the command on " + host + " was ended");
      return 255;
    } catch (IOException | RuntimeException e) {
      System.err.println("lote-rsh: cannot reach the agent of " + host + ": " + e);
      return 255;
    }
  }

  private RemoteLaunch() {}
}
