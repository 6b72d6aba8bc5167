package dev.lote.account.domain;

import java.time.Instant;

/**
 * One stored package of an application.
 *
 * @param format {@link PackageFormat#wire()} of the archive
 * @param sha256 the SHA-256 of the package bytes, lower-case hex
 */
public record PackageVersion(String version, String format, String sha256, long size, Instant createdAt) {}
