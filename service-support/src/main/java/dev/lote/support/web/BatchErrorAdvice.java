package dev.lote.support.web;

import java.time.Clock;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import dev.lote.common.error.BatchErrorBody;
import dev.lote.common.error.BatchErrors;
import dev.lote.common.error.BatchException;

/** Every failure a service raises leaves it as an Azure Batch error body, never as a stack trace. */
@RestControllerAdvice
public class BatchErrorAdvice {

  private static final Logger log = LoggerFactory.getLogger(BatchErrorAdvice.class);

  private final Clock clock;

  public BatchErrorAdvice(Clock clock) {
    this.clock = clock;
  }

  @ExceptionHandler(BatchException.class)
  public ResponseEntity<Object> batch(BatchException e, HttpServletRequest request) {
    return render(e, request);
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  public ResponseEntity<Object> unreadable(HttpMessageNotReadableException e, HttpServletRequest request) {
    Throwable cause = e.getMostSpecificCause();
    return render(BatchErrors.invalidRequestBody(cause == null ? e.getMessage() : cause.getMessage()), request);
  }

  @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
  public ResponseEntity<Object> mediaType(HttpMediaTypeNotSupportedException e, HttpServletRequest request) {
    return render(BatchErrors.invalidRequestBody("Content-Type must be application/json"), request);
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  public ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
    return render(
        BatchErrors.invalidQueryParameter(e.getName(), String.valueOf(e.getValue()), "not a valid value"), request);
  }

  @ExceptionHandler(MissingServletRequestParameterException.class)
  public ResponseEntity<Object> missingParam(MissingServletRequestParameterException e, HttpServletRequest request) {
    return render(
        new BatchException(400, "MissingRequiredQueryParameter", "A query parameter that's mandatory for this request is not specified.",
            java.util.List.of(new dev.lote.common.error.BatchErrorDetail("QueryParameterName", e.getParameterName()))),
        request);
  }

  @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
  public ResponseEntity<Object> method(HttpRequestMethodNotSupportedException e, HttpServletRequest request) {
    return render(
        new BatchException(405, "UnsupportedHttpVerb", "The resource doesn't support the specified HTTP verb."), request);
  }

  @ExceptionHandler(NoResourceFoundException.class)
  public ResponseEntity<Object> noResource(NoResourceFoundException e, HttpServletRequest request) {
    return render(BatchErrors.notSupported(request.getMethod(), request.getRequestURI()), request);
  }

  @ExceptionHandler(Exception.class)
  public ResponseEntity<Object> unexpected(Exception e, HttpServletRequest request) {
    log.error("unexpected failure serving {} {}", request.getMethod(), request.getRequestURI(), e);
    return render(BatchErrors.internal(e.getClass().getSimpleName()), request);
  }

  private ResponseEntity<Object> render(BatchException e, HttpServletRequest request) {
    BatchRequest br = BatchRequest.of(request);
    ResponseEntity.BodyBuilder b =
        ResponseEntity.status(HttpStatus.valueOf(e.status())).header(LoteHeaders.REQUEST_ID, br.requestId());
    if ("HEAD".equals(request.getMethod()) || e.status() == 304) {
      return b.build();
    }
    Map<String, Object> body = BatchErrorBody.of(e, br.baseUrl(), br.requestId(), clock.instant());
    return b.contentType(MediaType.parseMediaType(BatchErrorBody.CONTENT_TYPE)).body(body);
  }
}
