package dev.lote.account.api;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.account.domain.Application;
import dev.lote.account.domain.ApplicationSettings;
import dev.lote.account.service.ApplicationService;
import dev.lote.support.web.BatchRequest;
import dev.lote.support.web.BatchResponses;
import tools.jackson.databind.json.JsonMapper;

/**
 * The operator's management of applications, the part Azure serves on its management plane:
 * create or configure an application, upload and delete package versions, delete an application.
 * Reached through the gateway with the operator's credential, never with an account key.
 */
@RestController
public class ApplicationAdminController {

  private static final String BASE = "/lote/accounts/{account}/applications";

  private final ApplicationService applications;
  private final JsonMapper json;

  public ApplicationAdminController(ApplicationService applications, JsonMapper json) {
    this.applications = applications;
    this.json = json;
  }

  @GetMapping(BASE)
  public void list(@PathVariable String account, HttpServletResponse response) throws IOException {
    var all = applications.page(account, "", Integer.MAX_VALUE).stream().map(ApplicationBodies.Detail::of).toList();
    BatchResponses.json(response, json, new ApplicationBodies.DetailList(all), null, null);
  }

  @GetMapping(BASE + "/{applicationId}")
  public void get(@PathVariable String account, @PathVariable String applicationId, HttpServletResponse response) throws IOException {
    answer(response, 200, applications.get(account, applicationId));
  }

  /** Creates the application (201) or sets the given settings on it (200); answers the application. */
  @PutMapping(BASE + "/{applicationId}")
  public void put(
      @PathVariable String account,
      @PathVariable String applicationId,
      @RequestBody(required = false) ApplicationBodies.Settings body,
      HttpServletRequest request,
      HttpServletResponse response)
      throws IOException {
    ApplicationSettings settings =
        body == null ? ApplicationSettings.NONE : new ApplicationSettings(body.displayName(), body.allowUpdates(), body.defaultVersion());
    boolean created = applications.put(account, applicationId, settings, BatchRequest.of(request).requestId());
    answer(response, created ? 201 : 200, applications.get(account, applicationId));
  }

  @DeleteMapping(BASE + "/{applicationId}")
  public void delete(@PathVariable String account, @PathVariable String applicationId, HttpServletRequest request, HttpServletResponse response) {
    applications.delete(account, applicationId, BatchRequest.of(request).requestId());
    response.setStatus(204);
  }

  /** The request body is the package, a zip file or a gzip-compressed tar file, read as a stream. */
  @PutMapping(BASE + "/{applicationId}/versions/{version}")
  public void upload(
      @PathVariable String account,
      @PathVariable String applicationId,
      @PathVariable String version,
      HttpServletRequest request,
      HttpServletResponse response)
      throws IOException {
    boolean created = applications.upload(account, applicationId, version, request.getInputStream(), BatchRequest.of(request).requestId());
    answer(response, created ? 201 : 200, applications.get(account, applicationId));
  }

  @DeleteMapping(BASE + "/{applicationId}/versions/{version}")
  public void deleteVersion(
      @PathVariable String account, @PathVariable String applicationId, @PathVariable String version, HttpServletRequest request, HttpServletResponse response) {
    applications.deleteVersion(account, applicationId, version, BatchRequest.of(request).requestId());
    response.setStatus(204);
  }

  private void answer(HttpServletResponse response, int status, Application a) throws IOException {
    BatchResponses.version(response, a.etag(), a.lastModified());
    byte[] bytes = json.writeValueAsBytes(ApplicationBodies.Detail.of(a));
    response.setStatus(status);
    response.setContentType(BatchResponses.JSON.toString());
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }
}
