package dev.lote.gateway;

import java.net.URI;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param keyCacheTtl    how long account keys are kept before they are read again
 * @param maxClockSkew   requests whose ocp-date or Date is further from now are refused; wide,
 *                       because SDK retries resend the original date and signature
 * @param upstreamTimeout how long a service may take to start answering
 */
@ConfigurationProperties("lote.gateway")
public record GatewayProperties(
    URI accountUrl, URI poolUrl, URI jobUrl, Duration keyCacheTtl, Duration maxClockSkew, Duration upstreamTimeout) {}
