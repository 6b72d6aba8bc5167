package dev.lote.pool.api;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.pool.domain.Certificate;
import dev.lote.pool.domain.CertificateContent;
import dev.lote.pool.persistence.CertificateRepository;
import dev.lote.pool.service.CertificateService;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.BatchResponses;
import dev.lote.support.web.Conditions;
import dev.lote.support.web.ListRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Certificate_Add, Certificate_List, Certificate_Get, Certificate_Delete, Certificate_CancelDeletion. */
@RestController
public class CertificateController {

  private static final String ENTITY = "/certificates(thumbprintAlgorithm={algorithm},thumbprint={thumbprint})";

  private final CertificateService certificates;
  private final JsonMapper json;

  public CertificateController(CertificateService certificates, JsonMapper json) {
    this.certificates = certificates;
    this.json = json;
  }

  @PostMapping("/certificates")
  public void add(@RequestBody(required = false) JsonNode body, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    Certificate c = certificates.add(br.account(), CertificateContent.parse(body));
    BatchResponses.created(response, CertificateBody.etag(c), c.lastModified(), CertificateBody.url(br, c.thumbprintAlgorithm(), c.thumbprint()));
  }

  @GetMapping("/certificates")
  public void list(HttpServletRequest request, HttpServletResponse response) throws IOException {
    BatchRequest br = BatchRequest.of(request);
    Object body =
        ListRequest.of(request)
            .page(
                (after, limit) -> certificates.page(br.account(), after, limit),
                CertificateRepository::key,
                c -> json.valueToTree(CertificateBody.of(c, br, false)),
                br,
                request,
                "certificates");
    BatchResponses.json(response, json, body, null, null);
  }

  @GetMapping(ENTITY)
  public void get(@PathVariable String algorithm, @PathVariable String thumbprint, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    BatchRequest br = BatchRequest.of(request);
    Certificate c = certificates.get(br.account(), algorithm, thumbprint);
    String etag = CertificateBody.etag(c);
    Conditions.check(request, etag, c.lastModified(), true);
    JsonNode entity = ListRequest.of(request).select(json.valueToTree(CertificateBody.of(c, br, true)));
    BatchResponses.entity(response, json, entity, etag, c.lastModified());
  }

  @DeleteMapping(ENTITY)
  public void delete(@PathVariable String algorithm, @PathVariable String thumbprint, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    Certificate c = certificates.delete(br.account(), algorithm, thumbprint);
    BatchResponses.empty(response, 202, CertificateBody.etag(c), c.lastModified(), null);
  }

  @PostMapping(ENTITY + "/canceldelete")
  public void cancelDeletion(
      @PathVariable String algorithm, @PathVariable String thumbprint, HttpServletRequest request, HttpServletResponse response) {
    BatchRequest br = BatchRequest.of(request);
    Certificate c = certificates.cancelDeletion(br.account(), algorithm, thumbprint);
    BatchResponses.empty(response, 204, CertificateBody.etag(c), c.lastModified(), CertificateBody.url(br, c.thumbprintAlgorithm(), c.thumbprint()));
  }
}
