package dev.lote.pool.testagent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * Stands in for the node agent in tests: started by the real provider with the real command line,
 * it prints its arguments (into agent.log), says it started, and waits to be stopped. Marker files
 * in its node root make it ignore SIGTERM or leave a child process behind.
 */
public final class FakeAgent {

  public static void main(String[] args) throws Exception {
    System.out.println("ARGS " + String.join(" ", args));
    Path root = null;
    for (String a : args) {
      if (a.startsWith("--lote.node.root=")) {
        root = Path.of(a.substring("--lote.node.root=".length()));
      }
    }
    if (root != null && Files.exists(root.resolve("ignore-sigterm"))) {
      Runtime.getRuntime().addShutdownHook(new Thread(FakeAgent::parkForever));
    }
    if (root != null && Files.exists(root.resolve("spawn-child"))) {
      Process child = new ProcessBuilder("sleep", "600").start();
      Files.writeString(root.resolve("child.pid"), Long.toString(child.pid()));
    }
    if (root != null) {
      Files.writeString(root.resolve("started"), Long.toString(ProcessHandle.current().pid()));
    }
    System.out.flush();
    new CountDownLatch(1).await();
  }

  private static void parkForever() {
    while (true) {
      LockSupport.park();
    }
  }

  private FakeAgent() {}
}
