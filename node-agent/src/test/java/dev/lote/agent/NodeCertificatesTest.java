package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.json.JsonMapper;

/** What a node installs of its pool's certificates, where, under which names and for whom. */
class NodeCertificatesTest {

  private static final byte[] PFX = "pfx bytes".getBytes(StandardCharsets.UTF_8);
  private static final byte[] CER = "cer bytes".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  private static NodeCertificates certificates() throws IOException {
    return NodeCertificates.parse(
        JsonMapper.builder()
            .build()
            .readTree(
                "[{\"thumbprintAlgorithm\":\"sha1\",\"thumbprint\":\"0123456789abcdef0123456789abcdef01234567\",\"certificateFormat\":\"pfx\","
                    + "\"data\":\"" + Base64.getEncoder().encodeToString(PFX) + "\",\"password\":\"pw\",\"visibility\":[\"starttask\",\"task\"]},"
                    + "{\"thumbprintAlgorithm\":\"sha1\",\"thumbprint\":\"abcdef\",\"certificateFormat\":\"cer\","
                    + "\"data\":\"" + Base64.getEncoder().encodeToString(CER) + "\",\"visibility\":[\"remoteuser\"]}]"));
  }

  @Test
  void aTaskSeesTheCertificatesVisibleToItsKindUnderAzuresNamesReadableByItAlone() throws IOException {
    Path certs = dir.resolve("task/certs");
    Files.createDirectories(certs.getParent());

    certificates().install(certs, "task", 0, 0, false);

    assertThat(Files.list(certs).map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrder("sha1-0123456789abcdef0123456789abcdef01234567.pfx", "sha1-0123456789abcdef0123456789abcdef01234567.pfx.pw");
    assertThat(Files.readAllBytes(certs.resolve("sha1-0123456789abcdef0123456789abcdef01234567.pfx"))).isEqualTo(PFX);
    assertThat(Files.readString(certs.resolve("sha1-0123456789abcdef0123456789abcdef01234567.pfx.pw"))).isEqualTo("pw");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certs))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certs.resolve("sha1-0123456789abcdef0123456789abcdef01234567.pfx")))).isEqualTo("rw-------");
  }

  @Test
  void aRemoteUserGetsItsOwnAndNothingIsMadeWhereNoneIsVisible() throws IOException {
    certificates().install(dir.resolve("home"), "remoteuser", 0, 0, false);
    certificates().install(dir.resolve("none"), "starttask-of-nobody", 0, 0, false);

    assertThat(Files.readAllBytes(dir.resolve("home/sha1-abcdef.cer"))).isEqualTo(CER);
    assertThat(Files.exists(dir.resolve("home/sha1-abcdef.cer.pw"))).isFalse();
    assertThat(Files.exists(dir.resolve("none"))).isFalse();
  }

  @Test
  void theFilesBelongToTheTaskUserAndALinkInTheirPlaceIsNotFollowed() throws IOException {
    boolean root = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
    Path certs = dir.resolve("certs");
    Files.createDirectories(certs);
    Path target = dir.resolve("elsewhere");
    Files.writeString(target, "kept");
    Files.createSymbolicLink(certs.resolve("sha1-0123456789abcdef0123456789abcdef01234567.pfx"), target);

    certificates().install(certs, "starttask", root ? 4242 : 0, root ? 4243 : 0, root);

    assertThat(Files.readString(target)).isEqualTo("kept");
    Path pfx = certs.resolve("sha1-0123456789abcdef0123456789abcdef01234567.pfx");
    assertThat(Files.isSymbolicLink(pfx)).isFalse();
    assertThat(Files.readAllBytes(pfx)).isEqualTo(PFX);
    if (root) {
      assertThat(Files.getAttribute(certs, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(4242);
      assertThat(Files.getAttribute(pfx, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(4242);
      assertThat(Files.getAttribute(pfx, "unix:gid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(4243);
    }
  }

  @Test
  void aCertificateTheAgentCannotNameIsRefused() {
    assertThatThrownBy(() -> NodeCertificates.parse(JsonMapper.builder().build().readTree("[{\"thumbprintAlgorithm\":\"sha1\",\"thumbprint\":\"../x\",\"certificateFormat\":\"pfx\",\"data\":\"\"}]")))
        .isInstanceOf(IOException.class);
  }
}
