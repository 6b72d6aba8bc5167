package dev.lote.pool.api;

import static dev.lote.support.test.BatchHttp.BASE_URL;
import static dev.lote.support.test.BatchHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import dev.lote.pool.persistence.CertificateRepository;
import dev.lote.pool.service.CertificateService;
import dev.lote.pool.support.PoolServiceTestBase;
import dev.lote.pool.support.TestCertificates;
import dev.lote.support.test.BatchHttp;
import dev.lote.support.test.BatchHttp.Response;
import tools.jackson.databind.JsonNode;

/**
 * Certificate_Add, _List, _Get, _Delete and _CancelDeletion over real HTTP and a real database:
 * what is checked on add, the states a deletion goes through, pools' references, and that the
 * data and password are stored sealed. Deletions are settled when the test says so (the periodic
 * pass is an hour apart here).
 */
@TestPropertySource(properties = "lote.certificates.deletion-interval=PT1H")
class CertificateApiTest extends PoolServiceTestBase {

  private static TestCertificates.Made first;
  private static TestCertificates.Made second;

  @LocalServerPort int port;
  @Autowired CertificateService service;
  @Autowired CertificateRepository repository;
  @Autowired JdbcTemplate jdbc;

  @Value("${lote.certificates.key-file}")
  Path keyFile;

  @BeforeAll
  static void makeCertificates() {
    first = TestCertificates.make("first", "s3cret-pass");
    second = TestCertificates.make("second", "other-pass");
  }

  private static String pfx(TestCertificates.Made c) {
    return json("{'thumbprintAlgorithm':'sha1','thumbprint':'" + c.thumbprint().toUpperCase() + "','data':'" + c.pfxBase64()
        + "','certificateFormat':'pfx','password':'" + c.password() + "'}");
  }

  private static String cer(TestCertificates.Made c) {
    return json("{'thumbprintAlgorithm':'SHA1','thumbprint':'" + c.thumbprint() + "','data':'" + c.cerBase64() + "','certificateFormat':'cer'}");
  }

  private static String path(TestCertificates.Made c) {
    return "/certificates(thumbprintAlgorithm=sha1,thumbprint=" + c.thumbprint() + ")";
  }

  @Test
  void aPfxAndACerAreAddedAndReadBackWithTheirPublicPartOnly() {
    BatchHttp http = new BatchHttp(port, "adds");

    Response added = http.post("/certificates", pfx(first));
    assertThat(added.status()).isEqualTo(201);
    assertThat(added.header("Location")).isEqualTo(BASE_URL + path(first));
    assertThat(added.header("DataServiceId")).isEqualTo(BASE_URL + path(first));
    assertThat(added.header("ETag")).isNotBlank();
    assertThat(http.post("/certificates", cer(second)).status()).isEqualTo(201);

    Response got = http.get(path(first));
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.header("ETag")).isEqualTo(added.header("ETag"));
    JsonNode c = got.json();
    assertThat(c.get("thumbprint").stringValue()).isEqualTo(first.thumbprint());
    assertThat(c.get("thumbprintAlgorithm").stringValue()).isEqualTo("sha1");
    assertThat(c.get("url").stringValue()).isEqualTo(BASE_URL + path(first));
    assertThat(c.get("state").stringValue()).isEqualTo("active");
    assertThat(c.has("stateTransitionTime")).isTrue();
    assertThat(c.has("previousState")).isFalse();
    assertThat(Base64.getDecoder().decode(c.get("publicData").stringValue())).isEqualTo(first.cer());
    assertThat(got.text()).doesNotContain(first.password()).doesNotContain(first.pfxBase64()).doesNotContain("\"data\"").doesNotContain("password");

    JsonNode list = http.get("/certificates").json();
    assertThat(list.get("value")).hasSize(2);
    assertThat(list.get("value").findValuesAsString("thumbprint")).containsExactlyInAnyOrder(first.thumbprint(), second.thumbprint());

    JsonNode selected = http.get(path(second) + "?$select=thumbprint,state").json();
    assertThat(selected.has("publicData")).isFalse();
    assertThat(selected.get("state").stringValue()).isEqualTo("active");

    Response page = http.get("/certificates?maxresults=1");
    assertThat(page.json().get("value")).hasSize(1);
    JsonNode rest = http.follow(page.json().get("odata.nextLink").stringValue()).json();
    assertThat(rest.get("value")).hasSize(1);
    assertThat(rest.has("odata.nextLink")).isFalse();

