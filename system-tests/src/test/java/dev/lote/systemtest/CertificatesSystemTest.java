package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;
import com.microsoft.azure.batch.protocol.models.Certificate;
import com.microsoft.azure.batch.protocol.models.CertificateAddParameter;
import com.microsoft.azure.batch.protocol.models.CertificateFormat;
import com.microsoft.azure.batch.protocol.models.CertificateReference;
import com.microsoft.azure.batch.protocol.models.CertificateState;
import com.microsoft.azure.batch.protocol.models.CertificateVisibility;
import com.microsoft.azure.batch.protocol.models.CloudTask;
import com.microsoft.azure.batch.protocol.models.ComputeNode;
import com.microsoft.azure.batch.protocol.models.ComputeNodeState;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.StartTask;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskState;

/**
 * Certificates through the official Java SDK: a PFX and a CER added, listed and read; a pool
 * referencing the PFX for its start task and its tasks; the file each finds in
 * {@code AZ_BATCH_CERTIFICATES_DIR}, on a node that joins later too; a deletion that fails while
 * the pool uses it, cancelled, and one that succeeds once the pool is gone.
 */
class CertificatesSystemTest {

  static final String POOL = "cert-pool";
  static final String JOB = "cert-job";

  static BatchClient client;

  @BeforeAll
  static void stack() {
    LoteStack.get();
    client = LoteStack.client(LoteStack.KEY);
  }

  @Test
  void nodesInstallAPoolsCertificateForItsStartTaskAndTasksAndItIsDeletedOnceNoPoolUsesIt() throws Exception {
    Made pfx = make("lote-pfx", "pfx-pass");
    Made cer = make("lote-cer", "unused");
    String pfxFile = "sha1-" + pfx.thumbprint + ".pfx";
    String pfxHash = sha256(pfx.pfx);

    client.certificateOperations()
        .createCertificate(
            new CertificateAddParameter()
                .withThumbprint(pfx.thumbprint.toUpperCase())
                .withThumbprintAlgorithm("sha1")
                .withCertificateFormat(CertificateFormat.PFX)
                .withData(Base64.getEncoder().encodeToString(pfx.pfx))
                .withPassword(pfx.password));
    client.certificateOperations().createCertificate(new ByteArrayInputStream(cer.cer));

    List<Certificate> listed = client.certificateOperations().listCertificates();
    assertThat(listed).extracting(Certificate::thumbprint).contains(pfx.thumbprint, cer.thumbprint);
    Certificate got = client.certificateOperations().getCertificate("sha1", pfx.thumbprint);
    assertThat(got.state()).isEqualTo(CertificateState.ACTIVE);
    assertThat(Base64.getDecoder().decode(got.publicData())).isEqualTo(pfx.cer);
    assertThat(client.certificateOperations().getCertificate("sha1", cer.thumbprint).publicData()).isEqualTo(Base64.getEncoder().encodeToString(cer.cer));
    BatchErrorException duplicate =
        (BatchErrorException) org.assertj.core.api.Assertions.catchThrowable(() -> client.certificateOperations().createCertificate(new ByteArrayInputStream(cer.cer)));
    assertThat(duplicate.body().code()).isEqualTo("CertificateExists");

    PoolAddParameter pool =
        SdkPools.pool(POOL, 1, 1)
            .withCertificateReferences(
                List.of(
                    new CertificateReference()
                        .withThumbprint(pfx.thumbprint)
                        .withThumbprintAlgorithm("sha1")
                        .withVisibility(List.of(CertificateVisibility.TASK, CertificateVisibility.START_TASK))))
            .withStartTask(
                new StartTask()
                    .withWaitForSuccess(true)
                    .withCommandLine("/bin/sh -c \"test \\\"$(sha256sum < $AZ_BATCH_CERTIFICATES_DIR/" + pfxFile + ")\\\" = '" + pfxHash + "  -'\""));
    client.poolOperations().createPool(pool);
    idleNodes(1);

    client.jobOperations().createJob(new JobAddParameter().withId(JOB).withPoolInfo(new PoolInformation().withPoolId(POOL)));
    client.taskOperations()
        .createTask(
            JOB,
            new TaskAddParameter()
                .withId("lists-certs")
                .withCommandLine(
                    "/bin/sh -c \"ls $AZ_BATCH_CERTIFICATES_DIR; sha256sum < $AZ_BATCH_CERTIFICATES_DIR/" + pfxFile
                        + "; cat $AZ_BATCH_CERTIFICATES_DIR/" + pfxFile + ".pw; echo; stat -c '%a %u' $AZ_BATCH_CERTIFICATES_DIR $AZ_BATCH_CERTIFICATES_DIR/"
                        + pfxFile + "; id -u\""));
    CloudTask task = completed("lists-certs");
    assertThat(task.executionInfo().exitCode()).as(file("lists-certs", "stderr.txt")).isZero();
    List<String> out = stdout("lists-certs").lines().toList();
    String user = out.get(out.size() - 1);
    assertThat(out).containsExactly(pfxFile, pfxFile + ".pw", pfxHash + "  -", pfx.password, "700 " + user, "600 " + user, user);

    client.poolOperations().resizePool(POOL, 2, 0);
    List<ComputeNode> nodes = idleNodes(2);
    assertThat(nodes).allSatisfy(n -> assertThat(n.startTaskInfo().exitCode()).as("the start task of " + n.id() + " found the certificate").isZero());

    client.certificateOperations().deleteCertificate("sha1", pfx.thumbprint);
    await("the deletion fails: the pool uses the certificate")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.certificateOperations().getCertificate("sha1", pfx.thumbprint).state() == CertificateState.DELETE_FAILED);
    Certificate failed = client.certificateOperations().getCertificate("sha1", pfx.thumbprint);
    assertThat(failed.previousState()).isEqualTo(CertificateState.DELETING);
    assertThat(failed.deleteCertificateError().code()).isEqualTo("PoolsReferencingCertificate");
    assertThat(failed.deleteCertificateError().values()).extracting(v -> v.name() + "=" + v.value()).containsExactly("Pools=" + POOL);

