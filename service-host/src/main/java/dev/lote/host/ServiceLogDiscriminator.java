package dev.lote.host;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.sift.AbstractDiscriminator;

/**
 * Tells Logback's sifting appender which service logged an event: the service whose class loader is
 * the logging thread's context class loader (every thread a service starts inherits it), or
 * {@code services} for the host itself.
 */
public final class ServiceLogDiscriminator extends AbstractDiscriminator<ILoggingEvent> {

  static final String KEY = "service";
  static final String HOST = "services";

  @Override
  public String getDiscriminatingValue(ILoggingEvent event) {
    String service = ServiceClassLoader.serviceOfCurrentThread();
    return service == null ? HOST : service;
  }

  @Override
  public String getKey() {
    return KEY;
  }
}
