package dev.lote.common.storage;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Azure Storage service shared access signatures for a blob container, signed with the storage
 * account's key (HMAC-SHA256 over the string-to-sign of service version {@value #VERSION}), so that
 * a node may read or write one container without ever holding the key.
 */
public final class ServiceSas {

  /** The signed version ({@code sv}); it decides the fields of the string-to-sign. */
  public static final String VERSION = "2021-08-06";

  private ServiceSas() {}

  /**
   * The query of a container SAS: {@code sv}, {@code sr=c}, {@code sp}, {@code se} and {@code sig},
   * without a leading {@code ?}.
   *
   * @param permissions in the service's order, such as {@code rl} (read, list) or {@code rwl}
   * @param expiry      truncated to seconds, as the service writes times
   */
  public static String containerQuery(String account, String base64Key, String container, String permissions, Instant expiry) {
    String se = expiry.truncatedTo(ChronoUnit.SECONDS).toString();
    String signature = sign(base64Key, stringToSign(account, container, permissions, se));
    return "sv=" + VERSION + "&sr=c&sp=" + encode(permissions) + "&se=" + encode(se) + "&sig=" + encode(signature);
  }

  /**
   * The string-to-sign of a container SAS with no start, identifier, IP range, protocol, snapshot,
   * encryption scope or response headers: their lines stay empty.
   */
  static String stringToSign(String account, String container, String permissions, String expiry) {
    return String.join(
        "\n",
        permissions,
        "", // signedStart
        expiry,
        "/blob/" + account + "/" + container,
        "", // signedIdentifier
        "", // signedIP
        "", // signedProtocol
        VERSION,
        "c", // signedResource
        "", // signedSnapshotTime
        "", // signedEncryptionScope
        "", // rscc
        "", // rscd
        "", // rsce
        "", // rscl
        ""); // rsct
  }

  /** Base64 of the HMAC-SHA256 of the text under the (base64) key. */
  static String sign(String base64Key, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(Base64.getDecoder().decode(base64Key), "HmacSHA256"));
      return Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
