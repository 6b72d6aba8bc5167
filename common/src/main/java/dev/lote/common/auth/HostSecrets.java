package dev.lote.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * What the pool-service tells a host agent about a node that nobody else may read on the way:
 * the pool's user accounts, mount secrets and certificates travel on the host's Kafka topic sealed
 * with AES-256-GCM under a key derived from the join token, which only the pool-service and the
 * hosts hold, and bound to the node they are for. The form is {@code base64(nonce || ciphertext)}.
 */
public final class HostSecrets {

  private static final String PURPOSE = "lote-host-secrets-1";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private HostSecrets() {}

  /** The text sealed for the node's host; null stays null. */
  public static String seal(String joinToken, String nodeId, String text) {
    if (text == null) {
      return null;
    }
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, joinToken, nonce, nodeId);
      byte[] sealed = cipher.doFinal(text.getBytes(StandardCharsets.UTF_8));
      byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /**
   * The text sealed for this node under this join token; null stays null.
   *
   * @throws IllegalArgumentException when it was sealed under another token, for another node, or changed
   */
  public static String open(String joinToken, String nodeId, String sealed) {
    if (sealed == null) {
      return null;
    }
    try {
      byte[] in = Base64.getDecoder().decode(sealed);
      if (in.length <= NONCE_BYTES) {
        throw new IllegalArgumentException("not a sealed text");
      }
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, joinToken, Arrays.copyOf(in, NONCE_BYTES), nodeId);
      return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("sealed under another join token, for another node, or changed", e);
    }
  }

  private static Cipher cipher(int mode, String joinToken, byte[] nonce, String nodeId) throws GeneralSecurityException {
    if (joinToken == null || joinToken.isBlank()) {
      throw new IllegalStateException("no join token to seal with");
    }
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(joinToken.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] key = mac.doFinal(PURPOSE.getBytes(StandardCharsets.UTF_8));
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(nodeId.getBytes(StandardCharsets.UTF_8));
    return cipher;
  }
}
