package dev.lote.pool.domain;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.UnrecoverableKeyException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

import dev.lote.common.error.BatchErrors;
import tools.jackson.databind.JsonNode;

/**
 * A checked Batch {@code CertificateAddParameter}: the certificate as given ({@code data}, a PFX
 * with its {@code password} or a CER), and its public part. The data decodes, is a certificate of
 * its format, the password opens a PFX, and the thumbprint is the SHA-1 of the certificate.
 *
 * @param thumbprint lower-case hex, spaces removed
 * @param data       the decoded {@code data}: what nodes get as the certificate's file
 * @param password   the PFX's password; null for a CER (and a PFX without one)
 * @param publicData the certificate, DER
 */
public record CertificateContent(String thumbprintAlgorithm, String thumbprint, String format, byte[] data, String password, byte[] publicData) {

  public static final String PFX = "pfx";
  public static final String CER = "cer";
  /** Azure's limit on a certificate's data. */
  static final int MAX_DATA_BYTES = 10 * 1024;

  private static final Pattern THUMBPRINT = Pattern.compile("[0-9a-f]{1,40}");

  /** Reads and checks an add-certificate body; throws the Batch error the service would give. */
  public static CertificateContent parse(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw BatchErrors.invalidRequestBody("The request body must be a JSON object describing the certificate.");
    }
    String algorithm = algorithm(required(body, "thumbprintAlgorithm"), "thumbprintAlgorithm");
    String thumbprint = thumbprint(required(body, "thumbprint"), "thumbprint");
    String given = required(body, "data");
    String format = text(body, "certificateFormat");
    format = format == null ? PFX : format.toLowerCase(Locale.ROOT);
    if (!format.equals(PFX) && !format.equals(CER)) {
      throw BatchErrors.invalidProperty("certificateFormat", format, "The format is pfx or cer.");
    }
    String password = text(body, "password");
    byte[] data;
    try {
      data = Base64.getMimeDecoder().decode(given);
    } catch (IllegalArgumentException e) {
      throw invalidData(given);
    }
    if (data.length == 0) {
      throw invalidData(given);
    }
    if (data.length > MAX_DATA_BYTES) {
      throw BatchErrors.invalidProperty("data", "(" + data.length + " bytes)", "The certificate's data is at most 10 KB.");
    }
    X509Certificate certificate;
    if (format.equals(CER)) {
      if (password != null) {
        throw BatchErrors.invalidProperty("password", "(hidden)", "A certificate in cer format has no password; omit it.");
      }
      certificate = cer(data, given);
    } else {
      certificate = pfx(data, password, given);
    }
    byte[] der;
    try {
      der = certificate.getEncoded();
    } catch (CertificateException e) {
      throw invalidData(given);
    }
    String actual = sha1(der);
    if (!actual.equals(thumbprint)) {
      throw BatchErrors.invalidProperty("thumbprint", thumbprint, "The thumbprint is not the SHA-1 thumbprint of the certificate's data.");
    }
    return new CertificateContent(algorithm, thumbprint, format, data, password, der);
  }

  /** The algorithm of a thumbprint as Batch names it: sha1, whatever its case. */
  public static String algorithm(String given, String property) {
    if (given == null || !given.equalsIgnoreCase("sha1")) {
      throw BatchErrors.invalidProperty(property, given, "The thumbprint algorithm must be sha1.");
    }
    return "sha1";
  }

  /** A thumbprint as Lote keys it: lower-case hex, spaces removed. */
  public static String thumbprint(String given, String property) {
    String t = given == null ? "" : given.replace(" ", "").toLowerCase(Locale.ROOT);
    if (!THUMBPRINT.matcher(t).matches()) {
      throw BatchErrors.invalidProperty(property, given, "A thumbprint is up to 40 hex digits.");
    }
    return t;
  }

  /** The lower-case hex SHA-1 of the bytes. */
  static String sha1(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate cer(byte[] data, String given) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(data));
    } catch (CertificateException | RuntimeException e) {
      throw invalidData(given);
    }
  }

  private static X509Certificate pfx(byte[] data, String password, String given) {
    KeyStore store;
    try {
      store = KeyStore.getInstance("PKCS12");
      store.load(new ByteArrayInputStream(data), password == null ? new char[0] : password.toCharArray());
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw BatchErrors.invalidProperty("password", "(hidden)", "The password does not open the certificate's data.");
      }
      throw invalidData(given);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw invalidData(given);
    }
    try {
      X509Certificate first = null;
      for (String alias : Collections.list(store.aliases())) {
        if (store.getCertificate(alias) instanceof X509Certificate c) {
          if (store.isKeyEntry(alias)) {
            return c;
          }
          if (first == null) {
            first = c;
          }
        }
      }
      if (first == null) {
        throw invalidData(given);
      }
      return first;
    } catch (GeneralSecurityException | RuntimeException e) {
      throw invalidData(given);
    }
  }

  private static RuntimeException invalidData(String given) {
    String shown = given.length() > 32 ? given.substring(0, 32) + "..." : given;
    return BatchErrors.invalidProperty("data", shown, "The specified data is an invalid format for a certificate.");
  }

  private static String required(JsonNode body, String name) {
    String v = text(body, name);
    if (v == null || v.isEmpty()) {
      throw BatchErrors.missingProperty(name);
    }
    return v;
  }

  private static String text(JsonNode body, String name) {
    JsonNode v = body.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isString()) {
      throw BatchErrors.invalidProperty(name, v.toString(), "The value must be a string.");
    }
    return v.stringValue();
  }

  @Override
  public String toString() {
    return "CertificateContent[" + thumbprintAlgorithm + "-" + thumbprint + "." + format + "]";
  }
}
