package dev.lote.pool.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code lote.hosts.*}: the hosts of the {@code hosts} node provider.
 *
 * @param joinToken         what a host agent must present to join and to send its heartbeats; no
 *     host can join while neither this nor {@code joinTokenFile} gives one
 * @param joinTokenFile     a file holding the join token ({@code ./lote join-token} makes it), read
 *     when {@code joinToken} is empty
 * @param heartbeatInterval how often a host agent is told to send its heartbeat
 * @param heartbeatTimeout  a host silent this long is lost, and so are the nodes it runs
 * @param livenessInterval  how often silent hosts are looked for
 */
@ConfigurationProperties("lote.hosts")
public record HostSettings(
    @DefaultValue("") String joinToken,
    @DefaultValue("") String joinTokenFile,
    @DefaultValue("PT5S") Duration heartbeatInterval,
    @DefaultValue("PT15S") Duration heartbeatTimeout,
    @DefaultValue("PT2S") Duration livenessInterval) {

  /** The join token; empty when none is configured. */
  public String token() {
    if (!joinToken.isBlank() || joinTokenFile.isBlank()) {
      return joinToken.trim();
    }
    try {
      return Files.readString(Path.of(joinTokenFile), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the join token file " + joinTokenFile, e);
    }
  }
}
