package dev.lote.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The domain is plain Java over the shared contracts: no web, database, broker or Spring in it. */
class DomainBoundaryTest {

  private static final List<String> FORBIDDEN =
      List.of("import org.springframework.", "import java.sql.", "import javax.sql.", "import org.apache.kafka.", "import jakarta.",
          "import dev.lote.support.", "import dev.lote.pool.api.", "import dev.lote.pool.persistence.", "import dev.lote.pool.service.",
          "import dev.lote.pool.messaging.", "import dev.lote.pool.provider.", "import dev.lote.pool.config.");

  @Test
  void theDomainDependsOnlyOnTheJdkAndTheSharedContracts() throws IOException {
    Path domain = Path.of("src/main/java/dev/lote/pool/domain");
    List<Path> sources;
    try (Stream<Path> files = Files.list(domain)) {
      sources = files.filter(f -> f.toString().endsWith(".java")).toList();
    }

    assertThat(sources).isNotEmpty();
    for (Path source : sources) {
      assertThat(Files.readAllLines(source))
          .as(source.getFileName().toString())
          .noneMatch(line -> FORBIDDEN.stream().anyMatch(line::startsWith));
    }
  }
}
