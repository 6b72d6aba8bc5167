package dev.lote.pool.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.lote.pool.domain.SupportedImage;

class LocalImageTest {

  @Test
  void ubuntuAndDebianAreNamedAsBatchNamesTheirImages() {
    assertThat(LocalImage.of(Map.of("ID", "ubuntu", "VERSION_ID", "22.04", "VERSION_CODENAME", "jammy"), "Linux"))
        .isEqualTo(new SupportedImage("batch.node.ubuntu 22.04", "canonical", "0001-com-ubuntu-server-jammy", "22_04-lts", "linux"));
    assertThat(LocalImage.of(Map.of("ID", "debian", "VERSION_ID", "12"), "Linux"))
        .isEqualTo(new SupportedImage("batch.node.debian 12", "debian", "debian-12", "12", "linux"));
  }

  @Test
  void otherSystemsAreNamedAfterTheirDistribution() {
    assertThat(LocalImage.of(Map.of("ID", "fedora", "VERSION_ID", "40"), "Linux"))
        .isEqualTo(new SupportedImage("batch.node.fedora 40", "fedora", "fedora-40", "40", "linux"));
    assertThat(LocalImage.of(Map.of(), "Windows 11").osType()).isEqualTo("windows");
  }
}
