package dev.lote.job.api;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.common.error.BatchErrors;

/**
 * Every other job, task and job schedule operation of the Batch API (patch, update, disable,
 * enable, reactivate, subtasks, job schedules, lifetime statistics, preparation and release
 * status, file delete...) answers 501 {@code NotSupported}: understood, and nothing changed. The
 * specific mappings of the other controllers take precedence over these patterns.
 */
@RestController
public class UnsupportedOperations {

  @RequestMapping({"/jobs/**", "/jobschedules", "/jobschedules/**", "/lifetimejobstats", "/lifetimejobstats/**"})
  public void notSupported(HttpServletRequest request) {
    throw BatchErrors.notSupported(request.getMethod(), request.getRequestURI());
  }
}
