package dev.lote.support.web;

import java.io.IOException;
import java.time.Clock;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;
import dev.lote.common.web.BatchErrorResponses;

/** Every failure a service raises leaves it as an Azure Batch error body, never as a stack trace. */
@RestControllerAdvice
public class BatchErrorAdvice {

  private static final Logger log = LoggerFactory.getLogger(BatchErrorAdvice.class);

  private final Clock clock;

  public BatchErrorAdvice(Clock clock) {
    this.clock = clock;
  }

  @ExceptionHandler(BatchException.class)
  public ResponseEntity<Object> batch(BatchException e, HttpServletRequest request, HttpServletResponse response) {
    return render(e, request, response);
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  public ResponseEntity<Object> unreadable(HttpMessageNotReadableException e, HttpServletRequest request, HttpServletResponse response) {
    Throwable cause = e.getMostSpecificCause();
    return render(BatchErrors.invalidRequestBody(cause == null ? e.getMessage() : cause.getMessage()), request, response);
  }

  @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
  public ResponseEntity<Object> mediaType(HttpMediaTypeNotSupportedException e, HttpServletRequest request, HttpServletResponse response) {
    return render(BatchErrorResponses.unsupportedMediaType(request.getContentType()), request, response);
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  public ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException e, HttpServletRequest request, HttpServletResponse response) {
    return render(
        BatchErrors.invalidQueryParameter(e.getName(), String.valueOf(e.getValue()), "not a valid value"), request, response);
  }

  @ExceptionHandler(MissingServletRequestParameterException.class)
  public ResponseEntity<Object> missingParam(MissingServletRequestParameterException e, HttpServletRequest request, HttpServletResponse response) {
    return render(
        new BatchException(400, "MissingRequiredQueryParameter", "A query parameter that's mandatory for this request is not specified.",
            java.util.List.of(new dev.lote.common.error.BatchErrorDetail("QueryParameterName", e.getParameterName()))),
        request,
        response);
  }

  @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
  public ResponseEntity<Object> method(HttpRequestMethodNotSupportedException e, HttpServletRequest request, HttpServletResponse response) {
    return render(
        new BatchException(405, "UnsupportedHttpVerb", "The resource doesn't support the specified HTTP verb."), request, response);
  }

  @ExceptionHandler(NoResourceFoundException.class)
  public ResponseEntity<Object> noResource(NoResourceFoundException e, HttpServletRequest request, HttpServletResponse response) {
    return render(BatchErrors.notSupported(request.getMethod(), request.getRequestURI()), request, response);
  }

  @ExceptionHandler(Exception.class)
  public ResponseEntity<Object> unexpected(Exception e, HttpServletRequest request, HttpServletResponse response) {
    if (e instanceof ErrorResponse spring && spring.getStatusCode().is4xxClientError()) {
      // Spring's own refusals (406 for an Accept it cannot meet, 415, a missing header): the status Spring chose
      return render(BatchErrorResponses.forStatus(spring.getStatusCode().value(), request.getMethod(), request.getRequestURI()), request, response);
    }
    log.error("unexpected failure serving {} {}", request.getMethod(), request.getRequestURI(), e);
    return render(BatchErrors.internal(e.getClass().getSimpleName()), request, response);
  }

  /**
   * Writes the error straight to the response, so that no content negotiation can refuse it (an
   * Accept the service cannot meet would make Spring refuse the error body too).
   */
  private ResponseEntity<Object> render(BatchException e, HttpServletRequest request, HttpServletResponse response) {
    try {
      BatchErrorResponses.write(request, response, e, clock);
    } catch (IOException io) {
      log.debug("the error could not be written: {}", io.toString());
    }
    return null;
  }


}
