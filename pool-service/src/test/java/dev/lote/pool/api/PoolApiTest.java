package dev.lote.pool.api;

import static dev.lote.support.test.BatchHttp.BASE_URL;
import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.lote.common.events.EventTypes;
import dev.lote.common.events.PoolEvents.PoolCreated;
import dev.lote.common.events.Topics;
import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.BatchHttp.Response;
import dev.lote.support.test.Kafka;
import dev.lote.pool.support.PoolServiceTestBase;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The Batch pool operations over real HTTP: statuses, headers, bodies and errors as the SDKs expect them. */
class PoolApiTest extends PoolServiceTestBase {

  @LocalServerPort int port;

  private BatchHttp http(String account) {
    return new BatchHttp(port, account);
  }

  private static String pool(String id, int nodes) {
    return json("{'id':'" + id + "','vmSize':'standard_a1','targetDedicatedNodes':" + nodes + "}");
  }

  @Test
  void addingAPoolAnswers201WithItsLocationAndGetReturnsEverythingThatWasGiven() {
    BatchHttp http = http("adds");
    String body =
        json(
            "{'id':'Pool-Full','displayName':'full pool','vmSize':'standard_a1','resizeTimeout':'PT20M','targetDedicatedNodes':0,"
                + "'taskSlotsPerNode':3,'taskSchedulingPolicy':{'nodeFillType':'pack'},'enableInterNodeCommunication':true,"
                + "'virtualMachineConfiguration':{'imageReference':{'publisher':'Canonical','offer':'0001-com-ubuntu-server-focal','sku':'20_04-lts'},"
                + "'nodeAgentSKUId':'batch.node.ubuntu 20.04'},"
                + "'startTask':{'commandLine':'/bin/sh -c \\\"echo hi\\\"','userIdentity':{'autoUser':{'scope':'task','elevationLevel':'nonadmin'}}},"
                + "'metadata':[{'name':'myproperty','value':'myvalue'}]}");

    Response created = http.post("/pools?api-version=2024-07-01.20.0", body);

    assertThat(created.status()).isEqualTo(201);
    assertThat(created.text()).isEmpty();
    assertThat(created.header("Location")).isEqualTo(BASE_URL + "/pools/Pool-Full");
    assertThat(created.header("DataServiceId")).isEqualTo(BASE_URL + "/pools/Pool-Full");
    assertThat(created.header("ETag")).startsWith("0x");
    assertThat(created.header("Last-Modified")).endsWith("GMT");

    Response got = http.get("/pools/pool-full?api-version=2024-07-01.20.0");

    assertThat(got.status()).isEqualTo(200);
    assertThat(got.header("Content-Type")).startsWith("application/json;odata=minimalmetadata");
    assertThat(got.header("ETag")).isEqualTo(created.header("ETag"));
    JsonNode p = got.json();
    assertThat(p.get("odata.metadata").stringValue()).isEqualTo(BASE_URL + "/$metadata#pools/@Element");
    assertThat(p.get("id").stringValue()).isEqualTo("Pool-Full");
    assertThat(p.get("displayName").stringValue()).isEqualTo("full pool");
    assertThat(p.get("url").stringValue()).isEqualTo(BASE_URL + "/pools/Pool-Full");
    assertThat(p.get("eTag").stringValue()).isEqualTo(created.header("ETag"));
    assertThat(p.get("state").stringValue()).isEqualTo("active");
    assertThat(p.get("allocationState").stringValue()).isEqualTo("steady");
    assertThat(p.get("vmSize").stringValue()).isEqualTo("standard_a1");
    assertThat(p.get("resizeTimeout").stringValue()).isEqualTo("PT20M");
    assertThat(p.get("currentDedicatedNodes").intValue()).isZero();
    assertThat(p.get("currentLowPriorityNodes").intValue()).isZero();
    assertThat(p.get("enableAutoScale").booleanValue()).isFalse();
    assertThat(p.get("enableInterNodeCommunication").booleanValue()).isTrue();
    assertThat(p.get("taskSlotsPerNode").intValue()).isEqualTo(3);
    assertThat(p.get("taskSchedulingPolicy").get("nodeFillType").stringValue()).isEqualTo("pack");
    JsonNode given = JsonMapper.builder().build().readTree(body);
    assertThat(p.get("virtualMachineConfiguration")).isEqualTo(given.get("virtualMachineConfiguration"));
    assertThat(p.get("metadata")).isEqualTo(given.get("metadata"));
    assertThat(p.get("startTask").get("commandLine").stringValue()).isEqualTo("/bin/sh -c \"echo hi\"");
    assertThat(p.get("startTask").get("userIdentity")).isEqualTo(given.get("startTask").get("userIdentity"));
    assertThat(p.get("startTask").get("maxTaskRetryCount").intValue()).isZero();
    assertThat(p.get("startTask").get("waitForSuccess").booleanValue()).isTrue();
    assertThat(p.has("autoScaleFormula")).isFalse();
    assertThat(p.get("creationTime").stringValue()).endsWith("Z");
  }

