package dev.lote.pool.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code lote.*} settings outside the node provider.
 *
 * @param publicUrl the gateway's URL as the nodes' agents should call it (their {@code AZ_BATCH_ACCOUNT_URL})
 */
@ConfigurationProperties("lote")
public record LoteSettings(@DefaultValue("http://127.0.0.1:8080") String publicUrl) {}
