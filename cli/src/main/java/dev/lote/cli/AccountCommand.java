package dev.lote.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.microsoft.azure.batch.protocol.models.ImageInformation;
import com.microsoft.azure.batch.protocol.models.NodeCounts;
import com.microsoft.azure.batch.protocol.models.PoolNodeCounts;

import dev.lote.cli.Output.Column;
import picocli.CommandLine.Command;

/** {@code lote account show}: what the account offers and holds, as far as the Batch API tells. */
final class AccountCommand {

  static final List<Column<ImageInformation>> IMAGE_COLUMNS =
      List.of(
          new Column<>("NODE AGENT SKU", ImageInformation::nodeAgentSKUId),
          new Column<>("PUBLISHER", i -> i.imageReference() == null ? null : i.imageReference().publisher()),
          new Column<>("OFFER", i -> i.imageReference() == null ? null : i.imageReference().offer()),
          new Column<>("SKU", i -> i.imageReference() == null ? null : i.imageReference().sku()),
          new Column<>("OS", ImageInformation::osType),
          new Column<>("VERIFICATION", ImageInformation::verificationType));

  static final List<Column<PoolNodeCounts>> NODE_COUNT_COLUMNS =
      List.of(
          new Column<>("POOL", PoolNodeCounts::poolId),
          new Column<>("DEDICATED", c -> total(c.dedicated())),
          new Column<>("IDLE", c -> c.dedicated() == null ? null : c.dedicated().idle()),
          new Column<>("RUNNING", c -> c.dedicated() == null ? null : c.dedicated().running()),
          new Column<>("STARTING", c -> c.dedicated() == null ? null : starting(c.dedicated())),
          new Column<>("UNUSABLE", c -> c.dedicated() == null ? null : c.dedicated().unusable() + c.dedicated().startTaskFailed()),
          new Column<>("UNKNOWN", c -> c.dedicated() == null ? null : c.dedicated().unknown()),
          new Column<>("LOW-PRIORITY", c -> total(c.lowPriority())));

  @Command(name = "account", description = "The Batch account.", subcommands = Show.class)
  static final class Account {}

  @Command(name = "show", description = "The endpoint and account in use, their supported images and each pool's node counts.")
  static final class Show extends BatchCommand {
    @Override
    Integer run(Output out) throws Exception {
      List<ImageInformation> images = new ArrayList<>(client().accountOperations().listSupportedImages());
      List<PoolNodeCounts> counts = new ArrayList<>(client().accountOperations().listPoolNodeCounts());
      if (out.json()) {
        Map<String, Object> account = new LinkedHashMap<>();
        account.put("endpoint", session.endpoint);
        account.put("accountName", session.account);
        account.put("supportedImages", images);
        account.put("poolNodeCounts", counts);
        out.printJson(account);
        return 0;
      }
      out.message("endpoint  " + session.endpoint);
      out.message("account   " + session.account);
      out.message("");
      out.message("supported images:");
      out.list(images, IMAGE_COLUMNS);
      out.message("");
      out.message("nodes per pool:");
      out.list(counts, NODE_COUNT_COLUMNS);
      return 0;
    }
  }

  private static Integer total(NodeCounts c) {
    return c == null ? null : c.total();
  }

  private static int starting(NodeCounts c) {
    return c.creating() + c.starting() + c.waitingForStartTask() + c.rebooting() + c.reimaging();
  }

  private AccountCommand() {}
}
