package dev.lote.common.web;

import java.io.IOException;
import java.time.Clock;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

import dev.lote.common.error.BatchException;

/**
 * Takes the place of Tomcat's {@link ErrorReportValve}, which writes an HTML page for the answers
 * Tomcat gives before any servlet runs (an encoded NUL or backslash in the path, a request it
 * cannot map): the same answer as a Batch error body.
 */
public class BatchErrorValve extends ErrorReportValve {

  private final Clock clock = Clock.systemUTC();

  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int status = response.getStatus();
    if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
      return;
    }
    BatchException e =
        throwable instanceof BatchException b
            ? b
            : status == 400 ? BatchErrorResponses.unreadableUri() : BatchErrorResponses.forStatus(status, request.getMethod(), request.getRequestURI());
    try {
      response.setSuspended(false);
      response.setError();
      BatchErrorResponses.write(request.getRequest(), response.getResponse(), e, clock);
    } catch (IOException | IllegalStateException ignored) {
      // the client is gone or the answer was already on its way: nothing more can be said
    }
  }
}
