package dev.lote.pool.persistence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.lote.common.auth.SecretFiles;

/**
 * Seals what must not be stored in clear (a certificate's data and password) with AES-256-GCM
 * under a key kept outside the database, in {@code lote.certificates.key-file}: made on first start
 * (32 random bytes, base64, mode 0600) and read on every start after. A sealed value is a 12-byte
 * nonce followed by the ciphertext and its tag; the associated data binds it to its row, so a
 * value copied into another row does not open.
 */
@Component
public class SecretSealer {

  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  public SecretSealer(@Value("${lote.certificates.key-file}") Path keyFile) {
    this.key = new SecretKeySpec(readOrCreate(keyFile), "AES");
  }

  /** The sealed form of {@code plain}, bound to {@code context}. */
  public byte[] seal(byte[] plain, String context) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = c.doFinal(plain);
      byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot seal: " + e.getMessage(), e);
    }
  }

  /** The plain bytes of a value {@link #seal} made for the same context; throws when the key or context differ. */
  public byte[] open(byte[] sealed, String context) {
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
      c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      return c.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("a sealed value does not open with the key of lote.certificates.key-file (was the key replaced?)", e);
    }
  }

  private static byte[] readOrCreate(Path file) {
    try {
      if (!Files.exists(file)) {
        if (file.getParent() != null) {
          Files.createDirectories(file.getParent());
        }
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        SecretFiles.write(tmp, Base64.getEncoder().encodeToString(fresh));
        try {
          Files.move(tmp, file);
        } catch (java.nio.file.FileAlreadyExistsException e) {
          Files.deleteIfExists(tmp);
        }
      }
      byte[] key = Base64.getDecoder().decode(Files.readString(file).trim());
      if (key.length != 32) {
        throw new IllegalStateException(file + " does not hold a 256-bit key (base64 of 32 bytes)");
      }
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or make the certificates' key file " + file, e);
    }
  }
}
