package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import dev.lote.common.events.ApplicationEvents.PackageDeployment;

/** Installing application packages from a real HTTP server into a node's applications folder. */
class ApplicationPackagesTest {

  @TempDir Path tmp;

  HttpServer server;
  final Map<String, byte[]> served = new java.util.concurrent.ConcurrentHashMap<>();
  final AtomicInteger downloads = new AtomicInteger();
  /** Holds every download until released, so concurrent installs overlap for sure. */
  volatile CountDownLatch gate = new CountDownLatch(0);

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/lote/packages/",
        ex -> {
          downloads.incrementAndGet();
          try {
            gate.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] body = served.get(ex.getRequestURI().getPath().substring("/lote/packages/".length()));
          if (body == null) {
            ex.sendResponseHeaders(403, -1);
          } else {
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
          }
          ex.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  String url(String token) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/lote/packages/" + token;
  }

  static byte[] zip(Map<String, String> files) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (var f : files.entrySet()) {
        zip.putNextEntry(new ZipEntry(f.getKey()));
        zip.write(f.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  byte[] tarGz(String name, String content) throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src-" + name));
    Files.writeString(src.resolve(name), content);
    Files.setPosixFilePermissions(src.resolve(name), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Path out = tmp.resolve(name + ".tar.gz");
    assertThat(new ProcessBuilder("tar", "czf", out.toString(), "-C", src.toString(), ".").inheritIO().start().waitFor()).isZero();
    return Files.readAllBytes(out);
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  PackageDeployment serve(String token, String app, String version, boolean byDefault, String format, byte[] body) throws Exception {
    served.put(token, body);
    return new PackageDeployment(app, version, byDefault, url(token), sha256(body), format, null);
  }

  @Test
  void concurrentTasksWaitForOneDownloadAndALaterTaskReusesTheInstalledPackage() throws Exception {
    PackageDeployment tool = serve("t1", "Render-Tool", "1.0", false, "zip", zip(Map.of("bin/run.sh", "echo zip-tool\n")));
    ApplicationPackages packages = new ApplicationPackages(tmp.resolve("applications"));
    gate = new CountDownLatch(1);
    ExecutorService tasks = Executors.newFixedThreadPool(4);
    List<Future<Map<String, String>>> results = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      results.add(tasks.submit(() -> packages.install(List.of(tool))));
    }
    org.awaitility.Awaitility.await().until(() -> downloads.get() >= 1);
    gate.countDown();
    Path folder = tmp.resolve("applications").resolve("render-tool#1.0");
    for (Future<Map<String, String>> r : results) {
      assertThat(r.get()).containsExactly(Map.entry("AZ_BATCH_APP_PACKAGE_render_tool_1_0", folder.toString()));
    }
    tasks.shutdown();
    assertThat(downloads.get()).isEqualTo(1);
    assertThat(folder.resolve("bin/run.sh")).hasContent("echo zip-tool");
    assertThat(Files.isExecutable(folder.resolve("bin/run.sh"))).isTrue();

    FileTime installedAt = Files.getLastModifiedTime(folder);
    assertThat(packages.install(List.of(tool))).containsKey("AZ_BATCH_APP_PACKAGE_render_tool_1_0");
    ApplicationPackages afterRestart = new ApplicationPackages(tmp.resolve("applications"));
    afterRestart.install(List.of(tool));
    assertThat(downloads.get()).isEqualTo(1);
    assertThat(Files.getLastModifiedTime(folder)).isEqualTo(installedAt);
  }

  @Test
  void aTarGzPackageKeepsItsModesAndAReferenceWithoutVersionAlsoGetsTheDefaultVariable() throws Exception {
    PackageDeployment tool = serve("t2", "sim", "2.5-beta", true, "tar.gz", tarGz("sim.sh", "echo tar\n"));
    ApplicationPackages packages = new ApplicationPackages(tmp.resolve("applications"));
    packages.installForPool(List.of(tool));
    Path folder = tmp.resolve("applications").resolve("sim#2.5-beta");
    assertThat(packages.poolVariables())
        .containsEntry("AZ_BATCH_APP_PACKAGE_sim_2_5_beta", folder.toString())
        .containsEntry("AZ_BATCH_APP_PACKAGE_sim", folder.toString());
    assertThat(Files.isExecutable(folder.resolve("sim.sh"))).isTrue();
  }

  @Test
  void aPackageThatCannotBeResolvedDownloadedOrMatchedFailsWithItsReason() throws Exception {
    ApplicationPackages packages = new ApplicationPackages(tmp.resolve("applications"));
    PackageDeployment missing = new PackageDeployment("ghost", null, true, null, null, null, "The application ghost does not exist.");
    assertThatThrownBy(() -> packages.install(List.of(missing))).hasMessage("The application ghost does not exist.");

    PackageDeployment refused = new PackageDeployment("app", "1", false, url("expired"), "00", "zip", null);
    assertThatThrownBy(() -> packages.install(List.of(refused))).hasMessageContaining("HTTP 403");

    PackageDeployment wrong = serve("t3", "app", "1", false, "zip", zip(Map.of("a", "a")));
    PackageDeployment tampered = new PackageDeployment("app", "1", false, wrong.url(), sha256("other".getBytes()), "zip", null);
    assertThatThrownBy(() -> packages.install(List.of(tampered))).hasMessageContaining("SHA-256");
    assertThat(tmp.resolve("applications/app#1")).doesNotExist();
    assertThat(packages.install(List.of(wrong))).containsKey("AZ_BATCH_APP_PACKAGE_app_1");
  }
}
