package dev.lote.agent;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The few Blob service REST operations tasks' files need: list a container, get a blob, put a
 * blob. A container URL is used as given, with its SAS query if it has one; no account key ever
 * reaches a node. Messages name URLs without their query, so a SAS signature never ends up in a
 * task's {@code failureInfo}. A request the service could not answer (no connection, a timeout,
 * 408, 429, 500, 502, 503, 504) is tried again, up to {@link #ATTEMPTS} times in all, after 0.2 s,
 * 0.4 s, 0.8 s, as Azure's clients do; any other answer is final.
 */
final class Blobs {

  /** The Blob service version the requests ask for. */
  static final String VERSION = "2021-08-06";
  /** Files up to this size are uploaded in one Put Blob; larger ones in blocks of {@link #BLOCK_SIZE}. */
  static final long SINGLE_PUT_LIMIT = 64L * 1024 * 1024;
  static final int BLOCK_SIZE = 8 * 1024 * 1024;

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NORMAL).build();
  static final int ATTEMPTS = 4;
  private static final Set<Integer> TRANSIENT = Set.of(408, 429, 500, 502, 503, 504);
  private static final Retry RETRY =
      Retry.of(
          "blob-service",
          RetryConfig.<HttpResponse<?>>custom()
              .maxAttempts(ATTEMPTS)
              .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(200), 2.0))
              .retryOnResult(r -> TRANSIENT.contains(r.statusCode()))
              .retryExceptions(IOException.class)
              .failAfterMaxAttempts(false)
              .build());
  /** Put Blob properties that Put Block List takes under other names. */
  private static final Map<String, String> BLOB_PROPERTIES =
      Map.of(
          "content-type", "x-ms-blob-content-type",
          "content-encoding", "x-ms-blob-content-encoding",
          "content-language", "x-ms-blob-content-language",
          "content-disposition", "x-ms-blob-content-disposition",
          "cache-control", "x-ms-blob-cache-control");

  private Blobs() {}

  /** The URL as a URI; throws naming it without its query when it is not an absolute http, https or file URL. */
  static URI uri(String url) throws IOException {
    try {
      URI uri = new URI(url);
      if (uri.getScheme() == null || !uri.getScheme().equalsIgnoreCase("file") && uri.getRawAuthority() == null) {
        throw new URISyntaxException(url, "not an absolute URL");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IOException(withoutQuery(url) + " is not a valid URL");
    }
  }

  /** The URL of a blob in the container: the container's path, the blob name (each part encoded), the container's query. */
  static URI blobUri(String containerUrl, String blobName) throws IOException {
    URI c = uri(containerUrl);
    StringBuilder path = new StringBuilder(c.getRawPath() == null ? "" : c.getRawPath());
    if (path.length() == 0 || path.charAt(path.length() - 1) != '/') {
      path.append('/');
    }
    String[] parts = blobName.split("/", -1);
    for (int i = 0; i < parts.length; i++) {
      path.append(i == 0 ? "" : "/").append(URLEncoder.encode(parts[i], StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return URI.create(c.getScheme() + "://" + c.getRawAuthority() + path + (c.getRawQuery() == null ? "" : "?" + c.getRawQuery()));
  }

  /** The URL without its query: what messages show. */
  static String withoutQuery(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }

  /** The names of the container's blobs that start with {@code prefix} (all when null), following the listing's pages. */
  static List<String> list(String containerUrl, String prefix) throws IOException {
    List<String> names = new ArrayList<>();
    String marker = null;
    do {
      StringBuilder url = new StringBuilder(containerUrl).append(containerUrl.contains("?") ? "&" : "?").append("restype=container&comp=list");
      if (prefix != null && !prefix.isEmpty()) {
        url.append("&prefix=").append(encode(prefix));
      }
      if (marker != null) {
        url.append("&marker=").append(encode(marker));
      }
      HttpResponse<byte[]> r = send(request(uri(url.toString())).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw failure("listing the container " + withoutQuery(containerUrl), r);
      }
      Document page = parse(r.body(), containerUrl);
      NodeList blobs = page.getElementsByTagName("Blob");
      for (int i = 0; i < blobs.getLength(); i++) {
        String name = child((Element) blobs.item(i), "Name");
        if (name != null && !name.endsWith("/")) {
          names.add(name);
        }
      }
      marker = child(page.getDocumentElement(), "NextMarker");
    } while (marker != null && !marker.isEmpty());
    return names;
  }

  /** Gets a blob (or any http URL) into {@code target}. */
  static void download(URI blob, Path target) throws IOException {
    HttpResponse<Path> r = send(request(blob).GET().timeout(Duration.ofMinutes(30)).build(), HttpResponse.BodyHandlers.ofFile(target));
    if (r.statusCode() / 100 != 2) {
      throw failure("downloading " + withoutQuery(blob.toString()), r);
    }
  }

  /**
   * Puts the channel's {@code size} bytes as a block blob with the given headers: in one request up
   * to {@link #SINGLE_PUT_LIMIT}, else as blocks and a block list.
   */
  static void upload(URI blob, SeekableByteChannel file, long size, Map<String, String> headers) throws IOException {
    upload(blob, file, size, headers, SINGLE_PUT_LIMIT, BLOCK_SIZE);
  }

  /** As {@link #upload(URI, SeekableByteChannel, long, Map)}, with the limit and block size given. */
  static void upload(URI blob, SeekableByteChannel file, long size, Map<String, String> headers, long singlePutLimit, int blockSize)
      throws IOException {
    if (size <= singlePutLimit) {
      Supplier<InputStream> body = () -> {
        try {
          file.position(0); // from the start again for a retried request
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        // the client closes what it read; the channel is the caller's and serves a retry
        return new FilterInputStream(Channels.newInputStream(file)) {
          @Override
          public void close() {}
        };
      };
      HttpRequest.Builder put = request(blob).header("x-ms-blob-type", "BlockBlob").timeout(Duration.ofMinutes(30));
      headers.forEach(put::header);
      put.PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(body), size));
      check(put.build(), "uploading to " + withoutQuery(blob.toString()));
      return;
    }
    List<String> ids = new ArrayList<>();
    ByteBuffer block = ByteBuffer.allocate(blockSize);
    while (true) {
      block.clear();
      while (block.hasRemaining() && file.read(block) >= 0) {
        // fills the block or reaches the end of the file
      }
      if (block.position() == 0) {
        break;
      }
      String id = Base64.getEncoder().encodeToString(String.format(Locale.ROOT, "block-%08d", ids.size()).getBytes(StandardCharsets.US_ASCII));
      ids.add(id);
      URI uri = URI.create(blob + (blob.getRawQuery() == null ? "?" : "&") + "comp=block&blockid=" + encode(id));
      HttpRequest put = request(uri).timeout(Duration.ofMinutes(10)).PUT(HttpRequest.BodyPublishers.ofByteArray(block.array(), 0, block.position())).build();
      check(put, "uploading a block to " + withoutQuery(blob.toString()));
    }
    StringBuilder list = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
    ids.forEach(id -> list.append("<Latest>").append(id).append("</Latest>"));
    list.append("</BlockList>");
    HttpRequest.Builder commit = request(URI.create(blob + (blob.getRawQuery() == null ? "?" : "&") + "comp=blocklist")).timeout(Duration.ofMinutes(5));
    headers.forEach((name, value) -> commit.header(BLOB_PROPERTIES.getOrDefault(name.toLowerCase(Locale.ROOT), name), value));
    commit.PUT(HttpRequest.BodyPublishers.ofString(list.toString()));
    check(commit.build(), "committing the blocks of " + withoutQuery(blob.toString()));
  }

  private static HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2)).header("x-ms-version", VERSION);
  }

  private static void check(HttpRequest request, String what) throws IOException {
    HttpResponse<byte[]> r = send(request, HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() / 100 != 2) {
      throw failure(what, r);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body) throws IOException {
    try {
      return (HttpResponse<T>) RETRY.executeCheckedSupplier(() -> HTTP.send(request, body));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (IOException | UncheckedIOException e) {
      throw new IOException(request.method() + " " + withoutQuery(request.uri().toString()) + " failed: " + e, e);
    } catch (Throwable e) {
      throw new IOException(request.method() + " " + withoutQuery(request.uri().toString()) + " failed: " + e, e);
    }
  }

  /** The status and the service's error code ({@code x-ms-error-code}) when it gave one. */
  private static IOException failure(String what, HttpResponse<?> r) {
    String code = r.headers().firstValue("x-ms-error-code").orElse(null);
    return new IOException(what + " answered HTTP " + r.statusCode() + (code == null ? "" : " (" + code + ")"));
  }

  private static Document parse(byte[] xml, String containerUrl) throws IOException {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
    } catch (ParserConfigurationException | SAXException e) {
      throw new IOException("listing the container " + withoutQuery(containerUrl) + " answered what is not a blob list: " + e.getMessage(), e);
    }
  }

  /** The text of the element's first direct child of that name; null when it has none. */
  private static String child(Element parent, String name) {
    for (org.w3c.dom.Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e.getTextContent();
      }
    }
    return null;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
