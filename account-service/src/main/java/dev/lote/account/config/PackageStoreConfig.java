package dev.lote.account.config;

import java.io.IOException;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.lote.account.domain.PackageStore;
import dev.lote.account.store.DirectoryPackageStore;

/** The package store the settings name. */
@Configuration(proxyBeanMethods = false)
public class PackageStoreConfig {

  @Bean
  PackageStore packageStore(ApplicationsProperties properties) throws IOException {
    return new DirectoryPackageStore(properties.store(), properties.maxPackageSize().toBytes());
  }
}
