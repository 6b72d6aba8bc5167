package dev.lote.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpawnFloorCommandTest {

  @Test
  void startsEveryProcessAndGivesAPositiveRate(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("runs");
    // each run leaves one line, so the count proves the processes really ran, one after another
    double rate = SpawnFloorCommand.measure(List.of("/bin/sh", "-c", "echo x >> " + log), 25);
    assertThat(rate).isPositive();
    assertThat(Files.readAllLines(log)).hasSize(25);
  }

  @Test
  void aProcessThatFailsIsNotCountedAsASpawn() {
    assertThatThrownBy(() -> SpawnFloorCommand.measure(List.of("/bin/false"), 3)).hasMessageContaining("exited with 1");
  }
}
