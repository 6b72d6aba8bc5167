package dev.lote.job.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code lote.files.*}: how task file requests are passed to node agents.
 *
 * @param agentTimeout how long to wait for an agent's answer to begin
 */
@ConfigurationProperties("lote.files")
public record FileSettings(@DefaultValue("PT30S") Duration agentTimeout) {}
