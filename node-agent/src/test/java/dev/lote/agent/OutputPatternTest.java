package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputPatternTest {

  @TempDir Path taskDir;

  @Test
  void aPatternIsReadRelativeToTheWorkingDirectoryAndMayReachTheTaskDirectory() {
    assertThat(OutputPattern.parse("out/result.txt").root()).isEqualTo(Path.of("wd/out/result.txt"));
    assertThat(OutputPattern.parse("../stdout.txt").root()).isEqualTo(Path.of("stdout.txt"));
    assertThat(OutputPattern.parse("./a/../b/*.log").root()).isEqualTo(Path.of("wd/b"));
  }

  @Test
  void aPatternThatLeavesTheTaskDirectoryIsRefused() {
    assertThatThrownBy(() -> OutputPattern.parse("../../etc/passwd")).hasMessageContaining("leaves the task directory");
    assertThatThrownBy(() -> OutputPattern.parse("/etc/passwd")).hasMessageContaining("not relative");
    assertThatThrownBy(() -> OutputPattern.parse("**/../../x")).hasMessageContaining(".. after a wildcard");
    assertThatThrownBy(() -> OutputPattern.parse("..")).hasMessageContaining("leaves the task directory");
  }

  @Test
  void doubleStarMatchesAnyNumberOfDirectoriesAndStarAndQuestionMarkStayWithinOneName() {
    OutputPattern p = OutputPattern.parse("**/*.txt");
    assertThat(p.matches("a.txt")).isTrue();
    assertThat(p.matches("x/y/a.txt")).isTrue();
    assertThat(p.matches("a.txt.bak")).isFalse();
    OutputPattern star = OutputPattern.parse("logs/*.lo?");
    assertThat(star.matches("run.log")).isTrue();
    assertThat(star.matches("sub/run.log")).isFalse();
    assertThat(OutputPattern.parse("out/**").matches("deep/down/file")).isTrue();
  }

  @Test
  void bracketsMatchOneCharacterOfASetOrOutsideIt() {
    assertThat(OutputPattern.parse("part[0-2].csv").matches("part1.csv")).isTrue();
    assertThat(OutputPattern.parse("part[0-2].csv").matches("part3.csv")).isFalse();
    assertThat(OutputPattern.parse("part[!0-2].csv").matches("part3.csv")).isTrue();
    assertThat(OutputPattern.parse("a.b").single()).isTrue();
    assertThat(OutputPattern.parse("a.b").matches("axb")).isFalse();
  }

  @Test
  void aSingleFileIsNamedByPathOrByItsOwnName() {
    OutputPattern p = OutputPattern.parse("out/result.txt");
    assertThat(p.blobName(null, "ignored")).isEqualTo("result.txt");
    assertThat(p.blobName("runs/t1/result.txt", "ignored")).isEqualTo("runs/t1/result.txt");
  }

  @Test
  void filesOfAWildcardPatternKeepTheirPathBelowTheRootUnderPathAsAVirtualDirectory() {
    OutputPattern p = OutputPattern.parse("out/**/*.txt");
    assertThat(p.blobName("results/t1/", "a/b.txt")).isEqualTo("results/t1/a/b.txt");
    assertThat(p.blobName(null, "b.txt")).isEqualTo("b.txt");
  }

  @Test
  void onlyRegularFilesMatchingThePatternAreFoundAndLinksAreNotFollowed() throws IOException {
    Path wd = taskDir.resolve("wd/out");
    Files.createDirectories(wd.resolve("sub"));
    Files.writeString(wd.resolve("a.txt"), "a");
    Files.writeString(wd.resolve("b.log"), "b");
    Files.writeString(wd.resolve("sub/c.txt"), "c");
    Files.writeString(taskDir.resolve("stdout.txt"), "out");
    Files.createSymbolicLink(wd.resolve("link.txt"), Path.of("/etc/passwd"));
    Files.createSymbolicLink(taskDir.resolve("wd/escape"), Path.of("/etc"));

    assertThat(OutputUploads.files(taskDir, OutputPattern.parse("out/**/*.txt")))
        .containsExactly(Path.of("wd/out/a.txt"), Path.of("wd/out/sub/c.txt"));
    assertThat(OutputUploads.files(taskDir, OutputPattern.parse("../stdout.txt"))).containsExactly(Path.of("stdout.txt"));
    assertThat(OutputUploads.files(taskDir, OutputPattern.parse("missing.txt"))).isEmpty();
    assertThat(OutputUploads.files(taskDir, OutputPattern.parse("escape/*"))).isEmpty();
    assertThat(OutputUploads.files(taskDir, OutputPattern.parse("escape/passwd"))).isEmpty();
  }

  @Test
  void blobUrlsKeepTheContainersQueryAndEncodeEachName() throws IOException {
    assertThat(Blobs.blobUri("http://127.0.0.1:1/devstoreaccount1/c?sv=1&sig=a%2Bb", "out/t 1/r+s.txt"))
        .hasToString("http://127.0.0.1:1/devstoreaccount1/c/out/t%201/r%2Bs.txt?sv=1&sig=a%2Bb");
    assertThat(Blobs.withoutQuery("https://a.blob.core.windows.net/c/x?sig=secret")).isEqualTo("https://a.blob.core.windows.net/c/x");
    assertThatThrownBy(() -> Blobs.uri("https://a.blob.core.windows.net/c x?sig=secret"))
        .hasMessage("https://a.blob.core.windows.net/c x is not a valid URL");
    assertThatThrownBy(() -> Blobs.uri("c?sig=secret")).hasMessage("c is not a valid URL");
  }
}
