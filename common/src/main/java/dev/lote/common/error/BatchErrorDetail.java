package dev.lote.common.error;

/** One {@code {"key":..., "value":...}} entry of a Batch error's {@code values}. */
public record BatchErrorDetail(String key, String value) {}
