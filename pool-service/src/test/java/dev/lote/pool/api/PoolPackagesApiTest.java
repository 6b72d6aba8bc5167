package dev.lote.pool.api;

import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.lote.pool.persistence.ApplicationCatalog;
import dev.lote.pool.service.PoolPackages;
import dev.lote.pool.support.Applications;
import dev.lote.pool.support.PoolServiceTestBase;
import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.BatchHttp.Response;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A pool's application package references checked against the pool-service's copy of the
 * account's applications, kept from {@code lote.applications} on the real broker, and resolved for
 * a starting node (the signed URLs are proven end to end in ApplicationPackagesSystemTest).
 */
class PoolPackagesApiTest extends PoolServiceTestBase {

  @LocalServerPort int port;
  @Autowired ApplicationCatalog catalog;
  @Autowired PoolPackages packages;

  @Test
  void aPoolNamingAnUnknownApplicationVersionOrDefaultIsRefusedWithEachReference() {
    Applications.publish(catalog, "pkgs", "Tool", null, "1.0", "2.0");
    BatchHttp http = new BatchHttp(port, "pkgs");

    Response refused =
        http.post(
            "/pools",
            json(
                "{'id':'p1','vmSize':'standard_a1','applicationPackageReferences':["
                    + "{'applicationId':'tool','version':'1.0'},{'applicationId':'ghost','version':'1'},"
                    + "{'applicationId':'tool','version':'9'},{'applicationId':'tool'}]}"));
    assertThat(refused.status()).isEqualTo(409);
    JsonNode body = refused.json();
    assertThat(body.get("code").stringValue()).isEqualTo("InvalidApplicationPackageReferences");
    List<String> keys = new ArrayList<>();
    body.get("values").forEach(v -> keys.add(v.get("key").stringValue()));
    assertThat(keys).as("each as the pool names it").containsExactly("ghost:1", "tool:9", "tool");
    assertThat(http.get("/pools/p1").status()).isEqualTo(404);

    Response accepted =
        http.post(
            "/pools",
            json("{'id':'p1','vmSize':'standard_a1','applicationPackageReferences':[{'applicationId':'/subscriptions/s/resourceGroups/g/providers/Microsoft.Batch/batchAccounts/a/applications/tool','version':'2.0'}]}"));
    assertThat(accepted.status()).isEqualTo(201);
  }

  @Test
  void anUpdateOrPatchIsCheckedAsAnAddIs() {
    Applications.publish(catalog, "pkgupd", "render", "3", "3");
    BatchHttp http = new BatchHttp(port, "pkgupd");
    assertThat(http.post("/pools", json("{'id':'p2','vmSize':'standard_a1','applicationPackageReferences':[{'applicationId':'render'}]}")).status()).isEqualTo(201);

    Response patch = http.send("PATCH", "/pools/p2", json("{'applicationPackageReferences':[{'applicationId':'render','version':'4'}]}"));
    assertThat(patch.status()).isEqualTo(409);
    assertThat(patch.json().get("code").stringValue()).isEqualTo("InvalidApplicationPackageReferences");
    Response update =
        http.post(
            "/pools/p2/updateproperties",
            json("{'certificateReferences':[],'applicationPackageReferences':[{'applicationId':'other'}],'metadata':[]}"));
    assertThat(update.status()).isEqualTo(409);
    assertThat(http.get("/pools/p2").json().get("applicationPackageReferences").get(0).get("applicationId").stringValue()).isEqualTo("render");
  }

  @Test
  void aStartingNodeGetsEachPackageResolvedWithTheDefaultVersionForAReferenceWithout() {
    Applications.publish(catalog, "pkgnode", "Sim", "2", "1", "2");
    var resolved = packages.forNode("pkgnode", JsonMapper.builder().build().readTree(json("[{'applicationId':'sim'},{'applicationId':'sim','version':'1'}]")));
    assertThat(resolved).hasSize(2);
    assertThat(resolved.get(0).version()).isEqualTo("2");
    assertThat(resolved.get(0).defaultVersion()).isTrue();
    assertThat(resolved.get(0).applicationId()).isEqualTo("Sim");
    assertThat(resolved.get(0).sha256()).isEqualTo("ab".repeat(32));
    assertThat(resolved.get(1).version()).isEqualTo("1");
    assertThat(resolved.get(1).defaultVersion()).isFalse();
    assertThat(resolved).allSatisfy(d -> assertThat(d.error()).isNull());
  }
}
