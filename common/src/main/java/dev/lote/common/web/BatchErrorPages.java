package dev.lote.common.web;

import java.io.IOException;
import java.time.Clock;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.apache.catalina.Container;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.Valve;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.error.ErrorPage;
import org.springframework.boot.web.error.ErrorPageRegistrar;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.common.error.BatchException;

/**
 * Every answer the web server produces itself is a Batch error body: the error page (statuses a
 * servlet or filter sent without a body, exceptions that escaped them) and Tomcat's own error
 * report (answers given before any servlet ran).
 */
@Configuration(proxyBeanMethods = false)
public class BatchErrorPages {

  /** Where Tomcat forwards an error to be rendered; not {@code /error}, which Spring Boot's own controller keeps. */
  public static final String PATH = "/lote-error";

  /**
   * Every error status and every exception goes to {@link #PATH}: pages for a status or an
   * exception type take precedence over Spring Boot's global page, whatever the order in which
   * the two are registered.
   */
  @Bean
  public ErrorPageRegistrar batchErrorPageRegistrar() {
    return registry -> {
      for (HttpStatus status : HttpStatus.values()) {
        if (status.value() >= 400) {
          registry.addErrorPages(new ErrorPage(status, PATH));
        }
      }
      registry.addErrorPages(new ErrorPage(Throwable.class, PATH));
    };
  }

  @Bean
  public WebServerFactoryCustomizer<TomcatServletWebServerFactory> batchErrorValve() {
    return factory ->
        factory.addContextLifecycleListeners(
            event -> {
              if (Lifecycle.BEFORE_START_EVENT.equals(event.getType()) && event.getLifecycle() instanceof Container context) {
                replaceErrorReportValve(context.getParent());
              }
            });
  }

  static void replaceErrorReportValve(Container host) {
    if (host == null) {
      return;
    }
    for (Valve v : host.getPipeline().getValves()) {
      if (v instanceof ErrorReportValve && !(v instanceof BatchErrorValve)) {
        host.getPipeline().removeValve(v);
      }
    }
    if (host instanceof org.apache.catalina.core.StandardHost h) {
      h.setErrorReportValveClass(BatchErrorValve.class.getName());
    }
    for (Valve v : host.getPipeline().getValves()) {
      if (v instanceof BatchErrorValve) {
        return;
      }
    }
    host.getPipeline().addValve(new BatchErrorValve());
  }

  /** The error page, rendered as a Batch error (registered as a member of this configuration). */
  @RestController
  public static class BatchErrorController {

    private final Clock clock = Clock.systemUTC();

    @RequestMapping(PATH)
    public void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
      Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
      Object failure = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
      Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
      BatchException e =
          failure instanceof BatchException b
              ? b
              : BatchErrorResponses.forStatus(
                  // asked for directly rather than forwarded to by Tomcat: there is no such resource
                  status instanceof Integer i ? i : 404, request.getMethod(), uri == null ? request.getRequestURI() : uri.toString());
      BatchErrorResponses.write(request, response, e, clock);
    }
  }
}
