package dev.lote.pool.api;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.common.error.BatchErrors;

/**
 * Every other pool and node operation of the Batch API (resize, patch, autoscale, remove nodes,
 * reboot, users, ...) answers 501 {@code NotSupported}: the request was understood and nothing
 * changed. More specific mappings elsewhere take precedence over these patterns.
 */
@RestController
public class UnsupportedOperations {

  @RequestMapping({"/pools/**", "/nodecounts/**", "/supportedimages/**", "/poolusagemetrics/**"})
  public void notSupported(HttpServletRequest request) {
    throw BatchErrors.notSupported(request.getMethod(), request.getRequestURI());
  }
}
