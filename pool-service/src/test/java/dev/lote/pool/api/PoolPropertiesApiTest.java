package dev.lote.pool.api;

import static dev.lote.support.test.BatchHttp.BASE_URL;
import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.lote.pool.persistence.ApplicationCatalog;
import dev.lote.pool.support.Applications;
import dev.lote.pool.support.PoolServiceTestBase;
import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.BatchHttp.Response;
import tools.jackson.databind.JsonNode;

/** Pool_Patch and Pool_UpdateProperties over real HTTP: what each keeps, replaces and resets, and their conditions. */
class PoolPropertiesApiTest extends PoolServiceTestBase {

  @LocalServerPort int port;

  @Autowired ApplicationCatalog catalog;

  private BatchHttp add(String account, String id) {
    Applications.publish(catalog, account, "app", "1", "1");
    BatchHttp http = new BatchHttp(port, account);
    Response created =
        http.post(
            "/pools",
            json(
                "{'id':'" + id + "','vmSize':'standard_a1','startTask':{'commandLine':'echo first'},"
                    + "'metadata':[{'name':'a','value':'1'}],'applicationPackageReferences':[{'applicationId':'app'}]}"));
    assertThat(created.status()).isEqualTo(201);
    return http;
  }

  @Test
  void aPatchChangesWhatItNamesAndKeepsTheRest() {
    BatchHttp http = add("patches", "patched");
    String before = http.get("/pools/patched").header("ETag");

    Response patched = http.send("PATCH", "/pools/patched", json("{'metadata':[{'name':'b','value':'2'}],'targetNodeCommunicationMode':'Simplified'}"));

    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.header("DataServiceId")).isEqualTo(BASE_URL + "/pools/patched");
    assertThat(patched.header("ETag")).isNotEqualTo(before);
    JsonNode p = http.get("/pools/patched").json();
    assertThat(p.get("eTag").stringValue()).isEqualTo(patched.header("ETag"));
    assertThat(p.get("metadata").get(0).get("name").stringValue()).isEqualTo("b");
    assertThat(p.get("targetNodeCommunicationMode").stringValue()).isEqualTo("simplified");
    assertThat(p.get("startTask").get("commandLine").stringValue()).isEqualTo("echo first");
    assertThat(p.get("applicationPackageReferences").get(0).get("applicationId").stringValue()).isEqualTo("app");

    Response emptied = http.send("PATCH", "/pools/patched", json("{'metadata':[]}"));
    assertThat(emptied.status()).isEqualTo(200);
    assertThat(http.get("/pools/patched").json().has("metadata")).isFalse();
  }

  @Test
  void anUpdateReplacesEveryPropertyAndResetsWhatItOmits() {
    BatchHttp http = add("updates", "updated");

    Response updated =
        http.post(
            "/pools/updated/updateproperties",
            json("{'startTask':{'commandLine':'echo second'},'certificateReferences':[],'applicationPackageReferences':[],'metadata':[{'name':'c','value':'3'}]}"));

    assertThat(updated.status()).isEqualTo(204);
    assertThat(updated.header("ETag")).startsWith("0x");
    JsonNode p = http.get("/pools/updated").json();
    assertThat(p.get("startTask").get("commandLine").stringValue()).isEqualTo("echo second");
    assertThat(p.get("metadata").get(0).get("name").stringValue()).isEqualTo("c");
    assertThat(p.has("applicationPackageReferences")).isFalse();

    Response withoutStartTask =
        http.post("/pools/updated/updateproperties", json("{'certificateReferences':[],'applicationPackageReferences':[],'metadata':[]}"));
    assertThat(withoutStartTask.status()).isEqualTo(204);
    JsonNode reset = http.get("/pools/updated").json();
    assertThat(reset.has("startTask")).isFalse();
    assertThat(reset.has("metadata")).isFalse();
  }

  @Test
  void badChangesAreRefusedWithThePropertyAtFaultAndChangeNothing() {
    BatchHttp http = add("refusals", "kept");
    String etag = http.get("/pools/kept").header("ETag");

    Response missing = http.post("/pools/kept/updateproperties", json("{'metadata':[],'certificateReferences':[]}"));
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.errorCode()).isEqualTo("MissingRequiredProperty");
    assertThat(missing.detail("PropertyName")).isEqualTo("applicationPackageReferences");

    Response noCommand = http.send("PATCH", "/pools/kept", json("{'startTask':{'waitForSuccess':true}}"));
    assertThat(noCommand.status()).isEqualTo(400);
    assertThat(noCommand.detail("PropertyName")).isEqualTo("startTask.commandLine");

    Response mode = http.send("PATCH", "/pools/kept", json("{'targetNodeCommunicationMode':'loud'}"));
    assertThat(mode.errorCode()).isEqualTo("InvalidPropertyValue");
    assertThat(mode.detail("PropertyName")).isEqualTo("targetNodeCommunicationMode");

    Response shape = http.send("PATCH", "/pools/kept", json("{'vmSize':'standard_d4'}"));
    assertThat(shape.errorCode()).isEqualTo("InvalidPropertyValue");
    assertThat(shape.detail("PropertyName")).isEqualTo("vmSize");

    Response unnamedMetadata = http.send("PATCH", "/pools/kept", json("{'metadata':[{'value':'x'}]}"));
    assertThat(unnamedMetadata.detail("PropertyName")).isEqualTo("metadata.name");

    assertThat(http.send("PATCH", "/pools/nosuchpool", json("{'metadata':[]}")).errorCode()).isEqualTo("PoolNotFound");
    assertThat(http.get("/pools/kept").header("ETag")).isEqualTo(etag);
  }

  @Test
  void conditionalHeadersGuardBothChanges() {
    BatchHttp http = add("conditions", "guarded");
    String etag = http.get("/pools/guarded").header("ETag");

    Response stale = http.send("PATCH", "/pools/guarded", json("{'metadata':[]}"), "If-Match", "\"0x8D0000000000000\"");
    assertThat(stale.status()).isEqualTo(412);
    assertThat(stale.errorCode()).isEqualTo("ConditionNotMet");
    Response noneMatch =
        http.send(
            "POST", "/pools/guarded/updateproperties", json("{'metadata':[],'certificateReferences':[],'applicationPackageReferences':[]}"), "If-None-Match", etag);
    assertThat(noneMatch.status()).isEqualTo(412);
    Response unmodified =
        http.send("PATCH", "/pools/guarded", json("{'metadata':[]}"), "If-Unmodified-Since", "Mon, 01 Jan 2001 00:00:00 GMT");
    assertThat(unmodified.status()).isEqualTo(412);

    Response current = http.send("PATCH", "/pools/guarded", json("{'metadata':[]}"), "If-Match", etag);
    assertThat(current.status()).isEqualTo(200);
  }
}
