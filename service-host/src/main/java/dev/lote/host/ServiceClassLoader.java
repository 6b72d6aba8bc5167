package dev.lote.host;

import java.net.URL;
import java.net.URLClassLoader;

/**
 * One service's own classes and resources ({@code application.yml}, {@code db/migration}) over the
 * libraries all services share. Its name is the service's: stack traces show it, and the log
 * discriminator sends what a service's threads log to that service's log.
 */
final class ServiceClassLoader extends URLClassLoader {

  static {
    registerAsParallelCapable();
  }

  ServiceClassLoader(String service, URL classes, ClassLoader libraries) {
    super(service, new URL[] {classes}, libraries);
  }

  /** The service whose code runs on this thread, by its context class loader; null for the host's own threads. */
  static String serviceOfCurrentThread() {
    for (ClassLoader cl = Thread.currentThread().getContextClassLoader(); cl != null; cl = cl.getParent()) {
      if (cl instanceof ServiceClassLoader) {
        return cl.getName();
      }
    }
    return null;
  }
}
