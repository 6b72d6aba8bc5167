package dev.lote.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

import dev.lote.common.api.BatchApi;
import dev.lote.common.error.BatchErrorDetail;
import dev.lote.common.error.BatchException;

class RequestChecksTest {

  static final String V = "api-version=2024-07-01.20.0";

  final RequestChecks checks = new RequestChecks(BatchApi.get());

  static MockHttpServletRequest request(String method, String path, String query) {
    MockHttpServletRequest r = new MockHttpServletRequest(method, path);
    r.setQueryString(query);
    return r;
  }

  BatchException urlError(String method, String path, String query) {
    return catchThrowableOfType(BatchException.class, () -> checks.url(request(method, path, query)));
  }

  BatchException bodyError(String method, String path, String contentType, String body) {
    MockHttpServletRequest r = request(method, path, V);
    if (contentType != null) {
      r.setContentType(contentType);
      r.addHeader("Content-Type", contentType);
    }
    r.setContent(body.getBytes(StandardCharsets.UTF_8));
    return catchThrowableOfType(BatchException.class, () -> checks.body(r, checks.url(r)));
  }

  static String value(BatchException e, String key) {
    return e.values().stream().filter(d -> d.key().equals(key)).map(BatchErrorDetail::value).findFirst().orElse(null);
  }