  @Test
  void addingAPoolWhoseIdDiffersOnlyInCaseIsAConflict() {
    BatchHttp http = http("conflicts");
    assertThat(http.post("/pools", pool("Twice", 0)).status()).isEqualTo(201);

    Response again = http.post("/pools", pool("TWICE", 0));

    assertThat(again.status()).isEqualTo(409);
    assertThat(again.errorCode()).isEqualTo("PoolExists");
    assertThat(again.json().get("message").get("value").stringValue()).contains("RequestId:");
  }

  @Test
  void badPoolsAreRefusedWithThePropertyAtFaultAndNothingIsCreated() {
    BatchHttp http = http("invalid");

    Response noSize = http.post("/pools", json("{'id':'bad1'}"));
    assertThat(noSize.status()).isEqualTo(400);
    assertThat(noSize.errorCode()).isEqualTo("MissingRequiredProperty");
    assertThat(noSize.detail("PropertyName")).isEqualTo("vmSize");

    Response negative = http.post("/pools", json("{'id':'bad2','vmSize':'s','targetDedicatedNodes':-1}"));
    assertThat(negative.errorCode()).isEqualTo("InvalidPropertyValue");
    assertThat(negative.detail("PropertyName")).isEqualTo("targetDedicatedNodes");

    Response slots = http.post("/pools", json("{'id':'bad3','vmSize':'s','taskSlotsPerNode':0}"));
    assertThat(slots.detail("PropertyName")).isEqualTo("taskSlotsPerNode");

    Response startTask = http.post("/pools", json("{'id':'bad4','vmSize':'s','startTask':{'maxTaskRetryCount':1}}"));
    assertThat(startTask.errorCode()).isEqualTo("MissingRequiredProperty");
    assertThat(startTask.detail("PropertyName")).isEqualTo("startTask.commandLine");

    Response autoscale = http.post("/pools", json("{'id':'bad5','vmSize':'s','enableAutoScale':true,'autoScaleFormula':'x = ;'}"));
    assertThat(autoscale.status()).isEqualTo(400);
    assertThat(autoscale.errorCode()).isEqualTo("AutoScalingFormulaSyntaxError");

    Response notJson = http.post("/pools", "{not json");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.errorCode()).isEqualTo("InvalidRequestBody");

