package dev.lote.host;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationHook;
import org.springframework.boot.SpringApplicationRunListener;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts each service's Spring Boot application in this JVM, side by side: each from its own class
 * loader, which sees the service's own classes and, of the libraries all services share, those its
 * jar carries ({@link LibraryView}); on a thread of its own whose context class loader is that
 * loader. The services still talk only through Kafka, HTTP and their own databases; sharing the
 * JVM shares class loading, compilation and one heap.
 *
 * <p>A service whose start fails is started again in a fresh class loader, after 1 s doubling up to
 * 30 s, without disturbing the others (a database or broker that is not there yet, for example).
 * Each failed start is counted in {@code <service>.failed-starts} in the folder the system property
 * {@code lote.host.restarts} names, if any: {@code ./lote status} shows it, and {@code ./lote up}
 * stops waiting for a stack one of whose services failed to start.
 * When the JVM stops, the services' contexts are closed side by side (each service is started with
 * Spring's own shutdown hook off, which would close them one after another).
 */
final class ServiceHost {

  private static final Duration FIRST_DELAY = Duration.ofSeconds(1);
  private static final Duration MAX_DELAY = Duration.ofSeconds(30);

  /** One service to run: its name and its command-line arguments. */
  record Service(String name, List<String> args) {}

  private final ServiceJars jars;
  private final Path restarts;
  private final List<ConfigurableApplicationContext> started = new CopyOnWriteArrayList<>();

  /**
   * @param restarts the folder where each service's failed starts are counted, or null
   */
  ServiceHost(ServiceJars jars, Path restarts) {
    this.jars = jars;
    this.restarts = restarts;
  }

  /**
   * The logging every service shares, set before any service logs: Spring Boot's own logging setup
   * would reconfigure the one Logback all services share, each time a service starts.
   */
  static void configureLogging(Path logs) {
    System.setProperty("lote.logs", logs.toString());
    System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "lote-services-logback.xml");
    }
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
  }

  void run(List<Service> services) throws InterruptedException {
    Logger log = LoggerFactory.getLogger(ServiceHost.class);
    ClassLoader libraries = ServiceHost.class.getClassLoader();
    Runtime.getRuntime().addShutdownHook(new Thread(this::closeAll, "services-shutdown"));
    List<Thread> starters = new ArrayList<>();
    for (Service service : services) {
      Thread t = new Thread(() -> startUntilStarted(service, libraries, log), service.name() + "-start");
      starters.add(t);
      t.start();
    }
    for (Thread t : starters) {
      t.join();
    }
    log.info("all {} services started", services.size());
  }

  private void startUntilStarted(Service service, ClassLoader libraries, Logger log) {
    Duration delay = FIRST_DELAY;
    while (true) {
      ServiceClassLoader loader = null;
      try {
        LibraryView view = new LibraryView(service.name(), libraries, jars.libFolder(), jars.librariesOf(service.name()));
        loader = new ServiceClassLoader(service.name(), jars.classesOf(service.name()).toUri().toURL(), view);
        Thread.currentThread().setContextClassLoader(loader);
        Method main = Class.forName(jars.startClassOf(service.name()), true, loader).getMethod("main", String[].class);
        SpringApplication.withHook(keepStarted(), () -> invoke(main, service.args()));
        log.info("{} started", service.name());
        return;
      } catch (StartFailed e) {
        log.error("{} did not start; starting it again in {} s", service.name(), delay.toSeconds(), e.getCause());
      } catch (Exception | LinkageError e) {
        log.error("{} could not be loaded; starting it again in {} s", service.name(), delay.toSeconds(), e);
      } finally {
        Thread.currentThread().setContextClassLoader(libraries);
      }
      close(loader);
      countFailedStart(service.name(), log);
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      delay = delay.multipliedBy(2);
      if (delay.compareTo(MAX_DELAY) > 0) {
        delay = MAX_DELAY;
      }
    }
  }

  /** Adds one to the service's count of failed starts, written whole (a reader never sees half a number). */
  private void countFailedStart(String service, Logger log) {
    if (restarts == null) {
      return;
    }
    Path file = restarts.resolve(service + ".failed-starts");
    try {
      long n = Files.exists(file) ? Long.parseLong(Files.readString(file).trim()) + 1 : 1;
      Path next = Files.writeString(restarts.resolve(service + ".failed-starts.next"), n + "\n");
      Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | NumberFormatException e) {
      log.warn("could not count a failed start of {} in {}: {}", service, file, e.toString());
    }
  }

  /** Keeps each context the service's main starts, to close it when the JVM stops. */
  private SpringApplicationHook keepStarted() {
    return application -> new SpringApplicationRunListener() {
      @Override
      public void started(ConfigurableApplicationContext context, Duration timeTaken) {
        started.add(context);
      }
    };
  }

  private static void invoke(Method main, List<String> args) {
    try {
      main.invoke(null, (Object) args.toArray(String[]::new));
    } catch (InvocationTargetException e) {
      throw new StartFailed(e.getCause());
    } catch (IllegalAccessException e) {
      throw new StartFailed(e);
    }
  }

  /** What a service's main threw. */
  private static final class StartFailed extends RuntimeException {
    StartFailed(Throwable cause) {
      super(cause);
    }
  }

  /** Closes every started context, side by side, each on a thread that logs to its service's log. */
  private void closeAll() {
    List<Thread> closing = new ArrayList<>();
    for (ConfigurableApplicationContext context : started) {
      Thread t = new Thread(context::close, "close-" + context.getId());
      t.setContextClassLoader(context.getClassLoader());
      closing.add(t);
      t.start();
    }
    for (Thread t : closing) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void close(ServiceClassLoader loader) {
    if (loader == null) {
      return;
    }
    try {
      loader.close();
    } catch (IOException e) {
      // its files stay open until collected; nothing else depends on them
    }
  }

  /** {@code :: name arg... :: name arg...} into services, in their order. */
  static List<Service> parseServices(List<String> args) {
    List<Service> services = new ArrayList<>();
    String name = null;
    List<String> current = null;
    for (String a : args) {
      if (a.equals("::")) {
        if (name != null) {
          services.add(new Service(name, List.copyOf(current)));
        }
        name = null;
        current = new ArrayList<>();
      } else if (current == null) {
        throw new IllegalArgumentException("services are given as ':: NAME [ARG...]', got '" + a + "' first");
      } else if (name == null) {
        name = a;
      } else {
        current.add(a);
      }
    }
    if (name != null) {
      services.add(new Service(name, List.copyOf(current)));
    }
    if (services.isEmpty()) {
      throw new IllegalArgumentException("no service given (':: NAME [ARG...]')");
    }
    return services;
  }
}
