package dev.lote.common.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import dev.lote.common.auth.SharedKey;

/**
 * A client of the gateway's event stream ({@code GET /events}): signs the request with the
 * account's key as the Batch SDKs sign a GET, and reads the Server-Sent Events. {@link #open} gives
 * one connection; {@link #follow} reconnects after a disconnect from the last event id it handed
 * on, so nothing is missed and nothing comes twice.
 *
 * <pre>{@code
 * BatchEvents events = new BatchEvents(URI.create("http://127.0.0.1:8080"), "lote", key);
 * try (BatchEvents.Connection c = events.open("jobId=job1", null)) {
 *   BatchEvents.Event e = c.next(Duration.ofSeconds(30)); // e.type(), e.data() (CloudEvents JSON), e.id()
 * }
 * }</pre>
 */
public final class BatchEvents {

  /** One event: its id (the position to resume after it), its type, its data (a CloudEvents 1.0 JSON). */
  public record Event(String id, String type, String data) {}

  /** The stream was refused: the status and the Batch error body. */
  public static final class RefusedException extends IOException {
    private final int status;
    private final String body;

    RefusedException(int status, String body) {
      super("the event stream was refused with " + status + ": " + body);
      this.status = status;
      this.body = body;
    }

    public int status() {
      return status;
    }

    public String body() {
      return body;
    }
  }

  private static final int QUEUE = 1000;

  private final URI endpoint;
  private final String account;
  private final String key;
  private final HttpClient http;

  public BatchEvents(URI endpoint, String account, String key) {
    this(endpoint, account, key, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build());
  }

  public BatchEvents(URI endpoint, String account, String key, HttpClient http) {
    String base = endpoint.toString();
    this.endpoint = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    this.account = account;
    this.key = key;
    this.http = http;
  }

  /**
   * Opens the stream.
   *
   * @param query       the raw query, percent-encoded, such as {@code jobId=job1&types=task.*}; null for none
   * @param lastEventId resume right after the event with this id; null to start as the query says
   *     ({@code from=now}, the default, or {@code from=earliest})
   */
  public Connection open(String query, String lastEventId) throws IOException, InterruptedException {
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
    String rawQuery = query == null || query.isEmpty() ? null : query;
    SharedKey.Request signed =
        new SharedKey.Request("GET", "/events", rawQuery, h -> h.equalsIgnoreCase("ocp-date") ? date : null, List.of("ocp-date"));
    String signature = SharedKey.sign(key, SharedKey.stringToSign(signed, account, null));
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(endpoint + "/events" + (rawQuery == null ? "" : "?" + rawQuery)))
            .GET()
            .header("ocp-date", date)
            .header("Accept", "text/event-stream")
            .header("Authorization", "SharedKey " + account + ":" + signature);
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<InputStream> response = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      try (InputStream in = response.body()) {
        throw new RefusedException(response.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return new Connection(response.body(), lastEventId);
  }

  /**
   * Hands every event to {@code handler} until {@code stop} says so, reconnecting (after {@code
   * pause}) whenever the connection breaks, each time right after the last event handed on. A
   * refusal (a wrong key, a bad query) ends it with its {@link RefusedException}.
   *
   * @return the id to resume after, for a later {@code follow} or {@code open}
   */
  public String follow(String query, String lastEventId, Consumer<Event> handler, BooleanSupplier stop, Duration pause)
      throws IOException, InterruptedException {
    String last = lastEventId;
    while (!stop.getAsBoolean()) {
      try (Connection c = open(query, last)) {
        while (!stop.getAsBoolean()) {
          Event e = c.next(Duration.ofSeconds(1));
          last = c.lastEventId();
          if (e != null) {
            handler.accept(e);
          }
        }
      } catch (RefusedException e) {
        throw e;
      } catch (IOException e) {
        Thread.sleep(pause.toMillis());
      }
    }
    return last;
  }

  /** One open stream, read by a thread of its own into a bounded queue (it stops reading while the queue is full). */
  public static final class Connection implements AutoCloseable {

    private record IdOnly(String id) {}

    private record End(IOException cause) {}

    private final InputStream body;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Thread reader;
    private volatile String lastEventId;
    private boolean ended;

    Connection(InputStream body, String lastEventId) {
      this.body = body;
      this.lastEventId = lastEventId;
      this.reader = new Thread(this::read, "batch-events-reader");
      reader.setDaemon(true);
      reader.start();
    }

    /**
     * The next event, or null when none came within {@code timeout}; an {@link IOException} once the
     * stream has ended or broken.
     */
    public Event next(Duration timeout) throws IOException, InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        if (ended) {
          throw new IOException("the event stream has ended");
        }
        Object item = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (item == null) {
          return null;
        }
        if (item instanceof End end) {
          ended = true;
          throw end.cause();
        }
        if (item instanceof IdOnly id) {
          lastEventId = id.id();
          continue;
        }
        Event e = (Event) item;
        lastEventId = e.id();
        return e;
      }
    }

    /** The id of the last event {@link #next} returned (or a later position the stream sent with nothing to hand on). */
    public String lastEventId() {
      return lastEventId;
    }

    private void read() {
      IOException cause = new IOException("the event stream ended");
      try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
        String id = lastEventId;
        boolean idGiven = false;
        String type = null;
        StringBuilder data = null;
        String line;
        while ((line = in.readLine()) != null) {
          if (line.isEmpty()) {
            if (data != null) {
              queue.put(new Event(id, type == null ? "message" : type, data.toString()));
            } else if (idGiven) {
              queue.put(new IdOnly(id));
            }
            idGiven = false;
            type = null;
            data = null;
            continue;
          }
          if (line.startsWith(":")) {
            continue;
          }
          int colon = line.indexOf(':');
          String field = colon < 0 ? line : line.substring(0, colon);
          String value = colon < 0 ? "" : line.substring(colon + 1);
          if (value.startsWith(" ")) {
            value = value.substring(1);
          }
          switch (field) {
            case "id" -> {
              id = value;
              idGiven = true;
            }
            case "event" -> type = value;
            case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            default -> {}
          }
        }
      } catch (IOException e) {
        cause = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      try {
        queue.put(new End(cause));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      try {
        body.close();
      } catch (IOException e) {
        // the connection is going away anyway
      }
      reader.interrupt();
    }
  }
}
