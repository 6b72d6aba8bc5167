package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskSpaceTest {

  @TempDir Path root;

  @Test
  void aDiskWithLessFreeSpaceThanReservedIsFullUntilSpaceIsFreeAgain() throws Exception {
    long free = Files.getFileStore(root).getUsableSpace();
    DiskSpace promisedMore = new DiskSpace(root, free + (1L << 40));
    DiskSpace promisedLess = new DiskSpace(root, 1);

    assertThat(promisedMore.check()).as("a change: now full").isTrue();
    assertThat(promisedMore.check()).as("no change").isFalse();
    assertThat(promisedMore.error().code()).isEqualTo("DiskFull");
    assertThat(promisedMore.error().message()).contains(root.toString());
    assertThat(promisedLess.check()).as("never full: no change").isFalse();
    assertThat(promisedLess.error()).isNull();
  }
}