    client.certificateOperations().cancelDeleteCertificate("sha1", pfx.thumbprint);
    Certificate active = client.certificateOperations().getCertificate("sha1", pfx.thumbprint);
    assertThat(active.state()).isEqualTo(CertificateState.ACTIVE);
    assertThat(active.deleteCertificateError()).isNull();

    client.jobOperations().deleteJob(JOB);
    client.poolOperations().deletePool(POOL);
    await("the pool is gone")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> !client.poolOperations().existsPool(POOL));
    client.certificateOperations().deleteCertificate("sha1", pfx.thumbprint);
    client.certificateOperations().deleteCertificate("sha1", cer.thumbprint);
    for (Made gone : List.of(pfx, cer)) {
      await("certificate " + gone.thumbprint + " is gone")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(() -> assertThatThrownBy(() -> client.certificateOperations().getCertificate("sha1", gone.thumbprint))
              .isInstanceOfSatisfying(BatchErrorException.class, e -> assertThat(e.body().code()).isEqualTo("CertificateNotFound")));
    }
  }

  static List<ComputeNode> idleNodes(int count) {
    await(count + " idle node(s)")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(client.computeNodeOperations().listComputeNodes(POOL))
            .hasSize(count)
            .allSatisfy(n -> assertThat(n.state()).isEqualTo(ComputeNodeState.IDLE)));
    try {
      return client.computeNodeOperations().listComputeNodes(POOL);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static CloudTask completed(String task) throws Exception {
    await(task + " completed")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.taskOperations().getTask(JOB, task).state() == TaskState.COMPLETED);
    return client.taskOperations().getTask(JOB, task);
  }

  static String stdout(String task) throws Exception {
    return file(task, "stdout.txt");
  }

  static String file(String task, String name) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fileOperations().getFileFromTask(JOB, task, name, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  /** A self-signed certificate made by the JDK's keytool: as a PFX with its key, and as a DER CER. */
  record Made(byte[] pfx, String password, byte[] cer, String thumbprint) {}

  static Made make(String cn, String password) throws Exception {
    Path dir = Files.createTempDirectory("lote-cert");
    Path pfx = dir.resolve("c.pfx");
    Path cer = dir.resolve("c.cer");
    keytool("-genkeypair", "-alias", "c", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + cn, "-validity", "30",
        "-storetype", "PKCS12", "-keystore", pfx.toString(), "-storepass", password);
    keytool("-exportcert", "-alias", "c", "-keystore", pfx.toString(), "-storepass", password, "-file", cer.toString());
    byte[] der = Files.readAllBytes(cer);
    Made made = new Made(Files.readAllBytes(pfx), password, der, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(der)));
    Files.delete(pfx);
    Files.delete(cer);
    Files.delete(dir);
    return made;
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("keytool failed: " + output);
    }
  }
}
