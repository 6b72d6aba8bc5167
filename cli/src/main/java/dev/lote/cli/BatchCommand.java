package dev.lote.cli;

import java.util.concurrent.Callable;

import com.microsoft.azure.batch.BatchClient;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A command over the Batch API through the official Java SDK: the connection options, {@code --output},
 * and the client. A {@link com.microsoft.azure.batch.protocol.models.BatchErrorException} it throws
 * becomes the Batch error's code and message on standard error and exit status 1 ({@link LoteCli}).
 */
abstract class BatchCommand implements Callable<Integer> {

  @Mixin BatchSession session = new BatchSession();

  @Option(
      names = "--output",
      paramLabel = "table|json",
      defaultValue = "${LOTE_OUTPUT:-table}",
      description = "table (default, or LOTE_OUTPUT) or json: the Batch REST API's shape; lists are arrays")
  Output.Format format;

  @Spec CommandSpec spec;

  private BatchClient client;

  @Override
  public final Integer call() throws Exception {
    return run(new Output(format, spec.commandLine().getOut()));
  }

  abstract Integer run(Output out) throws Exception;

  BatchClient client() {
    if (client == null) {
      client = session.client();
    }
    return client;
  }
}
