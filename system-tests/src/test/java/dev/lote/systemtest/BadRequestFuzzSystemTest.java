package dev.lote.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.BatchClient;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;
import com.microsoft.azure.batch.protocol.models.TaskAddParameter;

import dev.lote.common.api.BatchApi;
import dev.lote.common.auth.SharedKey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Seeded bad requests over every operation of the Batch REST spec, served by Lote or not: each
 * request is a well-formed one with exactly one thing wrong (the api-version, a query option, a
 * header, the signature, the path, the method, the content type, the body's JSON, a property's
 * type, value, length or presence, the body's size). Every answer must be a Batch error, never a
 * success, never a 5xx other than 501 NotSupported; the baseline pool, job and tasks made first
 * must read back unchanged. {@code -Dlote.fuzz.seed} and {@code -Dlote.fuzz.requests} override
 * the defaults (11 and 5,000).
 */
class BadRequestFuzzSystemTest {

  static final String POOL = "fuzz-pool";
  static final String JOB = "fuzz-job";
  static final List<String> TASKS = List.of("fuzz-task-1", "fuzz-task-2", "fuzz-task-3");
  static final String VERSION = "2024-07-01.20.0";
  /** Every id this test makes, and any a wrongly accepted request would have made, starts with fuzz. */
  static final String FUZZ_IDS = "startswith(id%2C%27fuzz%27)";

  static final JsonMapper json = JsonMapper.builder().build();
  static final JsonNodeFactory nodes = JsonNodeFactory.instance;
  static final BatchApi api = BatchApi.get();

  static BatchClient client;

  @BeforeAll
  static void baseline() throws Exception {
    LoteStack.get();
    client = LoteStack.client(LoteStack.KEY);
    // no nodes: nothing runs, so nothing but a bad request could change what the baseline reads back
    client.poolOperations().createPool(new PoolAddParameter().withId(POOL).withVmSize("standard_d2s_v3").withTargetDedicatedNodes(0));
    client.jobOperations().createJob(new JobAddParameter().withId(JOB).withPoolInfo(new PoolInformation().withPoolId(POOL)));
    for (String t : TASKS) {
      client.taskOperations().createTask(JOB, new TaskAddParameter().withId(t).withCommandLine("/bin/true").withDisplayName("baseline " + t));
    }
  }

  /** One request as sent, and what it was meant to get wrong. */
  record Bad(String kind, String opId, String method, String pathAndQuery, Map<String, String> headers, byte[] body, String key) {}

  record Answer(Bad request, int status, String contentType, String body) {}

  @Test
  void badRequestsAreBatchErrorsAndChangeNothing() throws Exception {
    long seed = Long.getLong("lote.fuzz.seed", 11L);
    int count = Integer.getInteger("lote.fuzz.requests", 5000);
    System.out.println("fuzz seed=" + seed + " requests=" + count + " (rerun with -Dlote.fuzz.seed=" + seed + ")");
    Map<String, String> before = snapshot();

    Generator gen = new Generator(new Random(seed));
    List<Bad> requests = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      requests.add(gen.next(i));
    }
    long started = System.nanoTime();
    List<Answer> answers = sendAll(requests);
    double seconds = (System.nanoTime() - started) / 1e9;

    Map<Integer, Integer> byStatus = new TreeMap<>();
    Map<String, Integer> byKind = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    for (Answer a : answers) {
      byStatus.merge(a.status(), 1, Integer::sum);
      byKind.merge(a.request().kind(), 1, Integer::sum);
      String problem = problem(a);
      if (problem != null && problems.size() < 40) {
        problems.add(problem + " <- " + a.request().kind() + " " + a.request().method() + " " + shorten(a.request().pathAndQuery(), 200)
            + " body=" + shorten(new String(a.request().body() == null ? new byte[0] : a.request().body(), StandardCharsets.UTF_8), 200)
            + " answer=" + shorten(a.body(), 300));
      }
    }
    System.out.printf("fuzz summary seed=%d requests=%d seconds=%.1f by_status=%s%n", seed, answers.size(), seconds, byStatus);
    System.out.println("fuzz kinds " + byKind);
    problems.forEach(p -> System.out.println("fuzz problem " + p));

    assertThat(problems).isEmpty();
    assertThat(snapshot()).isEqualTo(before);
  }

  /** What is wrong with an answer to a bad request; null if it is a proper refusal. */
  static String problem(Answer a) {
    if (a.status() == -1) {
      return "no answer: " + a.body();
    }
    if (a.status() < 400) {
      return "accepted with " + a.status();
    }
    boolean head = a.request().method().equals("HEAD");
    String code = null;
    if (!head) {
      if (a.contentType() == null || !a.contentType().startsWith("application/json")) {
        return "not a Batch error (Content-Type " + a.contentType() + ")";
      }
      try {
        JsonNode e = json.readTree(a.body());
        code = e.path("code").asString(null);
        if (code == null || !e.path("message").path("value").isString() || !"en-US".equals(e.path("message").path("lang").asString(null))) {
          return "not a Batch error body";
        }
      } catch (RuntimeException e) {
        return "not JSON";
      }
    }
    if (a.status() >= 500 && !(a.status() == 501 && (head || "NotSupported".equals(code)))) {
      return "server error " + a.status() + " " + code;
    }
    return null;
  }

  List<Answer> sendAll(List<Bad> requests) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Answer>> futures = new ArrayList<>();
      for (Bad b : requests) {
        futures.add(pool.submit(() -> send(http, b)));
      }
      List<Answer> out = new ArrayList<>();
      for (Future<Answer> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  static Answer send(HttpClient http, Bad b) {
    try {
      HttpRequest.Builder rb =
          HttpRequest.newBuilder(URI.create(LoteStack.ENDPOINT + b.pathAndQuery()))
              .timeout(Duration.ofSeconds(30))
              .method(b.method(), publisher(b));
      Map<String, String> headers = new LinkedHashMap<>(b.headers());
      if (b.key() != null) {
        headers.put("Authorization", "SharedKey lote:" + signature(b, headers));
      }
      headers.forEach(rb::header);
      HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(b, r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body());
    } catch (IOException e) {
      return new Answer(b, -1, null, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(b, -1, null, e.toString());
    }
  }

  /** A chunked body has no Content-Length: the gateway can only count it while it reads. */
  static HttpRequest.BodyPublisher publisher(Bad b) {
    if (b.body() == null) {
      return HttpRequest.BodyPublishers.noBody();
    }
    if (chunked(b)) {
      return HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(b.body()));
    }
    return HttpRequest.BodyPublishers.ofByteArray(b.body());
  }

  static boolean chunked(Bad b) {
    return b.kind().equals("huge-body-chunked");
  }

  static String signature(Bad b, Map<String, String> headers) {
    Map<String, String> signed = new LinkedHashMap<>(headers);
    if (b.body() != null && b.body().length > 0 && !chunked(b)) {
      signed.put("Content-Length", String.valueOf(b.body().length));
    }
    String pq = b.pathAndQuery();
    int q = pq.indexOf('?');
    SharedKey.Request r =
        new SharedKey.Request(
            b.method(),
            q < 0 ? pq : pq.substring(0, q),
            q < 0 ? null : pq.substring(q + 1),
            n -> signed.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(n)).map(Map.Entry::getValue).findFirst().orElse(null),
            new ArrayList<>(signed.keySet()));
    return SharedKey.sign(b.key(), SharedKey.stringToSign(r, "lote", null));
  }

  /** The baseline as GET returns it, and the ids of every pool, job and task of the account. */
  static Map<String, String> snapshot() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    Map<String, String> out = new TreeMap<>();
    List<String> paths = new ArrayList<>(List.of("/pools/" + POOL, "/jobs/" + JOB, "/pools?$select=id&$filter=" + FUZZ_IDS, "/jobs?$select=id&$filter=" + FUZZ_IDS, "/jobs/" + JOB + "/tasks?$select=id"));
    TASKS.forEach(t -> paths.add("/jobs/" + JOB + "/tasks/" + t));
    for (String p : paths) {
      String pq = p.replace("$", "%24") + (p.contains("?") ? "&" : "?") + "api-version=" + VERSION;
      Bad get = new Bad("baseline", "", "GET", pq, Generator.standardHeaders(), null, LoteStack.KEY);
      Answer a = send(http, get);
      assertThat(a.status()).as(p).isEqualTo(200);
      out.put(p, a.body());
    }
    return out;
  }

  static String shorten(String s, int n) {
    return s == null || s.length() <= n ? s : s.substring(0, n) + "...(" + s.length() + ")";
  }

  /** Bad requests from a seed: a valid request of a random operation, then one thing made wrong. */
  static final class Generator {
    private final Random rnd;
    private final List<BatchApi.Operation> ops = api.operations();

    Generator(Random rnd) {
      this.rnd = rnd;
    }

    static Map<String, String> standardHeaders() {
      Map<String, String> h = new LinkedHashMap<>();
      h.put("Content-Type", "application/json; odata=minimalmetadata; charset=utf-8");
      h.put("ocp-date", DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
      h.put("client-request-id", java.util.UUID.randomUUID().toString());
      return h;
    }

    Bad next(int i) {
      BatchApi.Operation op = ops.get(rnd.nextInt(ops.size()));
      String path = fill(op.path());
      Map<String, String> query = new LinkedHashMap<>();
      query.put("api-version", VERSION);
      Map<String, String> headers = standardHeaders();
      JsonNode valid = op.body() == null ? null : minimal(op.body(), 0);
      byte[] body = valid == null ? null : bytes(valid);
      String method = op.method();
      String key = LoteStack.KEY;

      List<String> kinds = new ArrayList<>(List.of(
          "api-version-missing", "api-version-empty", "api-version-unknown", "api-version-repeated", "timeout", "header",
          "signature", "unknown-path", "nul-or-backslash", "wrong-method"));
      if (op.takes("$filter")) {
        kinds.add("filter");
        kinds.add("filter");
      }
      if (op.takes("$select") || op.takes("$expand")) {
        kinds.add("select");
      }
      if (op.takes("maxresults")) {
        kinds.add("maxresults");
      }
      if (op.path().contains("{")) {
        kinds.add("bad-id");
      }
      if (op.body() != null) {
        for (int k = 0; k < 6; k++) {
          kinds.addAll(List.of("body-json", "body-type", "body-value", "body-unknown", "body-missing"));
        }
        kinds.addAll(List.of("content-type", "content-type", "huge-body", "huge-body-chunked"));
      }
      String kind = kinds.get(rnd.nextInt(kinds.size()));
      switch (kind) {
        case "api-version-missing" -> query.remove("api-version");
        case "api-version-empty" -> query.put("api-version", "");
        case "api-version-unknown" -> query.put("api-version", pick("2099-01-01", "1", "latest", "2024-07-01", "2015-01-01.1.0", "%00", "2024-07-01.20.0%20"));
        case "api-version-repeated" -> query.put("api-version", VERSION + "&api-version=" + pick(VERSION, "2022-10-01.16.0"));
        case "timeout" -> query.put("timeout", pick("0", "-1", "abc", "2147483648", "1.5", "", "99999999999999999999", "%2030"));
        case "maxresults" -> query.put("maxresults", pick("0", "1001", "-3", "ten", "1e3", ""));
        case "filter" -> query.put("%24filter", encode(badFilter()));
        case "select" -> query.put(pick("%24select", "%24expand"), encode(pick("id,,state", "a b", ",", "id;drop", "x".repeat(1025), "(id)", "id,state,")));
        case "header" -> {
          if (rnd.nextBoolean()) {
            headers.put("client-request-id", pick("not-a-guid", "{9c4d50ee-2d56-4cd3-8152-34347dc9f2b0", "12345"));
          } else {
            headers.put("return-client-request-id", pick("yes", "1", "maybe"));
          }
        }
        case "signature" -> {
          switch (rnd.nextInt(5)) {
            case 0 -> key = "AAAAaaaaBBBBbbbbCCCCccccDDDDddddEEEEeeeeFFFFffffGGGGggggHHHHhhhh";
            case 1 -> key = null;
            case 2 -> {
              key = null;
              headers.put("Authorization", pick("SharedKey lote", "SharedKey :abc", "Bearer x", "SharedKey lote:", "SharedKey nosuch:abc"));
            }
            case 3 -> headers.put("ocp-date", pick("yesterday", "Mon, 01 Jan 2024 00:00:00 GMT", "Thu, 01 Jan 1970 00:00:00 GMT"));
            default -> headers.put("ocp-date", DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).minusDays(3)));
          }
        }
        case "unknown-path" -> path = pick("/internal/accounts/lote", "/nosuch", path + "/nosuch", "/pools/" + POOL + "/x/y/z", "/", "/jobs/" + JOB + "/tasks/x/y/z/w");
        case "nul-or-backslash" -> path = pick("/pools/" + POOL + "%00", "/pools/a%5Cb", "/jobs/%00/tasks", "/jobs/" + JOB + "%5C..%5C/tasks", "/pools%00");
        case "wrong-method" -> {
          List<String> others = new ArrayList<>(List.of("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"));
          for (BatchApi.Operation o : ops) {
            if (o.path().equals(op.path())) {
              others.remove(o.method());
            }
          }
          method = others.get(rnd.nextInt(others.size()));
          if (method.equals("GET") || method.equals("HEAD") || method.equals("DELETE") || method.equals("OPTIONS")) {
            body = null;
          }
        }
        case "bad-id" -> path = badId(op.path());
        case "content-type" -> {
          headers.put("Content-Type", pick("application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", "application/xml",
              "application/json; charset=latin1", "image/png"));
          if (body == null) {
            body = "{}".getBytes(StandardCharsets.UTF_8);
          }
        }
        case "huge-body", "huge-body-chunked" -> body = huge(op.body());
        case "body-json" -> body = pick(
            "{", "[]", "[1,2]", "\"text\"", "42", "null", "{\"id\":}", "{} {}", "{\"a\":1,\"a\":2}", "\u0000", "{'id':'x'}",
            "[".repeat(2000), "{\"a\":".repeat(500), "", "not json at all").getBytes(StandardCharsets.UTF_8);
        case "body-type", "body-value", "body-unknown", "body-missing" -> body = bytes(mutate(kind, op.body(), valid));
        default -> throw new IllegalStateException(kind);
      }
      if (kind.equals("body-json") && body.length == 0 && !op.bodyRequired()) {
        body = "[]".getBytes(StandardCharsets.UTF_8);
      }
      StringBuilder q = new StringBuilder();
      query.forEach((k, v) -> q.append(q.length() == 0 ? "?" : "&").append(k).append('=').append(v));
      return new Bad(kind, op.id(), method, path + q, headers, body, key);
    }

    /** A body valid for the schema, with an invalid part where {@code kind} says. */
    JsonNode mutate(String kind, String definition, JsonNode valid) {
      ObjectNode body = (ObjectNode) valid.deepCopy();
      JsonNode def = api.definition(definition);
      List<String> names = new ArrayList<>();
      def.path("properties").properties().forEach(e -> names.add(e.getKey()));
      switch (kind) {
        case "body-unknown" -> body.put(pick("colour", "Id", "odataType", "targetdedicatednodes", "__proto__"), 1);
        case "body-missing" -> {
          List<String> required = new ArrayList<>();
          def.path("required").forEach(r -> required.add(r.asString()));
          if (required.isEmpty()) {
            body.put("fuzzUnknownProperty", true);
          } else {
            String r = required.get(rnd.nextInt(required.size()));
            if (rnd.nextBoolean()) {
              body.remove(r);
            } else {
              body.putNull(r);
            }
          }
        }
        case "body-type" -> {
          String name = names.get(rnd.nextInt(names.size()));
          JsonNode schema = def.path("properties").get(name);
          JsonNode wrong = wrongType(schema);
          if (wrong == null) {
            body.put("fuzzUnknownProperty", "x");
          } else {
            body.set(name, wrong);
          }
        }
        default -> {
          // body-value: a value of the right type that breaks a rule; else a wrong type
          List<String> ruled = new ArrayList<>();
          for (String n : names) {
            JsonNode s = def.path("properties").get(n);
            if (s.has("enum") || s.has("id") || s.has("maxLength") || s.path("format").asString("").matches("int32|duration|date-time") || s.has("maxItems")) {
              ruled.add(n);
            }
          }
          if (ruled.isEmpty()) {
            String name = names.get(rnd.nextInt(names.size()));
            JsonNode wrong = wrongType(def.path("properties").get(name));
            if (wrong == null) {
              body.put("fuzzUnknownProperty", 1);
            } else {
              body.set(name, wrong);
            }
          } else {
            String name = ruled.get(rnd.nextInt(ruled.size()));
            body.set(name, breakRule(def.path("properties").get(name)));
          }
        }
      }
      return body;
    }

    JsonNode breakRule(JsonNode s) {
      if (s.has("enum")) {
        return nodes.stringNode(pick("notavalue", "", "requeue ", "0"));
      }
      if (s.has("id")) {
        return nodes.stringNode(pick("bad id", "a".repeat(65), "", "dot.ted", "ünï", "a/b", "x%00"));
      }
      if (s.has("maxLength")) {
        return nodes.stringNode("d".repeat(s.get("maxLength").asInt() + 1 + rnd.nextInt(5000)));
      }
      if (s.has("maxItems")) {
        ArrayNode a = nodes.arrayNode();
        for (int k = 0; k <= s.get("maxItems").asInt(); k++) {
          a.add(s.path("items").has("ref") ? minimal(s.path("items").get("ref").asString(), 1) : nodes.stringNode("n" + k));
        }
        return a;
      }
      return switch (s.path("format").asString("")) {
        case "int32" -> nodes.numberNode(rnd.nextBoolean() ? 2147483648L : -2147483649L);
        case "duration" -> nodes.stringNode(pick("soon", "5 minutes", "PT", "P1Y2Z", "-"));
        default -> nodes.stringNode(pick("yesterday", "2026-13-01T00:00:00Z", "1700000000", "2026-01-01 00:00"));
      };
    }

    JsonNode wrongType(JsonNode s) {
      if (s.has("ref")) {
        return pick(nodes.stringNode("x"), nodes.numberNode(1), nodes.arrayNode(), nodes.booleanNode(true));
      }
      return switch (s.path("type").asString("")) {
        case "string" -> pick(nodes.numberNode(12345), nodes.booleanNode(false), nodes.objectNode(), nodes.arrayNode().add("x"));
        case "integer" -> pick(nodes.stringNode("12"), nodes.numberNode(1.5), nodes.booleanNode(true), nodes.objectNode());
        case "number" -> pick(nodes.stringNode("1.5"), nodes.booleanNode(true), nodes.arrayNode());
        case "boolean" -> pick(nodes.stringNode("yes"), nodes.numberNode(1), nodes.stringNode("true"));
        case "array" -> pick(nodes.objectNode(), nodes.stringNode("a,b"), nodes.numberNode(3));
        case "object" -> pick(nodes.arrayNode(), nodes.stringNode("{}"), nodes.numberNode(0));
        default -> null;
      };
    }

    /** The smallest body of a definition: its required properties with plain values. */
    JsonNode minimal(String definition, int depth) {
      ObjectNode o = nodes.objectNode();
      JsonNode def = api.definition(definition);
      for (JsonNode r : def.path("required")) {
        String name = r.asString();
        JsonNode s = def.path("properties").get(name);
        o.set(name, plain(s, name, depth));
      }
      return o;
    }

    JsonNode plain(JsonNode s, String name, int depth) {
      if (s.has("ref")) {
        return depth > 8 ? nodes.objectNode() : minimal(s.get("ref").asString(), depth + 1);
      }
      if (s.has("enum")) {
        return nodes.stringNode(s.get("enum").get(0).asString());
      }
      return switch (s.path("type").asString("")) {
        case "integer", "number" -> nodes.numberNode(1);
        case "boolean" -> nodes.booleanNode(false);
        case "array" -> nodes.arrayNode();
        case "object" -> nodes.objectNode();
        default -> switch (s.path("format").asString("")) {
          case "duration" -> nodes.stringNode("PT5M");
          case "date-time" -> nodes.stringNode("2030-01-01T00:00:00Z");
          default -> nodes.stringNode(name.equals("id") ? "fuzz-new-" + Long.toHexString(rnd.nextLong() & 0xffffffL) : "x");
        };
      };
    }

    byte[] huge(String definition) {
      // more than the 1 MiB limit, less than what Tomcat swallows of a refused body (2 MiB), so the answer is always read
      int size = 1024 * 1024 + 1 + rnd.nextInt(900 * 1024);
      StringBuilder sb = new StringBuilder(size + 64);
      sb.append("{\"displayName\":\"");
      while (sb.length() < size) {
        sb.append("0123456789abcdef");
      }
      sb.append("\"}");
      return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    String badFilter() {
      return switch (rnd.nextInt(9)) {
        case 0 -> "(".repeat(33 + rnd.nextInt(3000)) + "id eq 'a'" + ")".repeat(33 + rnd.nextInt(3000));
        case 1 -> "not ".repeat(40 + rnd.nextInt(500)) + "id eq 'a'";
        case 2 -> "id eq '" + "a".repeat(4100) + "'";
        case 3 -> pick("id eq", "(id eq 'a'", "id eq 'a')", "id eqq 'a'", "startswith(id)", "frobnicate(id,'a')", "'unterminated", "id eq 1..2");
        case 4 -> "state eq 'active' and " + "(".repeat(100);
        case 5 -> "startswith(".repeat(50) + "id,'a'" + ")".repeat(50);
        case 6 -> "id eq 'a' " + "or id eq 'b' ".repeat(400) + ")";
        case 7 -> "\u0000";
        default -> "id eq DateTime'not a time'";
      };
    }

    String badId(String template) {
      List<String> params = new ArrayList<>();
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(template);
      while (m.find()) {
        params.add(m.group(1));
      }
      String target = params.get(rnd.nextInt(params.size()));
      String bad = pick("bad%20id", "x".repeat(65 + rnd.nextInt(300)), "%E2%98%83", "a%21b", "..", "%2e%2e", "a;b", "%25", "-" + "y".repeat(70));
      String out = template;
      for (String p : params) {
        out = out.replace("{" + p + "}", p.equals(target) ? bad : value(p));
      }
      return out;
    }

    String fill(String template) {
      String out = template;
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(template);
      while (m.find()) {
        out = out.replace("{" + m.group(1) + "}", value(m.group(1)));
      }
      return out;
    }

    String value(String param) {
      return switch (param) {
        case "poolId" -> POOL;
        case "jobId" -> JOB;
        case "taskId" -> TASKS.get(rnd.nextInt(TASKS.size()));
        case "nodeId" -> "tvmps_fuzz";
        case "filePath" -> pick("stdout.txt", "wd/out.txt");
        case "jobScheduleId" -> "fuzz-schedule";
        case "applicationId" -> "fuzz-app";
        case "userName" -> "fuzzuser";
        case "thumbprintAlgorithm" -> "sha1";
        case "thumbprint" -> "0123456789abcdef";
        default -> "fuzz";
      };
    }

    @SafeVarargs
    final <T> T pick(T... choices) {
      return choices[rnd.nextInt(choices.length)];
    }

    static String encode(String s) {
      return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static byte[] bytes(JsonNode n) {
      return json.writeValueAsBytes(n);
    }
  }
}
