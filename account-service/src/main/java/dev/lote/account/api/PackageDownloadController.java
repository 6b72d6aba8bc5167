package dev.lote.account.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Clock;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.lote.account.service.ApplicationService;
import dev.lote.common.auth.InternalCredential;
import dev.lote.common.auth.PackageToken;
import dev.lote.common.error.BatchErrors;

/**
 * A package's bytes for a node agent, which presents the signed, expiring token of the URL it was
 * given with the package reference ({@link PackageToken}); the token is its only credential. The
 * answer carries the package's SHA-256 and format, which the agent checks and unpacks by.
 */
@RestController
public class PackageDownloadController {

  public static final String SHA256_HEADER = "X-Lote-Package-Sha256";
  public static final String FORMAT_HEADER = "X-Lote-Package-Format";

  private final ApplicationService applications;
  private final String secret;
  private final Clock clock;

  public PackageDownloadController(ApplicationService applications, @Value("${" + InternalCredential.PROPERTY + ":}") String secret, Clock clock) {
    this.applications = applications;
    this.secret = secret;
    this.clock = clock;
  }

  @GetMapping(PackageToken.PATH_PREFIX + "{token}")
  public void download(@PathVariable String token, HttpServletResponse response) throws IOException {
    PackageToken.Claims claims = PackageToken.verify(secret, token, clock.instant());
    if (claims == null) {
      throw BatchErrors.authenticationFailed("The package URL is not valid or has expired.");
    }
    ApplicationService.StoredPackage p =
        applications
            .stored(claims.account(), claims.applicationId(), claims.version())
            .orElseThrow(() -> BatchErrors.notFound("ApplicationPackageNotFound", "The application package does not exist."));
    response.setStatus(200);
    response.setContentType("application/octet-stream");
    response.setContentLengthLong(p.version().size());
    response.setHeader(SHA256_HEADER, p.version().sha256());
    response.setHeader(FORMAT_HEADER, p.version().format());
    try (InputStream in = Files.newInputStream(p.file())) {
      in.transferTo(response.getOutputStream());
    }
  }
}