  @Test
  void apiVersionIsCheckedFirst() {
    assertThat(urlError("GET", "/nosuchthing", null).code()).isEqualTo("MissingRequiredQueryParameter");
    BatchException empty = urlError("DELETE", "/pools/p1", "api-version=");
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.code()).isEqualTo("InvalidQueryParameterValue");
    assertThat(value(empty, "QueryParameterName")).isEqualTo("api-version");
    assertThat(value(empty, "QueryParameterValue")).isEmpty();
    assertThat(urlError("GET", "/pools", "api-version=2099-01-01").code()).isEqualTo("InvalidQueryParameterValue");
    assertThat(urlError("GET", "/pools", V + "&" + V).code()).isEqualTo("InvalidQueryParameterValue");
    assertThat(checks.url(request("GET", "/pools", "api-version=2022-10-01.16.0")).id()).isEqualTo("Pool_List");
  }

  @Test
  void pathsAndMethodsAreMatchedAgainstTheSpec() {
    assertThat(urlError("GET", "/internal/accounts/lote", V).code()).isEqualTo("InvalidUri");
    assertThat(urlError("GET", "/pools/p1/nosuch", V).code()).isEqualTo("InvalidUri");
    assertThat(urlError("GET", "/pools//resize", V).code()).isEqualTo("InvalidUri");
    assertThat(urlError("DELETE", "/jobs/j1/tasks/..", V).code()).isEqualTo("InvalidUri");
    assertThat(urlError("DELETE", "/jobs/j1/tasks/%2e%2E", V).code()).isEqualTo("InvalidUri");
    assertThat(urlError("DELETE", "/jobs/j1/tasks/t1;x", V).code()).isEqualTo("InvalidUri");
    assertThat(urlError("GET", "/jobs/j1/tasks/t1/files/a/../../../x", V).code()).isEqualTo("InvalidUri");
    BatchException verb = urlError("PUT", "/pools", V);
    assertThat(verb.status()).isEqualTo(405);
    assertThat(verb.code()).isEqualTo("UnsupportedHttpVerb");
    assertThat(checks.url(request("GET", "/jobs/j1/tasks/t1/files/wd/out/a.txt", V)).id()).isEqualTo("File_GetFromTask");
    assertThat(checks.url(request("HEAD", "/pools/p1", V)).id()).isEqualTo("Pool_Exists");
    assertThat(checks.url(request("GET", "/certificates(thumbprintAlgorithm=sha1,thumbprint=abc)", V)).id()).isEqualTo("Certificate_Get");
    assertThat(checks.url(request("GET", "/lifetimejobstats", V)).id()).isEqualTo("Job_GetAllLifetimeStatistics");
  }

  @Test
  void queryOptionsAreChecked() {
    assertThat(checks.url(request("GET", "/pools", V + "&timeout=30"))).isNotNull();
    assertThat(checks.url(request("GET", "/pools", V + "&timeOut=2147483647"))).isNotNull();
    for (String bad : List.of("0", "-1", "abc", "2147483648", "1.5", "")) {
      BatchException e = urlError("GET", "/pools", V + "&timeout=" + bad);
      assertThat(e.code()).as(bad).isEqualTo("InvalidQueryParameterValue");
      assertThat(value(e, "QueryParameterName")).isEqualTo("timeout");
    }
    assertThat(urlError("GET", "/pools", V + "&maxresults=1001").code()).isEqualTo("OutOfRangeQueryParameterValue");
    assertThat(urlError("GET", "/pools", V + "&maxresults=x").code()).isEqualTo("InvalidQueryParameterValue");
    assertThat(urlError("GET", "/pools", V + "&%24filter=id%20eq").code()).isEqualTo("InvalidQueryParameterValue");
    assertThat(urlError("GET", "/pools", V + "&$select=id,,state").code()).isEqualTo("InvalidQueryParameterValue");
    assertThat(urlError("GET", "/pools", V + "&$expand=" + "a".repeat(1025)).code()).isEqualTo("InvalidQueryParameterValue");
    assertThat(urlError("GET", "/pools", V + "&%zz=1").code()).isEqualTo("InvalidQueryParameterValue");
    assertThat(checks.url(request("GET", "/pools", V + "&%24filter=startswith(id%2C%27p%27)&%24select=id%2Cstate&maxresults=10"))).isNotNull();
  }

  @Test
  void deepOrLongFiltersAreRefusedWithoutOverflowingTheStack() {
    String deep = "(".repeat(100_000) + "id eq 'a'" + ")".repeat(100_000);
    BatchException e = urlError("GET", "/pools", V + "&$filter=" + deep);
    assertThat(e.code()).isEqualTo("InvalidQueryParameterValue");
    String nots = "not ".repeat(33) + "id eq 'a'";
    assertThat(urlError("GET", "/pools", V + "&$filter=" + nots.replace(" ", "%20")).code()).isEqualTo("InvalidQueryParameterValue");
    String ok = "(".repeat(32) + "id eq 'a'" + ")".repeat(32);
    assertThat(checks.url(request("GET", "/pools", V + "&$filter=" + ok.replace(" ", "%20")))).isNotNull();
  }

  @Test
  void badHeadersAreRefused() {
    MockHttpServletRequest r = request("GET", "/pools", V);
    r.addHeader("client-request-id", "not a guid");
    BatchException e = catchThrowableOfType(BatchException.class, () -> checks.url(r));
    assertThat(e.code()).isEqualTo("InvalidHeaderValue");
    assertThat(value(e, "HeaderName")).isEqualTo("client-request-id");
  }

  @Test
  void bodiesAreCheckedAgainstTheSchema() {
    String pool = "{\"id\":\"p1\",\"vmSize\":\"standard_d2s_v3\",\"targetDedicatedNodes\":2,\"displayName\":\"%s\"}";
    assertThat(bodyError("POST", "/pools", "application/json; odata=minimalmetadata; charset=utf-8", pool.formatted("ok"))).isNull();

    BatchException longName = bodyError("POST", "/pools", "application/json", pool.formatted("x".repeat(1025)));
    assertThat(longName.code()).isEqualTo("InvalidPropertyValue");
    assertThat(value(longName, "PropertyName")).isEqualTo("displayName");
    assertThat(value(longName, "Reason")).contains("1024");

    BatchException badId = bodyError("POST", "/pools", "application/json", "{\"id\":\"a b\",\"vmSize\":\"x\"}");
    assertThat(badId.code()).isEqualTo("InvalidPropertyValue");
    assertThat(value(badId, "PropertyName")).isEqualTo("id");
    assertThat(bodyError("POST", "/pools", "application/json", "{\"id\":\"" + "a".repeat(65) + "\",\"vmSize\":\"x\"}").code())
        .isEqualTo("InvalidPropertyValue");

    BatchException missing = bodyError("POST", "/pools", "application/json", "{\"id\":\"p1\"}");
    assertThat(missing.code()).isEqualTo("MissingRequiredProperty");
    assertThat(value(missing, "PropertyName")).isEqualTo("vmSize");

    BatchException type = bodyError("POST", "/pools", "application/json", "{\"id\":\"p1\",\"vmSize\":\"x\",\"targetDedicatedNodes\":\"2\"}");
    assertThat(type.code()).isEqualTo("InvalidRequestBody");
    assertThat(value(type, "PropertyName")).isEqualTo("targetDedicatedNodes");

    BatchException unknown = bodyError("POST", "/pools", "application/json", "{\"id\":\"p1\",\"vmSize\":\"x\",\"colour\":1}");
    assertThat(unknown.code()).isEqualTo("InvalidRequestBody");
    assertThat(value(unknown, "PropertyName")).isEqualTo("colour");

    BatchException range = bodyError("POST", "/pools", "application/json", "{\"id\":\"p1\",\"vmSize\":\"x\",\"targetDedicatedNodes\":3000000000}");
    assertThat(range.code()).isEqualTo("InvalidPropertyValue");

    BatchException enumValue = bodyError("POST", "/jobs/j1/disable", "application/json", "{\"disableTasks\":\"later\"}");
    assertThat(enumValue.code()).isEqualTo("InvalidPropertyValue");
    assertThat(bodyError("POST", "/jobs/j1/disable", "application/json", "{\"disableTasks\":\"Requeue\"}")).isNull();

    BatchException nested =
        bodyError("POST", "/jobs/j1/tasks", "application/json", "{\"id\":\"t\",\"commandLine\":\"x\",\"constraints\":{\"maxWallClockTime\":\"soon\"}}");
    assertThat(value(nested, "PropertyName")).isEqualTo("constraints.maxWallClockTime");

    BatchException tooMany =
        bodyError("POST", "/jobs/j1/addtaskcollection", "application/json", "{\"value\":[" + "{\"id\":\"t\",\"commandLine\":\"x\"},".repeat(100) + "{\"id\":\"t\",\"commandLine\":\"x\"}]}");
    assertThat(tooMany.code()).isEqualTo("InvalidPropertyValue");
  }

  @Test
  void malformedMissingOversizedAndNonJsonBodiesAreRefused() {
    assertThat(bodyError("POST", "/pools", "application/json", "{\"id\":").code()).isEqualTo("InvalidRequestBody");
    assertThat(bodyError("POST", "/pools", "application/json", "[1,2]").code()).isEqualTo("InvalidRequestBody");
    assertThat(bodyError("POST", "/pools", "application/json", "{\"id\":\"a\",\"id\":\"b\",\"vmSize\":\"x\"}").code()).isEqualTo("InvalidRequestBody");
    assertThat(bodyError("POST", "/pools", "application/json", "{} {}").code()).isEqualTo("InvalidRequestBody");
    assertThat(bodyError("POST", "/pools", "application/json", "[".repeat(100_000)).code()).isEqualTo("InvalidRequestBody");
    assertThat(bodyError("POST", "/jobs/j1/tasks", "application/json", "").code()).isEqualTo("InvalidRequestBody");
    assertThat(bodyError("POST", "/jobs/j1/terminate", "application/json", "")).isNull();
    BatchException form = bodyError("POST", "/pools", "application/x-www-form-urlencoded", "id=p1");
    assertThat(form.status()).isEqualTo(415);
    assertThat(bodyError("POST", "/pools", "multipart/form-data; boundary=x", "--x--").status()).isEqualTo(415);
    assertThat(bodyError("POST", "/pools", "application/json; charset=latin1", "{}").status()).isEqualTo(415);
    BatchException big = bodyError("POST", "/pools", "application/json", "{\"id\":\"" + "a".repeat(RequestChecks.MAX_BODY) + "\"}");
    assertThat(big.status()).isEqualTo(413);
    assertThat(big.code()).isEqualTo("RequestBodyTooLarge");
  }
}
