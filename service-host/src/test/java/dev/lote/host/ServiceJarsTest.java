package dev.lote.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceJarsTest {

  @TempDir Path dir;

  @Test
  void eachServiceGetsItsOwnResourcesAndTheLibrariesAreSharedInIndexOrder() throws IOException {
    Path a = bootJar("a.jar", "dev.a.A", Map.of("application.yml", "name: a", "db/migration/V1__a.sql", "create table a();"),
        List.of("shared-1.0.jar", "only-a-2.0.jar"));
    Path b = bootJar("b.jar", "dev.b.B", Map.of("application.yml", "name: b"), List.of("only-b-1.0.jar", "shared-1.0.jar"));
    ServiceJars jars = new ServiceJars(dir.resolve("work"));

    List<Path> classPath = jars.prepare(ordered("a", a, "b", b));

    assertThat(classPath).extracting(p -> p.getFileName().toString())
        .containsExactly("shared-1.0.jar", "only-a-2.0.jar", "only-b-1.0.jar");
    assertThat(classPath).allMatch(Files::isRegularFile);
    assertThat(Files.readString(classPath.get(0))).isEqualTo("library shared-1.0.jar");
    assertThat(Files.readString(jars.classesOf("a").resolve("application.yml"))).isEqualTo("name: a");
    assertThat(Files.readString(jars.classesOf("b").resolve("application.yml"))).isEqualTo("name: b");
    assertThat(jars.classesOf("a").resolve("db/migration/V1__a.sql")).exists();
    assertThat(jars.classesOf("b").resolve("db")).doesNotExist();
    assertThat(jars.startClassOf("a")).isEqualTo("dev.a.A");
    assertThat(jars.startClassOf("b")).isEqualTo("dev.b.B");
    assertThat(jars.libFolder().resolve("spring-boot-jarmode-tools-4.0.7.jar")).doesNotExist();
  }

  @Test
  void anUnchangedJarIsNotUnpackedAgainAndARebuiltOneIsUnpackedAfresh() throws IOException {
    Path a = bootJar("a.jar", "dev.a.A", Map.of("application.yml", "v: 1", "old.txt", "old"), List.of("shared-1.0.jar"));
    ServiceJars jars = new ServiceJars(dir.resolve("work"));
    List<Path> first = jars.prepare(ordered("a", a, null, null));
    String digest = ServiceJars.digest(first);
    Path yml = jars.classesOf("a").resolve("application.yml");
    Files.setLastModifiedTime(yml, FileTime.fromMillis(1_000));

    jars.prepare(ordered("a", a, null, null));
    assertThat(Files.getLastModifiedTime(yml).toMillis()).as("not unpacked again").isEqualTo(1_000);
    assertThat(ServiceJars.digest(first)).isEqualTo(digest);

    bootJar("a.jar", "dev.a.A2", Map.of("application.yml", "v: 2"), List.of("shared-1.1.jar"));
    Files.setLastModifiedTime(a, FileTime.fromMillis(Files.getLastModifiedTime(a).toMillis() + 5_000));
    List<Path> second = jars.prepare(ordered("a", a, null, null));

    assertThat(Files.readString(yml)).isEqualTo("v: 2");
    assertThat(jars.classesOf("a").resolve("old.txt")).as("what the new build no longer has").doesNotExist();
    assertThat(jars.startClassOf("a")).isEqualTo("dev.a.A2");
    assertThat(second).extracting(p -> p.getFileName().toString()).containsExactly("shared-1.1.jar");
    assertThat(ServiceJars.digest(second)).isNotEqualTo(digest);
  }

  @Test
  void aSnapshotLibraryRebuiltWithTheSameNameAndSizeIsReplaced() throws IOException {
    Path a = bootJar("a.jar", "dev.a.A", Map.of("application.yml", "v: 1"), List.of("support-SNAPSHOT.jar"));
    ServiceJars jars = new ServiceJars(dir.resolve("work"));
    Path library = jars.prepare(ordered("a", a, null, null)).get(0);
    assertThat(Files.readString(library)).isEqualTo("library support-SNAPSHOT.jar");

    bootJar("a.jar", "dev.a.A", Map.of("application.yml", "v: 1"), List.of("support-SNAPSHOT.jar"), "LIBRARY support-SNAPSHOT.jar");
    Files.setLastModifiedTime(a, FileTime.fromMillis(Files.getLastModifiedTime(a).toMillis() + 5_000));
    jars.prepare(ordered("a", a, null, null));

    assertThat(Files.readString(library)).isEqualTo("LIBRARY support-SNAPSHOT.jar");
  }

  @Test
  void aJarThatIsNotAnExecutableSpringBootJarIsRefusedWithItsName() throws IOException {
    Path plain = dir.resolve("plain.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(plain), new Manifest())) {
      out.putNextEntry(new JarEntry("x.txt"));
      out.write(1);
    }
    ServiceJars jars = new ServiceJars(dir.resolve("work"));

    assertThatThrownBy(() -> jars.prepare(ordered("p", plain, null, null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("plain.jar").hasMessageContaining("Start-Class");
    assertThatThrownBy(() -> jars.startClassOf("never")).hasMessageContaining("never was not prepared");
  }

  @Test
  void anEntryLeadingOutOfTheClassesFolderIsRefused() throws IOException {
    Path evil = bootJar("evil.jar", "dev.e.E", Map.of("../../outside.txt", "x"), List.of());

    assertThatThrownBy(() -> new ServiceJars(dir.resolve("work")).prepare(ordered("e", evil, null, null)))
        .hasMessageContaining("points outside");
    assertThat(dir.resolve("outside.txt")).doesNotExist();
  }

  @Test
  void servicesAreGivenAsGroupsAfterDoubleColons() {
    assertThat(ServiceHost.parseServices(List.of("::", "a", "--x=1", "--y=2", "::", "b")))
        .containsExactly(new ServiceHost.Service("a", List.of("--x=1", "--y=2")), new ServiceHost.Service("b", List.of()));
    assertThatThrownBy(() -> ServiceHost.parseServices(List.of("a", "::", "b"))).hasMessageContaining("':: NAME");
    assertThatThrownBy(() -> ServiceHost.parseServices(List.of())).hasMessageContaining("no service");
    assertThat(ServiceJars.parseJars(List.of("a=x/a.jar")).get("a")).isAbsolute();
    assertThatThrownBy(() -> ServiceJars.parseJars(List.of("a.jar"))).hasMessageContaining("SERVICE=JAR");
  }

  private static Map<String, Path> ordered(String n1, Path j1, String n2, Path j2) {
    Map<String, Path> m = new LinkedHashMap<>();
    m.put(n1, j1);
    if (n2 != null) {
      m.put(n2, j2);
    }
    return m;
  }

  /** A jar laid out as Spring Boot's repackaging lays it out, libraries stored uncompressed. */
  private Path bootJar(String name, String startClass, Map<String, String> resources, List<String> libraries) throws IOException {
    return bootJar(name, startClass, resources, libraries, null);
  }

  /** As above, every library's content {@code content} when given, else "library NAME". */
  private Path bootJar(String name, String startClass, Map<String, String> resources, List<String> libraries, String content)
      throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().putValue("Start-Class", startClass);
    Path jar = dir.resolve(name);
    StringBuilder index = new StringBuilder();
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
      for (Map.Entry<String, String> r : resources.entrySet()) {
        out.putNextEntry(new JarEntry(ServiceJars.CLASSES_PREFIX + r.getKey()));
        out.write(r.getValue().getBytes(StandardCharsets.UTF_8));
      }
      for (String library : libraries) {
        stored(out, ServiceJars.LIB_PREFIX + library, (content != null ? content : "library " + library).getBytes(StandardCharsets.UTF_8));
        index.append("- \"").append(ServiceJars.LIB_PREFIX).append(library).append("\"\n");
      }
      stored(out, ServiceJars.LIB_PREFIX + "spring-boot-jarmode-tools-4.0.7.jar", new byte[] {1});
      out.putNextEntry(new JarEntry("BOOT-INF/classpath.idx"));
      out.write(index.toString().getBytes(StandardCharsets.UTF_8));
    }
    return jar;
  }

  private static void stored(JarOutputStream out, String name, byte[] content) throws IOException {
    JarEntry e = new JarEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(content.length);
    CRC32 crc = new CRC32();
    crc.update(content);
    e.setCrc(crc.getValue());
    out.putNextEntry(e);
    out.write(content);
  }
}
