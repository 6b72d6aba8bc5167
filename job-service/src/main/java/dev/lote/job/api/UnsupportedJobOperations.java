package dev.lote.job.api;

import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.support.web.UnsupportedOperations;

/**
 * Every other job operation of the Batch API answers 501 {@code NotSupported}.
 */
@RestController
@RequestMapping("/jobs/**")
public class UnsupportedJobOperations extends UnsupportedOperations {}
