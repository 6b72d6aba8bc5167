package dev.lote.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibraryViewTest {

  @TempDir Path dir;

  @Test
  void aServiceFindsTheResourcesOfItsOwnLibrariesOnly() throws Exception {
    Path lib = Files.createDirectories(dir.resolve("lib"));
    Path jdbc = jar(lib.resolve("jdbc-1.0.jar"), "org/db/Driver.class", "META-INF/spring/imports", "common.txt");
    Path web = jar(lib.resolve("web-1.0.jar"), "org/web/Server.class", "META-INF/spring/imports", "common.txt");
    try (URLClassLoader shared = new URLClassLoader(new URL[] {jdbc.toUri().toURL(), web.toUri().toURL()}, null)) {
      LibraryView gateway = new LibraryView("gateway", shared, lib, Set.of("web-1.0.jar"));

      assertThat(Collections.list(shared.getResources("META-INF/spring/imports"))).hasSize(2);
      assertThat(Collections.list(gateway.getResources("META-INF/spring/imports")))
          .singleElement().satisfies(u -> assertThat(LibraryView.jarOf(u)).isEqualTo(web.toRealPath()));
      assertThat(gateway.getResource("common.txt")).as("found in a later library when the first is hidden")
          .satisfies(u -> assertThat(LibraryView.jarOf(u)).isEqualTo(web.toRealPath()));
      assertThat(gateway.getResource("org/db/Driver.class")).isNull();
      assertThat(Collections.list(gateway.getResources("META-INF/services/none"))).isEmpty();
      assertThat(gateway.loadClass("java.lang.String")).isSameAs(String.class);
    }
  }

  @Test
  void resourcesOutsideTheLibraryFolderAreVisible() throws Exception {
    Path lib = Files.createDirectories(dir.resolve("lib"));
    Path host = jar(dir.resolve("host.jar"), "host.txt");
    try (URLClassLoader shared = new URLClassLoader(new URL[] {host.toUri().toURL()}, null)) {
      LibraryView view = new LibraryView("a", shared, lib, Set.of());

      assertThat(view.getResource("host.txt")).isNotNull();
      assertThat(view.isVisible(new URL("jrt:/java.base/java/lang/String.class"))).isTrue();
      assertThat(LibraryView.jarOf(new URL("file:/x/y.jar"))).isNull();
    }
  }

  private static Path jar(Path jar, String... entries) throws IOException {
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      for (String e : List.of(entries)) {
        out.putNextEntry(new JarEntry(e));
        out.write(e.getBytes(StandardCharsets.UTF_8));
      }
    }
    return jar;
  }
}
