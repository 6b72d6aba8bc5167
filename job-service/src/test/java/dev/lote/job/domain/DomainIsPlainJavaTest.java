package dev.lote.job.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** Jobs and tasks are plain Java over the shared contracts and JSON trees: no Spring, web, SQL or Kafka. */
class DomainIsPlainJavaTest {

  private static final List<String> OUTSIDE_THE_DOMAIN =
      List.of(
          "import org.springframework.", "import jakarta.", "import java.sql.", "import javax.sql.", "import org.apache.kafka.",
          "import dev.lote.support.", "import dev.lote.job.api.", "import dev.lote.job.persistence.", "import dev.lote.job.service.",
          "import dev.lote.job.messaging.", "import dev.lote.job.config.");

  @Test
  void domainClassesImportNothingFromOtherLayers() throws IOException {
    List<Path> sources;
    try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/lote/job/domain"))) {
      sources = files.filter(f -> f.toString().endsWith(".java")).toList();
    }

    assertThat(sources).hasSizeGreaterThan(5);
    for (Path source : sources) {
      assertThat(Files.readAllLines(source))
          .as(source.getFileName().toString())
          .noneMatch(line -> OUTSIDE_THE_DOMAIN.stream().anyMatch(line::startsWith));
    }
  }
}