    assertThat(http.get("/pools").json().get("value")).isEmpty();
  }

  @Test
  void aMissingPoolIsPoolNotFoundAndExistsAnswersWithoutBody() {
    BatchHttp http = http("exists");
    http.post("/pools", pool("here", 0));

    Response missing = http.get("/pools/nowhere");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.errorCode()).isEqualTo("PoolNotFound");
    assertThat(missing.json().get("odata.metadata").stringValue()).startsWith(BASE_URL + "/$metadata#");

    Response headMissing = http.send("HEAD", "/pools/nowhere", null);
    assertThat(headMissing.status()).isEqualTo(404);
    assertThat(headMissing.text()).isEmpty();

    Response headHere = http.send("HEAD", "/pools/HERE", null);
    assertThat(headHere.status()).isEqualTo(200);
    assertThat(headHere.header("ETag")).startsWith("0x");

    assertThat(http("someone-else").get("/pools/here").status()).isEqualTo(404);
  }

  @Test
  void listingPagesWithMaxResultsAndANextLinkThatKeepsEveryQueryParameter() {
    BatchHttp http = http("paging");
    for (String id : List.of("p-c", "p-a", "P-b")) {
      assertThat(http.post("/pools", pool(id, 0)).status()).isEqualTo(201);
    }

    List<String> ids = new ArrayList<>();
    Response page = http.get("/pools?api-version=2024-07-01.20.0&maxresults=1");
    List<String> links = new ArrayList<>();
    while (true) {
      assertThat(page.status()).isEqualTo(200);
      JsonNode body = page.json();
      assertThat(body.get("odata.metadata").stringValue()).isEqualTo(BASE_URL + "/$metadata#pools");
      assertThat(body.get("value")).hasSizeLessThanOrEqualTo(1);
      body.get("value").forEach(p -> ids.add(p.get("id").stringValue()));
      if (!body.has("odata.nextLink")) {
        break;
      }
      String next = body.get("odata.nextLink").stringValue();
      links.add(next);
      page = http.follow(next);
    }

    assertThat(ids).containsExactly("p-a", "P-b", "p-c");
    assertThat(links).hasSize(2).allSatisfy(l -> assertThat(l).startsWith(BASE_URL + "/pools?").contains("api-version=2024-07-01.20.0", "maxresults=1", "$skiptoken="));
    assertThat(http.get("/pools").json().get("value")).hasSize(3);
    assertThat(http.get("/pools").json().has("odata.nextLink")).isFalse();
    assertThat(http("empty-account").get("/pools").json().get("value")).isEmpty();
  }

  @Test
  void listingAppliesFilterAndSelect() {
    BatchHttp http = http("filtering");
    for (String id : List.of("web-1", "web-2", "batch-1")) {
      assertThat(http.post("/pools", pool(id, 0)).status()).isEqualTo(201);
    }
    JsonNode body = http.get("/pools?$filter=startswith(id,'web')%20and%20state%20eq%20'active'&$select=id,state").json();
    assertThat(body.get("value")).extracting(p -> p.get("id").stringValue()).containsExactly("web-1", "web-2");
    assertThat(body.get("value")).allSatisfy(p -> assertThat(p.has("vmSize")).isFalse());
    Response bad = http.get("/pools?$filter=id%20eq%20'unclosed");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.errorCode()).isEqualTo("InvalidQueryParameterValue");
  }

  @Test
  void maxResultsOutsideOneToAThousandIsRefused() {
    BatchHttp http = http("paging-errors");

    Response zero = http.get("/pools?maxresults=0");
    assertThat(zero.status()).isEqualTo(400);
    assertThat(zero.errorCode()).isEqualTo("OutOfRangeQueryParameterValue");
    assertThat(http.get("/pools?maxresults=1001").status()).isEqualTo(400);
    assertThat(http.get("/pools?maxresults=many").errorCode()).isEqualTo("InvalidQueryParameterValue");
  }

  @Test
  void conditionalHeadersAreHonoured() {
    BatchHttp http = http("conditions");
    String etag = http.post("/pools", pool("cond", 0)).header("ETag");

    assertThat(http.get("/pools/cond", "If-None-Match", etag).status()).isEqualTo(304);
    assertThat(http.get("/pools/cond", "If-Match", etag).status()).isEqualTo(200);
    Response mismatch = http.get("/pools/cond", "If-Match", "0x1");
    assertThat(mismatch.status()).isEqualTo(412);
    assertThat(mismatch.errorCode()).isEqualTo("ConditionNotMet");
    assertThat(http.get("/pools/cond", "If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT").status()).isEqualTo(304);

    Response delete = http.send("DELETE", "/pools/cond", null, "If-Match", "0x1");
    assertThat(delete.status()).isEqualTo(412);
    assertThat(http.get("/pools/cond").json().get("state").stringValue()).isEqualTo("active");
  }

  @Test
  void deletingAPoolAnswers202ThenThePoolGoesAwayAndEventsTellTheOthers() {
    BatchHttp http = http("deletes");
    try (Kafka kafka = new Kafka(); Kafka.Probe pools = kafka.probe(Topics.POOLS)) {
      http.post("/pools", pool("Doomed", 0));

      Response deleted = http.send("DELETE", "/pools/doomed", null);

      assertThat(deleted.status()).isEqualTo(202);
      await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/pools/doomed").status() == 404);
      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(pools.received())
                      .filteredOn(e -> e.aggregateId().equals("Doomed"))
                      .extracting(e -> e.type())
                      .containsExactly(EventTypes.POOL_CREATED, EventTypes.POOL_DELETED));
      assertThat(http.send("DELETE", "/pools/doomed", null).errorCode()).isEqualTo("PoolNotFound");
      assertThat(http.post("/pools", pool("doomed", 0)).status()).isEqualTo(201);
    }
  }

  @Test
  void poolCreatedTellsTheSchedulerHowToFillNodesSpreadUnlessThePoolSaysPack() {
    BatchHttp http = http("fill");
    try (Kafka kafka = new Kafka(); Kafka.Probe pools = kafka.probe(Topics.POOLS)) {
      http.post("/pools", pool("spreading", 0));
      http.post("/pools", json("{'id':'packing','vmSize':'small','taskSchedulingPolicy':{'nodeFillType':'Pack'}}"));

      await().atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(pools.received())
                      .filteredOn(e -> e.type().equals(EventTypes.POOL_CREATED) && e.account().equals("fill"))
                      .extracting(e -> kafka.codec().payload(e, PoolCreated.class))
                      .extracting(PoolCreated::poolId, PoolCreated::nodeFillType)
                      .containsExactlyInAnyOrder(tuple("spreading", "spread"), tuple("packing", "pack")));
    }
  }

  @Test
  void aPoolStartsItsNodesAndListsThemAndDeletingItStopsThem() {
    BatchHttp http = http("with-nodes");
    http.post("/pools", json("{'id':'two','vmSize':'standard_d2','targetDedicatedNodes':2,'taskSlotsPerNode':2}"));

    await().atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              JsonNode p = http.get("/pools/two").json();
              assertThat(p.get("currentDedicatedNodes").intValue()).isEqualTo(2);
              assertThat(p.get("allocationState").stringValue()).isEqualTo("steady");
            });

    Response first = http.get("/pools/two/nodes?maxresults=1");
    JsonNode node = first.json().get("value").get(0);
    String nextLink = first.json().get("odata.nextLink").stringValue();
    JsonNode other = http.follow(nextLink).json().get("value").get(0);
    assertThat(http.follow(nextLink).json().has("odata.nextLink")).isFalse();
    String nodeId = node.get("id").stringValue();
    assertThat(nodeId).matches("tvm-\\d+_\\d+-\\d{8}t\\d{6}z");
    assertThat(other.get("id").stringValue()).isNotEqualTo(nodeId);
    assertThat(node.get("url").stringValue()).isEqualTo(BASE_URL + "/pools/two/nodes/" + nodeId);
    assertThat(node.get("state").stringValue()).isEqualTo("creating");
    assertThat(node.get("schedulingState").stringValue()).isEqualTo("enabled");
    assertThat(node.get("vmSize").stringValue()).isEqualTo("standard_d2");
    assertThat(node.get("isDedicated").booleanValue()).isTrue();
    assertThat(node.get("runningTasksCount").intValue()).isZero();

    Response one = http.get("/pools/two/nodes/" + nodeId);
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.header("ETag")).startsWith("0x");
    assertThat(one.json().get("odata.metadata").stringValue()).startsWith(BASE_URL + "/$metadata#");
    assertThat(one.json().get("nodeAgentInfo").get("lastUpdateTime").stringValue()).endsWith("Z");
    assertThat(http.get("/pools/two/nodes/tvm-0_0-none").errorCode()).isEqualTo("NodeNotFound");
    assertThat(http.get("/pools/three/nodes").errorCode()).isEqualTo("PoolNotFound");

    long pid = Long.parseLong(read(PID_DIR.resolve(nodeId + ".pid")));
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isTrue();

    assertThat(http.send("DELETE", "/pools/two", null).status()).isEqualTo(202);

    await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/pools/two").status() == 404);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(PID_DIR.resolve(nodeId + ".pid")).doesNotExist();
    assertThat(NODES.resolve(nodeId)).doesNotExist();
  }

  @Test
  void otherPoolAndNodeOperationsAreNotSupportedRatherThanMissing() {
    BatchHttp http = http("unsupported");
    http.post("/pools", pool("p", 0));

    for (Response r :
        List.of(
            // ComputeNode_GetRemoteDesktop: Windows nodes only, which Lote does not have
            http.get("/pools/p/nodes/tvm-1/rdp"))) {
      assertThat(r.status()).isEqualTo(501);
      assertThat(r.errorCode()).isEqualTo("NotSupported");
    }
    for (Response r :
        List.of(
            http.post("/pools/p/nodes/tvm-1/users", json("{'name':'u'}")),
            http.send("PUT", "/pools/p/nodes/tvm-1/users/u", json("{}")),
            http.send("DELETE", "/pools/p/nodes/tvm-1/users/u", null),
            http.send("DELETE", "/pools/p/nodes/tvm-1/files/startup/stdout.txt", null),
            http.get("/pools/p/nodes/tvm-1/remoteloginsettings"),
            http.post("/pools/p/nodes/tvm-1/uploadbatchservicelogs", json("{'containerUrl':'http://x/c','startTime':'2026-01-01T00:00:00Z'}")),
            http.get("/pools/p/nodes/tvm-1/extensions"),
            http.get("/pools/p/nodes/tvm-1/extensions/e"))) {
      assertThat(r.status()).as("served, for nodes that exist").isEqualTo(404);
      assertThat(r.errorCode()).isEqualTo("NodeNotFound");
    }
  }

  private static String read(java.nio.file.Path file) {
    try {
      return Files.readString(file).trim();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
