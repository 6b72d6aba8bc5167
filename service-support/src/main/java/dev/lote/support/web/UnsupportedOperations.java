package dev.lote.support.web;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.bind.annotation.RequestMapping;

import dev.lote.common.error.BatchErrors;

/**
 * The operations of the Batch API a service understands but does not offer answer 501
 * {@code NotSupported}, and nothing changes. A service extends this class as a
 * {@code @RestController} whose type-level {@code @RequestMapping} lists those paths; the specific
 * mappings of its other controllers take precedence over these patterns.
 */
public abstract class UnsupportedOperations {

  @RequestMapping
  public void notSupported(HttpServletRequest request) {
    throw BatchErrors.notSupported(request.getMethod(), request.getRequestURI());
  }
}
