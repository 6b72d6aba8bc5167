package dev.lote.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lote.common.events.NodeEvents.NodeAgentError;

class NodeMountsTest {

  @TempDir Path dir;

  /** The host's tools as a recording: which programs it has, and what each command answers. */
  static final class RecordingHost implements NodeMounts.Host {
    final Set<String> programs;
    final List<List<String>> ran = new ArrayList<>();
    final List<Map<String, String>> environments = new ArrayList<>();
    int exit;
    String output = "";

    RecordingHost(Set<String> programs) {
      this.programs = programs;
    }

    @Override
    public Result run(List<String> command, Map<String, String> environment, Duration timeout) {
      ran.add(command);
      environments.add(environment);
      return new Result(exit, output);
    }

    @Override
    public boolean mounted(Path d) {
      return false;
    }

    @Override
    public boolean has(String program) {
      return programs.contains(program);
    }
  }

  private Path configuration(String json) throws IOException {
    Path file = dir.resolve("mount-configuration.json");
    Files.writeString(file, json.replace('\'', '"'), StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void eachKindOfFileSystemIsMountedWithTheHostsToolUnderTheMountsDirectoryAndKeysStayOffCommandLines() throws IOException {
    Path mountsDir = dir.resolve("fsmounts");
    RecordingHost host = new RecordingHost(Set.of("mount.nfs", "mount.cifs", "blobfuse2"));
    NodeMounts mounts = new NodeMounts(mountsDir, dir.resolve(".agent"), host);

    NodeAgentError error =
        mounts.mountAll(
            configuration(
                "[{'nfsMountConfiguration':{'source':'10.0.0.4:/exports/data','relativeMountPath':'data','mountOptions':'-o vers=4,ro'}},"
                    + "{'cifsMountConfiguration':{'source':'//10.0.0.5/share','username':'u1','password':'s3cret','relativeMountPath':'cifs/one'}},"
                    + "{'azureFileShareConfiguration':{'accountName':'acct','azureFileUrl':'https://acct.file.core.windows.net/files','accountKey':'k3y','relativeMountPath':'files'}},"
                    + "{'azureBlobFileSystemConfiguration':{'accountName':'acct','containerName':'input','sasKey':'sv=1&sig=x','relativeMountPath':'blobs','blobfuseOptions':'-o ro'}}]"));

    assertThat(error).isNull();
    assertThat(host.ran).hasSize(4);
    assertThat(host.ran.get(0)).containsExactly("mount", "-t", "nfs", "-o", "vers=4,ro", "10.0.0.4:/exports/data", mountsDir.resolve("data").toString());
    List<String> cifs = host.ran.get(1);
    assertThat(cifs).startsWith("mount", "-t", "cifs", "-o").endsWith("//10.0.0.5/share", mountsDir.resolve("cifs/one").toString());
    assertThat(String.join(" ", cifs)).doesNotContain("s3cret");
    Path credentials = Path.of(cifs.get(4).substring("credentials=".length()));
    assertThat(Files.readString(credentials)).isEqualTo("username=u1\npassword=s3cret\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials))).isEqualTo("rw-------");
    assertThat(host.ran.get(2)).contains("//acct.file.core.windows.net/files", mountsDir.resolve("files").toString());
    assertThat(String.join(" ", host.ran.get(2))).doesNotContain("k3y").contains("vers=3.0");
    assertThat(host.ran.get(3)).startsWith("blobfuse2", "mount", mountsDir.resolve("blobs").toString(), "--container-name=input").endsWith("-o", "ro");
    assertThat(host.environments.get(3)).containsEntry("AZURE_STORAGE_ACCOUNT", "acct").containsEntry("AZURE_STORAGE_SAS_TOKEN", "sv=1&sig=x");
    assertThat(mountsDir.resolve("cifs/one")).isDirectory();

    mounts.unmountAll();
    assertThat(host.ran.subList(4, 8)).extracting(c -> c.get(c.size() - 1))
        .as("unmounted newest first")
        .containsExactly(
            mountsDir.resolve("blobs").toString(), mountsDir.resolve("files").toString(), mountsDir.resolve("cifs/one").toString(),
            mountsDir.resolve("data").toString());
  }

  @Test
  void aHostWithoutTheToolOrAFailedMountGivesTheNodeAMountConfigurationErrorThatSaysWhy() throws IOException {
    Path config = configuration("[{'nfsMountConfiguration':{'source':'10.0.0.4:/exports/data','relativeMountPath':'data'}},"
        + "{'nfsMountConfiguration':{'source':'10.0.0.4:/exports/more','relativeMountPath':'more'}}]");

    RecordingHost without = new RecordingHost(Set.of());
    NodeAgentError missing = new NodeMounts(dir.resolve("a"), dir.resolve("sa"), without).mountAll(config);
    assertThat(missing.code()).isEqualTo("MountConfigurationError");
    assertThat(missing.message()).contains("10.0.0.4:/exports/data", "fsmounts/data", "no mount.nfs", "nfs-common");
    assertThat(without.ran).isEmpty();

    RecordingHost refusing = new RecordingHost(Set.of("mount.nfs"));
    refusing.exit = 32;
    refusing.output = "mount.nfs: access denied by server while mounting 10.0.0.4:/exports/data\n";
    NodeAgentError refused = new NodeMounts(dir.resolve("b"), dir.resolve("sb"), refusing).mountAll(config);
    assertThat(refused.code()).isEqualTo("MountConfigurationError");
    assertThat(refused.message()).contains("exit 32", "access denied by server");
    assertThat(refusing.ran).as("it stops at the first file system that fails").hasSize(1);
  }

  @Test
  void aRealMountOfASourceNobodyServesFailsWithTheHostsOwnReason() throws IOException {
    Path config = configuration("[{'nfsMountConfiguration':{'source':'127.0.0.1:/lote-no-such-export','relativeMountPath':'data','mountOptions':'-o soft,timeo=10,retrans=1,retry=0'}}]");

    NodeAgentError error = new NodeMounts(dir.resolve("fsmounts"), dir.resolve(".agent"), new NodeMounts.ProcessHost()).mountAll(config);

    assertThat(error).as("nothing serves NFS here, whether or not the host has mount.nfs").isNotNull();
    assertThat(error.code()).isEqualTo("MountConfigurationError");
    assertThat(error.message()).contains("127.0.0.1:/lote-no-such-export", "fsmounts/data");
    assertThat(new NodeMounts.ProcessHost().mounted(dir.resolve("fsmounts/data"))).isFalse();
  }

  @Test
  void anAzureFileShareUrlIsACifsSource() {
    assertThat(NodeMounts.shareOf("https://acct.file.core.windows.net/share")).isEqualTo("//acct.file.core.windows.net/share");
  }

  @Test
  void aMountPointIsFoundInTheHostsMountTable() throws IOException {
    assertThat(new NodeMounts.ProcessHost().mounted(Path.of("/proc"))).isTrue();
    assertThat(new NodeMounts.ProcessHost().mounted(dir)).isFalse();
  }
}
