package dev.lote.cli;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How fast this machine starts and reaps processes from a JVM, one after another: the floor a
 * node agent, which starts each task with {@link ProcessBuilder}, cannot beat.
 */
@Command(name = "spawn-floor", description = "Measure how many processes per second a JVM can start and reap here.")
public final class SpawnFloorCommand implements Callable<Integer> {

  @Option(names = "--count", defaultValue = "2000", description = "processes to start")
  int count;

  @Option(names = "--command", defaultValue = "/bin/true", description = "program to start")
  String command;

  @Override
  public Integer call() throws Exception {
    measure(List.of(command), Math.min(count / 10 + 1, 200)); // warm-up: class loading and the JIT
    double rate = measure(List.of(command), count);
    System.out.printf(Locale.ROOT, "floor_spawns_per_s{method=\"java\"}=%.0f%n", rate);
    return 0;
  }

  /** Starts {@code command} {@code n} times in sequence, waiting for each; returns processes per second. */
  static double measure(List<String> command, int n) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      int exit = pb.start().waitFor();
      if (exit != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited with " + exit);
      }
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }
}
