package dev.lote.support.test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.OptionalDouble;

/**
 * One scrape of a Prometheus endpoint, read as Prometheus reads it: the text exposition format,
 * one sample per line, {@code name{label="value",...} value}.
 */
public final class PrometheusScrape {

  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private final int status;
  private final String contentType;
  private final List<String> lines;

  private PrometheusScrape(int status, String contentType, String text) {
    this.status = status;
    this.contentType = contentType;
    this.lines = text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
  }

  /** GETs the URL with the given headers (name, value, ...) as Prometheus would. */
  public static PrometheusScrape of(String url, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1");
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new PrometheusScrape(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public int status() {
    return status;
  }

  public String contentType() {
    return contentType;
  }

  /**
   * The value of the first sample of the series {@code name} whose labels include every given
   * {@code label, value} pair; empty when there is none.
   */
  public OptionalDouble value(String name, String... labels) {
    for (String line : lines) {
      if (matches(line, name, labels)) {
        return OptionalDouble.of(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
      }
    }
    return OptionalDouble.empty();
  }

  /** Every sample line of the series {@code name}. */
  public List<String> samples(String name) {
    return lines.stream().filter(l -> matches(l, name)).toList();
  }

  private static boolean matches(String line, String name, String... labels) {
    if (!(line.startsWith(name + "{") || line.startsWith(name + " "))) {
      return false;
    }
    String labelPart = line.startsWith(name + "{") ? line.substring(name.length(), line.lastIndexOf('}') + 1) : "";
    for (int i = 0; i < labels.length; i += 2) {
      if (!labelPart.contains(labels[i] + "=\"" + labels[i + 1] + "\"")) {
        return false;
      }
    }
    return true;
  }
}