    JsonNode filtered = http.get("/certificates?$filter=" + java.net.URLEncoder.encode("thumbprint eq '" + second.thumbprint() + "'", StandardCharsets.UTF_8)).json();
    assertThat(filtered.get("value")).hasSize(1);
    assertThat(filtered.get("value").get(0).get("thumbprint").stringValue()).isEqualTo(second.thumbprint());
  }

  @Test
  void theSameThumbprintTwiceIsACertificateThatExists() {
    BatchHttp http = new BatchHttp(port, "twice");
    assertThat(http.post("/certificates", pfx(first)).status()).isEqualTo(201);

    Response again = http.post("/certificates", cer(first));

    assertThat(again.status()).isEqualTo(409);
    assertThat(again.errorCode()).isEqualTo("CertificateExists");
  }

  @Test
  void whatAddRefusesNamesTheProperty() {
    BatchHttp http = new BatchHttp(port, "refusals");
    Map<String, String> bodies =
        Map.of(
            "thumbprint", pfx(first).replace(first.thumbprint().toUpperCase(), second.thumbprint()),
            "password", pfx(first).replace(first.password(), "wrong-password"),
            "data", json("{'thumbprintAlgorithm':'sha1','thumbprint':'" + first.thumbprint() + "','data':'bm90IGEgY2VydGlmaWNhdGU=','certificateFormat':'cer'}"),
            "thumbprintAlgorithm", cer(first).replace("SHA1", "md5"),
            "certificateFormat", cer(first).replace("'cer'".replace('\'', '"'), "\"pem\""));
    for (Map.Entry<String, String> e : bodies.entrySet()) {
      Response refused = http.post("/certificates", e.getValue());
      assertThat(refused.status()).as(e.getKey()).isEqualTo(400);
      assertThat(refused.errorCode()).as(e.getKey()).isEqualTo("InvalidPropertyValue");
      assertThat(refused.detail("PropertyName")).as(e.getKey()).isEqualTo(e.getKey());
      assertThat(refused.text()).as(e.getKey()).doesNotContain("wrong-password").doesNotContain(first.password());
    }
    Response cerWithPassword = http.post("/certificates", cer(first).replace("}", ",\"password\":\"x\"}"));
    assertThat(cerWithPassword.detail("PropertyName")).isEqualTo("password");
    Response missing = http.post("/certificates", json("{'thumbprintAlgorithm':'sha1','thumbprint':'" + first.thumbprint() + "'}"));
    assertThat(missing.errorCode()).isEqualTo("MissingRequiredProperty");
    assertThat(http.get("/certificates").json().get("value")).isEmpty();
  }

  @Test
  void anUnknownCertificateIsNotFound() {
    BatchHttp http = new BatchHttp(port, "unknown");
    for (Response r : new Response[] {http.get(path(first)), http.delete(path(first)), http.post(path(first) + "/canceldelete", null)}) {
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.errorCode()).isEqualTo("CertificateNotFound");
    }
  }

  @Test
  void aCertificateNoPoolReferencesIsDeletingThenGone() {
    BatchHttp http = new BatchHttp(port, "deletes");
    http.post("/certificates", cer(first));

    Response deleted = http.delete(path(first));

    assertThat(deleted.status()).isEqualTo(202);
    JsonNode deleting = http.get(path(first)).json();
    assertThat(deleting.get("state").stringValue()).isEqualTo("deleting");
    assertThat(deleting.get("previousState").stringValue()).isEqualTo("active");
    Response twice = http.delete(path(first));
    assertThat(twice.status()).isEqualTo(409);
    assertThat(twice.errorCode()).isEqualTo("CertificateBeingDeleted");
    Response cancel = http.post(path(first) + "/canceldelete", null);
    assertThat(cancel.errorCode()).isEqualTo("CertificateBeingDeleted");
    Response referenced = http.post("/pools", json("{'id':'late','vmSize':'small','certificateReferences':[{'thumbprint':'" + first.thumbprint() + "','thumbprintAlgorithm':'sha1'}]}"));
    assertThat(referenced.status()).isEqualTo(409);
    assertThat(referenced.errorCode()).isEqualTo("InvalidCertificateReferences");

    service.settleDeletions();

    assertThat(http.get(path(first)).errorCode()).isEqualTo("CertificateNotFound");
    assertThat(http.post("/certificates", cer(first)).status()).isEqualTo(201);
  }

  @Test
  void aCertificateAPoolReferencesFailsToDeleteUntilThePoolLetsItGo() {
    BatchHttp http = new BatchHttp(port, "referenced");
    Response missing = http.post("/pools", json("{'id':'early','vmSize':'small','certificateReferences':[{'thumbprint':'" + first.thumbprint() + "','thumbprintAlgorithm':'sha1'}]}"));
    assertThat(missing.status()).isEqualTo(409);
    assertThat(missing.errorCode()).isEqualTo("InvalidCertificateReferences");
    http.post("/certificates", pfx(first));
    String reference = "[{'thumbprint':'" + first.thumbprint() + "','thumbprintAlgorithm':'sha1','visibility':['task']}]";
    assertThat(http.post("/pools", json("{'id':'user','vmSize':'small','certificateReferences':" + reference + "}")).status()).isEqualTo(201);
    assertThat(http.post("/pools", json("{'id':'other','vmSize':'small'}")).status()).isEqualTo(201);
    Response patchMissing = http.send("PATCH", "/pools/other", json("{'certificateReferences':[{'thumbprint':'" + second.thumbprint() + "','thumbprintAlgorithm':'sha1'}]}"));
    assertThat(patchMissing.errorCode()).isEqualTo("InvalidCertificateReferences");
    assertThat(http.send("PATCH", "/pools/other", json("{'certificateReferences':" + reference + "}")).status()).isEqualTo(200);
    Response active = http.post(path(first) + "/canceldelete", null);
    assertThat(active.status()).isEqualTo(409);
    assertThat(active.errorCode()).isEqualTo("CertificateStateActive");

    http.delete(path(first));
    service.settleDeletions();

    JsonNode failed = http.get(path(first)).json();
    assertThat(failed.get("state").stringValue()).isEqualTo("deletefailed");
    assertThat(failed.get("previousState").stringValue()).isEqualTo("deleting");
    JsonNode error = failed.get("deleteCertificateError");
    assertThat(error.get("code").stringValue()).isEqualTo("PoolsReferencingCertificate");
    assertThat(error.get("values").findValuesAsString("value")).containsExactly("other", "user");
    assertThat(error.get("values").findValuesAsString("name")).containsOnly("Pools");

    Response cancelled = http.post(path(first) + "/canceldelete", null);
    assertThat(cancelled.status()).isEqualTo(204);
    JsonNode again = http.get(path(first)).json();
    assertThat(again.get("state").stringValue()).isEqualTo("active");
    assertThat(again.get("previousState").stringValue()).isEqualTo("deletefailed");
    assertThat(again.has("deleteCertificateError")).isFalse();

    assertThat(http.post("/pools/other/updateproperties", json("{'certificateReferences':[],'metadata':[],'applicationPackageReferences':[]}")).status()).isEqualTo(204);
    http.delete(path(first));
    service.settleDeletions();
    assertThat(http.get(path(first)).json().get("deleteCertificateError").get("values").findValuesAsString("value")).containsExactly("user");
  }

  @Test
  void theDataAndPasswordAreStoredSealedUnderAKeyOutsideTheDatabase() throws Exception {
    BatchHttp http = new BatchHttp(port, "sealed");
    http.post("/certificates", pfx(first));

    Map<String, Object> row =
        jdbc.queryForMap("select sealed_data, sealed_password from certificate where account = 'sealed' and thumbprint = ?", first.thumbprint());
    byte[] data = (byte[]) row.get("sealed_data");
    byte[] password = (byte[]) row.get("sealed_password");
    assertThat(data).isNotEqualTo(first.pfx());
    assertThat(indexOf(data, java.util.Arrays.copyOfRange(first.pfx(), 0, 64))).isNegative();
    assertThat(new String(password, StandardCharsets.ISO_8859_1)).doesNotContain(first.password());
    String all = jdbc.queryForObject("select row_to_json(c)::text from certificate c where account = 'sealed'", String.class);
    assertThat(all).doesNotContain(first.password()).doesNotContain(first.pfxBase64().substring(0, 40));

    assertThat(Files.exists(keyFile)).isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
    var opened = repository.content("sealed", "sha1", first.thumbprint()).orElseThrow();
    assertThat(opened.data()).isEqualTo(first.pfx());
    assertThat(opened.password()).isEqualTo(first.password());
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
