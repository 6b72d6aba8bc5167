package dev.lote.scheduler.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Placement alone, over 10,000 queued tasks and 100 nodes of 4 slots. After a build, run
 * {@code java -cp scheduler-service/target/classes:scheduler-service/target/test-classes dev.lote.scheduler.domain.PlacementBenchmark}.
 */
public final class PlacementBenchmark {
  public static void main(String[] args) {
    List<Placement.NodeSlots> nodes = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      nodes.add(new Placement.NodeSlots(String.format("n%03d", i), 4));
    }
    List<Placement.Candidate> queue = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      queue.add(new Placement.Candidate("job", "t" + i, 0, 1 + (i % 3 == 0 ? 1 : 0)));
    }
    for (int warm = 0; warm < 200; warm++) {
      Placement.place(nodes, queue);
    }
    int rounds = 1_000;
    long start = System.nanoTime();
    long placed = 0;
    for (int r = 0; r < rounds; r++) {
      placed += Placement.place(nodes, queue).size();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf(Locale.ROOT, "placements_per_s=%.0f (%d placements per round, %.3f ms per round over 10000 queued, 100 nodes)%n",
        placed / secs, placed / rounds, secs * 1000 / rounds);
  }

  private PlacementBenchmark() {}
}
