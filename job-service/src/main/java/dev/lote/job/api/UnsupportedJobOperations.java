package dev.lote.job.api;

import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.support.web.UnsupportedOperations;

/**
 * Every other job and job schedule operation of the Batch API (job schedules...) answers 501
 * {@code NotSupported}.
 */
@RestController
@RequestMapping({"/jobs/**", "/jobschedules", "/jobschedules/**"})
public class UnsupportedJobOperations extends UnsupportedOperations {}
