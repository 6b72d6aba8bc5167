package dev.lote.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.function.BiPredicate;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.lote.common.auth.InternalCredential;

/**
 * The node's internal file API: the files of a task and of the node root, as Batch NodeFile
 * lists and file bodies with the {@code ocp-*} headers, and deletes. Only services
 * on this host call it.
 */
final class FileServer {

  /** The directories every node root holds, which a file delete leaves in place. */
  private static final Set<String> LAYOUT = Set.of("shared", "startup", "workitems", "fsmounts");

  private final AgentConfig cfg;
  private final HttpServer server;
  private final String internalSecret;
  private final BiPredicate<String, String> cleanedUp;

  /**
   * @param internalSecret the {@link InternalCredential} every file request must carry; none is
   *                       checked when it is empty (an agent started by hand)
   * @param cleanedUp      whether a task's directory (by job and task id) was removed once its
   *                       retention time had passed
   */
  FileServer(AgentConfig cfg, String internalSecret, BiPredicate<String, String> cleanedUp) throws IOException {
    this.cfg = cfg;
    this.internalSecret = internalSecret;
    this.cleanedUp = cleanedUp;
    this.server = bind(cfg);
    server.setExecutor(Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "files");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/health", ex -> send(ex, 200, "{\"status\":\"UP\"}"));
    server.createContext("/internal/", this::handleInternal);
  }

  /**
   * Binds the configured port; without one, the port of the agent's previous life (its files are
   * served under that address), or any free port when it is taken. The port is kept for next time.
   */
  private static HttpServer bind(AgentConfig cfg) throws IOException {
    int port = cfg.httpPort();
    if (port == 0 && Files.exists(cfg.portFile())) {
      try {
        port = Integer.parseInt(Files.readString(cfg.portFile(), StandardCharsets.US_ASCII).trim());
      } catch (NumberFormatException e) {
        port = 0;
      }
    }
    HttpServer s;
    try {
      s = HttpServer.create(new InetSocketAddress(cfg.bindAddress(), port), 64);
    } catch (BindException taken) {
      if (cfg.httpPort() != 0) {
        throw taken;
      }
      s = HttpServer.create(new InetSocketAddress(cfg.bindAddress(), 0), 64);
    }
    Files.createDirectories(cfg.portFile().getParent());
    Path tmp = cfg.portFile().resolveSibling("agent.port.tmp");
    Files.writeString(tmp, Integer.toString(s.getAddress().getPort()), StandardCharsets.US_ASCII);
    Files.move(tmp, cfg.portFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return s;
  }

  /**
   * Serves another internal API of the node under {@code path} (more specific than the files'),
   * behind the same internal credential.
   */
  void route(String path, com.sun.net.httpserver.HttpHandler handler) {
    server.createContext(path, ex -> {
      if (InternalCredential.configured(internalSecret)
          && !InternalCredential.matches(internalSecret, ex.getRequestHeaders().getFirst(InternalCredential.HEADER))) {
        send(ex, 403, "{\"code\":\"AuthenticationFailed\",\"message\":{\"lang\":\"en-US\",\"value\":\"This port serves Lote's services only.\"}}");
        return;
      }
      handler.handle(ex);
    });
  }

  /**
   * Serves an API of the node that authenticates its callers itself (the instances of a
   * multi-instance task, with their attempt's secret) under {@code path}.
   */
  void routeOpen(String path, com.sun.net.httpserver.HttpHandler handler) {
    server.createContext(path, handler);
  }

  /**
   * Serves the Prometheus scrape at {@code path}, behind the internal credential, which it also
   * takes as {@code Authorization: Bearer}, the form Prometheus sends.
   */
  void routeScrape(String path, com.sun.net.httpserver.HttpHandler handler) {
    server.createContext(path, ex -> {
      if (InternalCredential.configured(internalSecret)
          && !InternalCredential.matches(internalSecret, ex.getRequestHeaders().getFirst(InternalCredential.HEADER))
          && !InternalCredential.matchesBearer(internalSecret, ex.getRequestHeaders().getFirst("Authorization"))) {
        send(ex, 403, "{\"code\":\"AuthenticationFailed\",\"message\":{\"lang\":\"en-US\",\"value\":\"This port serves Lote's services only.\"}}");
        return;
      }
      handler.handle(ex);
    });
  }

  void start() {
    server.start();
  }

  void stop() {
    server.stop(0);
  }

  String url() {
    return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
  }

  /** Only Lote's services may read a node's files: they send the internal credential. */
  private void handleInternal(HttpExchange ex) throws IOException {
    if (InternalCredential.configured(internalSecret)
        && !InternalCredential.matches(internalSecret, ex.getRequestHeaders().getFirst(InternalCredential.HEADER))) {
      send(ex, 403, "{\"code\":\"AuthenticationFailed\",\"message\":{\"lang\":\"en-US\",\"value\":\"This port serves Lote's services only.\"}}");
      return;
    }
    handle(ex);
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      String raw = ex.getRequestURI().getRawPath();
      Path base;
      String rest;
      if (raw.startsWith("/internal/tasks/")) {
        String[] parts = raw.substring("/internal/tasks/".length()).split("/", 4);
        if (parts.length < 3 || !parts[2].equals("files")) {
          notFound(ex);
          return;
        }
        String jobId = decode(parts[0]);
        String taskId = decode(parts[1]);
        if (!plainName(jobId) || !plainName(taskId)) {
          notFound(ex);
          return;
        }
        if (cleanedUp.test(jobId, taskId)) {
          cleanedUp(ex);
          return;
        }
        base = cfg.taskDir(jobId, taskId);
        rest = parts.length == 4 ? decode(parts[3]) : "";
      } else if (raw.equals("/internal/files") || raw.startsWith("/internal/files/")) {
        base = cfg.root();
        rest = raw.length() > "/internal/files/".length() ? decode(raw.substring("/internal/files/".length())) : "";
      } else {
        notFound(ex);
        return;
      }
      // nothing outside the directory, by .. or through a link, and nothing of the agent's own
      Path rel = SafePaths.relative(rest);
      PosixFileAttributes attributes = rel == null || base.equals(cfg.root()) && agentOwn(rel) ? null : SafePaths.attributes(base, rel);
      if (attributes == null) {
        notFound(ex);
        return;
      }
      if (ex.getRequestMethod().equals("DELETE")) {
        delete(ex, base, rel);
        return;
      }
      String prefix = header(ex, "X-Lote-File-Url-Prefix", "");
      if (rest.isEmpty() || attributes.isDirectory()) {
        if (!ex.getRequestMethod().equals("GET") || !rest.isEmpty()) {
          directoryProperties(ex, attributes, prefix, rest);
          return;
        }
        list(ex, base, prefix, "true".equalsIgnoreCase(query(ex.getRequestURI(), "recursive")));
      } else if (attributes.isRegularFile()) {
        file(ex, base, rel, attributes, prefix + "/" + rest);
      } else {
        notFound(ex);
      }
    } catch (RuntimeException e) {
      send(ex, 500, "{\"code\":\"InternalError\",\"message\":{\"lang\":\"en-US\",\"value\":\"" + e.getClass().getSimpleName() + "\"}}");
    }
  }

  /**
   * File_DeleteFromTask and File_DeleteFromComputeNode: a file, an empty directory, or with
   * {@code recursive=true} a directory and everything in it. Never a task's directory itself, the
   * node root, or one of the directories the node is laid out in ({@code shared}, {@code startup},
   * {@code workitems}, {@code fsmounts}); the agent's own files are not found. A directory that is
   * not empty without {@code recursive} is a conflict.
   */
  private void delete(HttpExchange ex, Path base, Path rel) throws IOException {
    if (rel.toString().isEmpty()) {
      notFound(ex);
      return;
    }
    if (base.equals(cfg.root()) && rel.getNameCount() == 1 && LAYOUT.contains(rel.toString())) {
      send(ex, 409, "{\"code\":\"OperationInvalidForCurrentState\",\"message\":{\"lang\":\"en-US\",\"value\":"
          + "\"The directory is part of the node's layout; delete what is in it instead.\"}}");
      return;
    }
    try {
      SafePaths.delete(base, rel, "true".equalsIgnoreCase(query(ex.getRequestURI(), "recursive")));
    } catch (DirectoryNotEmptyException e) {
      send(ex, 409, "{\"code\":\"DirectoryNotEmpty\",\"message\":{\"lang\":\"en-US\",\"value\":"
          + "\"The specified directory is not empty; delete it with recursive=true to delete everything in it.\"}}");
      return;
    } catch (NoSuchFileException e) {
      notFound(ex);
      return;
    }
    ex.sendResponseHeaders(200, -1);
    ex.close();
  }

  private void list(HttpExchange ex, Path base, String prefix, boolean recursive) throws IOException {
    List<Map<String, Object>> value = new ArrayList<>();
    boolean nodeRoot = base.equals(cfg.root());
    try (Stream<Path> s = recursive ? Files.walk(base) : Files.list(base)) {
      for (Path p : s.filter(p -> !p.equals(base)).sorted().toList()) {
        Path rel = base.relativize(p);
        if (nodeRoot && agentOwn(rel)) {
          continue;
        }
        PosixFileAttributes a;
        try {
          a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException gone) {
          continue;
        }
        if (!a.isDirectory() && !a.isRegularFile()) {
          continue; // links, which may lead anywhere, sockets, pipes
        }
        String name = rel.toString();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", name);
        f.put("url", prefix + "/" + name);
        f.put("isDirectory", a.isDirectory());
        if (!a.isDirectory()) {
          f.put("properties", properties(a));
        }
        value.add(f);
      }
    } catch (java.io.UncheckedIOException e) {
      // a directory a task removed or closed while it was walked: what was found so far
    }
    byte[] body = Events.JSON.writeValueAsBytes(Map.of("value", value));
    ex.getResponseHeaders().set("Content-Type", "application/json;odata=minimalmetadata");
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  /** An id that names one directory: not empty, no separator, not {@code .} or {@code ..}. */
  private static boolean plainName(String id) {
    return !id.isEmpty() && !id.equals(".") && !id.equals("..") && id.indexOf('/') < 0 && id.indexOf('\0') < 0;
  }

  /** The agent's own files in the node root: its directory, its log, the start task's definition, the pool's user accounts, pid files. */
  private static boolean agentOwn(Path rel) {
    if (rel.getNameCount() == 0 || rel.toString().isEmpty()) {
      return false;
    }
    String first = rel.getName(0).toString();
    return first.equals(".agent") || first.equals("agent.log") || first.equals("start-task.json") || first.equals("user-accounts.json") || first.equals("mount-configuration.json") || first.equals("certificates.json") || first.endsWith(".pid");
  }

  private static Map<String, Object> properties(PosixFileAttributes a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("creationTime", a.creationTime().toInstant().toString());
    m.put("lastModified", a.lastModifiedTime().toInstant().toString());
    m.put("contentLength", a.size());
    m.put("contentType", "application/octet-stream");
    m.put("fileMode", mode(a));
    return m;
  }

  private void file(HttpExchange ex, Path base, Path rel, PosixFileAttributes a, String url) throws IOException {
    long length = a.size();
    long from = 0;
    long to = length - 1;
    String range = header(ex, "ocp-range", null);
    boolean partial = false;
    if (range != null && range.startsWith("bytes=")) {
      String[] r = range.substring(6).split("-", 2);
      try {
        from = Long.parseLong(r[0].trim());
        to = r.length > 1 && !r[1].isBlank() ? Math.min(Long.parseLong(r[1].trim()), length - 1) : length - 1;
        partial = true;
      } catch (NumberFormatException e) {
        send(ex, 416, "{\"code\":\"InvalidRange\",\"message\":{\"lang\":\"en-US\",\"value\":\"The range specified is invalid for the current size of the resource.\"}}");
        return;
      }
      if (from > to && length > 0) {
        send(ex, 416, "{\"code\":\"InvalidRange\",\"message\":{\"lang\":\"en-US\",\"value\":\"The range specified is invalid for the current size of the resource.\"}}");
        return;
      }
    }
    var h = ex.getResponseHeaders();
    h.set("Content-Type", "application/octet-stream");
    h.set("Last-Modified", httpDate(a.lastModifiedTime().toInstant()));
    h.set("ocp-creation-time", httpDate(a.creationTime().toInstant()));
    h.set("ocp-batch-file-isdirectory", "false");
    h.set("ocp-batch-file-url", url);
    h.set("ocp-batch-file-mode", mode(a));
    h.set("ETag", "0x" + Long.toHexString(a.lastModifiedTime().toMillis() ^ a.size()).toUpperCase());
    long count = length == 0 ? 0 : to - from + 1;
    if (ex.getRequestMethod().equals("HEAD")) {
      h.set("Content-Length", String.valueOf(count));
      ex.sendResponseHeaders(200, -1);
      ex.close();
      return;
    }
    InputStream in;
    try {
      in = Channels.newInputStream(SafePaths.open(base, rel));
    } catch (IOException swapped) {
      notFound(ex);
      return;
    }
    ex.sendResponseHeaders(partial ? 206 : 200, count == 0 ? -1 : count);
    try (in;
        OutputStream out = ex.getResponseBody()) {
      in.skipNBytes(from);
      long left = count;
      byte[] buf = new byte[64 * 1024];
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          break;
        }
        out.write(buf, 0, n);
        left -= n;
      }
    }
  }

  private void directoryProperties(HttpExchange ex, BasicFileAttributes a, String prefix, String rest) throws IOException {
    var h = ex.getResponseHeaders();
    h.set("ocp-batch-file-isdirectory", "true");
    h.set("ocp-batch-file-url", prefix + "/" + rest);
    h.set("ocp-creation-time", httpDate(a.creationTime().toInstant()));
    h.set("Last-Modified", httpDate(a.lastModifiedTime().toInstant()));
    h.set("Content-Type", "application/octet-stream");
    ex.sendResponseHeaders(200, -1);
    ex.close();
  }

  private static String mode(PosixFileAttributes a) {
    Set<PosixFilePermission> perms = a.permissions();
    int m = 0;
    for (PosixFilePermission perm : perms) {
      m |= 1 << (8 - perm.ordinal());
    }
    return "0o" + (a.isDirectory() ? "40" : "100") + String.format("%03o", m);
  }

  private static String httpDate(Instant t) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(t.atOffset(ZoneOffset.UTC));
  }

  private static void notFound(HttpExchange ex) throws IOException {
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(404, -1);
      ex.close();
      return;
    }
    send(ex, 404, "{\"code\":\"FileNotFound\",\"message\":{\"lang\":\"en-US\",\"value\":\"The specified file does not exist.\"}}");
  }

  /** Batch's answer for the files of a task whose directory went when its retention time passed. */
  private static void cleanedUp(HttpExchange ex) throws IOException {
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(409, -1);
      ex.close();
      return;
    }
    send(ex, 409, "{\"code\":\"TaskFilesCleanedup\",\"message\":{\"lang\":\"en-US\",\"value\":"
        + "\"The files of the specified task have been cleaned up: its retention time passed after it completed.\"}}");
  }

  static void send(HttpExchange ex, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json;odata=minimalmetadata");
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static String header(HttpExchange ex, String name, String fallback) {
    String v = ex.getRequestHeaders().getFirst(name);
    return v == null ? fallback : v;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  static String query(URI uri, String name) {
    String q = uri.getRawQuery();
    if (q == null) {
      return null;
    }
    for (String pair : q.split("&")) {
      int eq = pair.indexOf('=');
      if (decode(eq < 0 ? pair : pair.substring(0, eq)).equalsIgnoreCase(name)) {
        return eq < 0 ? "" : decode(pair.substring(eq + 1));
      }
    }
    return null;
  }
}
