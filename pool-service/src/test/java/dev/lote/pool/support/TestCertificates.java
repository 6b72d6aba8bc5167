package dev.lote.pool.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/** Real certificates for tests, made by the JDK's keytool: a PFX with its key and password, and its CER. */
public final class TestCertificates {

  /** A key pair's certificate as a PFX (with the private key) and as a DER CER. */
  public record Made(byte[] pfx, String password, byte[] cer, String thumbprint) {

    public String pfxBase64() {
      return Base64.getEncoder().encodeToString(pfx);
    }

    public String cerBase64() {
      return Base64.getEncoder().encodeToString(cer);
    }
  }

  /** Makes a new self-signed certificate named {@code cn} in a PFX protected by {@code password}. */
  public static Made make(String cn, String password) {
    try {
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
    } catch (Exception e) {
      throw new IllegalStateException("could not make a test certificate: " + e.getMessage(), e);
    }
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IOException("keytool failed: " + out);
    }
  }

  private TestCertificates() {}
}
