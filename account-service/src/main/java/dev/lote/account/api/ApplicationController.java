package dev.lote.account.api;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.account.domain.Application;
import dev.lote.account.service.ApplicationService;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.BatchResponses;
import dev.lote.support.web.Conditions;
import dev.lote.support.web.ListRequest;
import tools.jackson.databind.json.JsonMapper;

/** Application_List and Application_Get: the data plane's read-only view of the account's applications. */
@RestController
public class ApplicationController {

  private final ApplicationService applications;
  private final JsonMapper json;

  public ApplicationController(ApplicationService applications, JsonMapper json) {
    this.applications = applications;
    this.json = json;
  }

  @GetMapping("/applications")
  public void list(HttpServletRequest request, HttpServletResponse response) throws IOException {
    BatchRequest br = BatchRequest.of(request);
    Object body =
        ListRequest.of(request)
            .page(
                (after, limit) -> applications.page(br.account(), after, limit),
                Application::key,
                a -> json.valueToTree(ApplicationBodies.Summary.of(a, null)),
                br,
                request,
                "applications");
    BatchResponses.json(response, json, body, null, null);
  }

  @GetMapping("/applications/{applicationId}")
  public void get(@PathVariable String applicationId, HttpServletRequest request, HttpServletResponse response) throws IOException {
    BatchRequest br = BatchRequest.of(request);
    Application a = applications.get(br.account(), applicationId);
    Conditions.check(request, a.etag(), a.lastModified(), true);
    BatchResponses.entity(response, json, ApplicationBodies.Summary.of(a, br.metadata("applications/@Element")), a.etag(), a.lastModified());
  }
}
