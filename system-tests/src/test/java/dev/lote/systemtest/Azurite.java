package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.awaitility.core.ConditionTimeoutException;

import dev.lote.common.storage.ServiceSas;

/**
 * Azurite's Blob service (the npm package pinned in {@code system-tests/azurite}), started on a port
 * 300 above the shared stack's gateway with its data in a temporary folder, and the few Blob REST
 * calls the tests make, signed with an account SAS of Azurite's well-known development account.
 * The port is known before Azurite starts, so the shared stack's job-service can take this account
 * as its auto-storage account ({@link #ENDPOINT}).
 */
final class Azurite implements AutoCloseable {

  static final String ACCOUNT = "devstoreaccount1";
  static final String KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
  static final int PORT = LoteStack.PORT + 300;
  static final String ENDPOINT = "http://127.0.0.1:" + PORT + "/" + ACCOUNT;

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern BLOB_NAME = Pattern.compile("<Blob><Name>([^<]*)</Name>");
  private static final Pattern NEXT_MARKER = Pattern.compile("<NextMarker>([^<]+)</NextMarker>");

  private final Process process;
  private final Path data;
  private final String endpoint;
  private final String accountSas;

  private Azurite(Process process, Path data) {
    this.process = process;
    this.data = data;
    this.endpoint = ENDPOINT;
    this.accountSas = accountSas(Instant.now().plus(Duration.ofDays(1)));
  }

  /** Installs Azurite with {@code npm ci} if needed, starts it and waits (at most a minute) until it listens. */
  static Azurite start(LoteStack stack) throws IOException, InterruptedException {
    Path dir = stack.repo.resolve("system-tests/azurite");
    if (!Files.exists(dir.resolve("node_modules/.bin/azurite-blob"))) {
      LoteStack.Result install = stack.run(List.of("npm", "ci", "--no-audit", "--no-fund", "--prefix", dir.toString()), 300);
      assertThat(install.code()).as("npm ci:\n" + install.output()).isZero();
    }
    int port = PORT;
    if (listens(port)) {
      throw new IllegalStateException("port " + port + " (LOTE_SYSTEST_PORT + 300), Azurite's, is taken");
    }
    Path data = Files.createTempDirectory("azurite");
    Process p =
        new ProcessBuilder(
                dir.resolve("node_modules/.bin/azurite-blob").toString(),
                "--blobHost", "127.0.0.1", "--blobPort", String.valueOf(port), "--location", data.toString(),
                "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry")
            .redirectErrorStream(true)
            .redirectOutput(data.resolve("azurite.log").toFile())
            .start();
    Azurite azurite = new Azurite(p, data);
    try {
      await("Azurite listening on " + port).atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
          .until(() -> listens(port) || !p.isAlive());
    } catch (ConditionTimeoutException e) {
      // reported below with its log
    }
    if (!listens(port)) {
      String log = Files.readString(data.resolve("azurite.log"));
      azurite.close();
      throw new IllegalStateException("Azurite did not start on port " + port + ":\n" + log);
    }
    return azurite;
  }

  private static boolean listens(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The container's URL with a service SAS (Lote's own signer) of these permissions, valid for a day. */
  String containerUrl(String container, String permissions) {
    return endpoint + "/" + container + "?" + ServiceSas.containerQuery(ACCOUNT, KEY, container, permissions, Instant.now().plus(Duration.ofDays(1)));
  }

  /** The blob's URL with a SAS of the container, for reading. */
  String blobUrl(String container, String blob) {
    String url = containerUrl(container, "r");
    int q = url.indexOf('?');
    return url.substring(0, q) + "/" + blob + url.substring(q);
  }

  void createContainer(String container) throws IOException, InterruptedException {
    send("PUT", endpoint + "/" + container + "?restype=container&" + accountSas, HttpRequest.BodyPublishers.noBody(), 201);
  }

  void putBlob(String container, String blob, String content) throws IOException, InterruptedException {
    send("PUT", endpoint + "/" + container + "/" + blob + "?" + accountSas, HttpRequest.BodyPublishers.ofString(content), 201);
  }

  String getBlob(String container, String blob) throws IOException, InterruptedException {
    return send("GET", endpoint + "/" + container + "/" + blob + "?" + accountSas, HttpRequest.BodyPublishers.noBody(), 200);
  }

  /** The names of every blob of the container, following the listing's pages. */
  List<String> list(String container) throws IOException, InterruptedException {
    List<String> names = new ArrayList<>();
    String marker = "";
    do {
      String page =
          send(
              "GET",
              endpoint + "/" + container + "?restype=container&comp=list&marker=" + URLEncoder.encode(marker, StandardCharsets.UTF_8) + "&" + accountSas,
              HttpRequest.BodyPublishers.noBody(),
              200);
      Matcher m = BLOB_NAME.matcher(page);
      while (m.find()) {
        names.add(m.group(1));
      }
      Matcher next = NEXT_MARKER.matcher(page);
      marker = next.find() ? next.group(1) : "";
    } while (!marker.isEmpty());
    return names;
  }

  private String send(String method, String url, HttpRequest.BodyPublisher body, int expected) throws IOException, InterruptedException {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(url))
            .header("x-ms-version", ServiceSas.VERSION)
            .header("x-ms-blob-type", "BlockBlob")
            .method(method, body)
            .build();
    HttpResponse<String> response = HTTP.send(r, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(method + " " + url + ": " + response.body()).isEqualTo(expected);
    return response.body();
  }

  /** An account SAS for every blob operation: what the tests use to arrange and inspect containers. */
  private static String accountSas(Instant expiry) {
    String se = expiry.truncatedTo(ChronoUnit.SECONDS).toString();
    String toSign = String.join("\n", ACCOUNT, "rwdlac", "b", "sco", "", se, "", "", ServiceSas.VERSION, "", "");
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(Base64.getDecoder().decode(KEY), "HmacSHA256"));
      String sig = Base64.getEncoder().encodeToString(mac.doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
      return "sv=" + ServiceSas.VERSION + "&ss=b&srt=sco&sp=rwdlac&se=" + URLEncoder.encode(se, StandardCharsets.UTF_8)
          + "&sig=" + URLEncoder.encode(sig, StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops Azurite and removes its data. */
  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(data)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
