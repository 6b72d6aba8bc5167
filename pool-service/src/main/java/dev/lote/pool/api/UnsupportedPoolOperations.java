package dev.lote.pool.api;

import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.support.web.UnsupportedOperations;

/**
 * Every other pool and node operation of the Batch API answers 501 {@code NotSupported}.
 */
@RestController
@RequestMapping({"/pools/**", "/nodecounts/**", "/supportedimages/**", "/poolusagemetrics/**"})
public class UnsupportedPoolOperations extends UnsupportedOperations {}
