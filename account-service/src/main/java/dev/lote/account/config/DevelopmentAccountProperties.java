package dev.lote.account.config;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** The well-known development account that exists from the first start, like Azurite's. */
@ConfigurationProperties("lote.accounts.development")
public record DevelopmentAccountProperties(boolean enabled, String name, String key) {}
