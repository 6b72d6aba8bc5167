package dev.lote.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import com.microsoft.azure.batch.protocol.models.ImageInformation;
import com.microsoft.azure.batch.protocol.models.NodeCounts;
import com.microsoft.azure.batch.protocol.models.PoolNodeCounts;

import dev.lote.cli.Output.Column;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lote account show}: what the account offers and holds, as far as the Batch API tells; and
 * the operator's commands over Lote's accounts ({@code create}, {@code list}, {@code keys},
 * {@code rotate}, {@code quota}), through the operator API with the operator credential
 * ({@link OperatorApi}).
 */
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

  static final List<Column<JsonNode>> ACCOUNT_COLUMNS =
      List.of(
          new Column<>("NAME", a -> a.path("name").asText()),
          new Column<>("POOLS", a -> a.path("quotas").path("pools").asText()),
          new Column<>("DEDICATED CORES", a -> a.path("quotas").path("dedicatedCores").asText()),
          new Column<>("LOW-PRIORITY CORES", a -> a.path("quotas").path("lowPriorityCores").asText()),
          new Column<>("ACTIVE JOBS", a -> a.path("quotas").path("activeJobsAndSchedules").asText()),
          new Column<>("CREATED", a -> a.path("creationTime").asText()));

  @Command(
      name = "account",
      description = "The Batch account; and, for the operator, Lote's accounts, their keys and quotas.",
      subcommands = {Show.class, Create.class, ListAccounts.class, Keys.class, Rotate.class, Quota.class})
  static final class Account {}

  /** A command of the operator API: the endpoint and credential, and {@code --output}. */
  abstract static class OperatorCommand implements Callable<Integer> {
    @Mixin OperatorApi api = new OperatorApi();

    @Option(names = "--output", paramLabel = "table|json", defaultValue = "${LOTE_OUTPUT:-table}", description = "table (default, or LOTE_OUTPUT) or json")
    Output.Format format;

    @Spec CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
      return run(new Output(format, spec.commandLine().getOut()));
    }

    abstract Integer run(Output out) throws Exception;
  }

  /** The quota options of {@code create} and {@code quota}; those not given are left as they are. */
  static final class QuotaOptions {
    @Option(names = "--pools", paramLabel = "N", description = "pool quota")
    Integer pools;

    @Option(names = "--dedicated-cores", paramLabel = "N", description = "dedicated core quota")
    Integer dedicatedCores;

    @Option(names = "--low-priority-cores", paramLabel = "N", description = "low-priority core quota")
    Integer lowPriorityCores;

    @Option(names = "--active-jobs", paramLabel = "N", description = "quota of active jobs and job schedules")
    Integer activeJobs;

    Map<String, Object> body() {
      Map<String, Object> q = new LinkedHashMap<>();
      if (pools != null) q.put("pools", pools);
      if (dedicatedCores != null) q.put("dedicatedCores", dedicatedCores);
      if (lowPriorityCores != null) q.put("lowPriorityCores", lowPriorityCores);
      if (activeJobs != null) q.put("activeJobsAndSchedules", activeJobs);
      return q;
    }
  }

  @Command(name = "create", description = "Create an account (3-24 lower-case letters and digits) with two new keys; print them.")
  static final class Create extends OperatorCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Mixin QuotaOptions quotas = new QuotaOptions();

    @Override
    Integer run(Output out) throws Exception {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", name);
      if (!quotas.body().isEmpty()) {
        body.put("quotas", quotas.body());
      }
      out.object(api.send("POST", "/lote/accounts", body));
      return 0;
    }
  }

  @Command(name = "list", description = "The accounts and their quotas (never their keys).")
  static final class ListAccounts extends OperatorCommand {
    @Override
    Integer run(Output out) throws Exception {
      List<JsonNode> accounts = new ArrayList<>();
      api.get("/lote/accounts").path("value").forEach(accounts::add);
      out.list(accounts, ACCOUNT_COLUMNS);
      return 0;
    }
  }

  @Command(name = "keys", description = "An account's two keys.")
  static final class Keys extends OperatorCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    Integer run(Output out) throws Exception {
      JsonNode a = api.get("/lote/accounts/" + OperatorApi.segment(name));
      Map<String, Object> keys = new LinkedHashMap<>();
      keys.put("accountName", a.path("name").asText());
      keys.put("primary", a.path("primaryKey").asText());
      keys.put("secondary", a.path("secondaryKey").asText());
      out.object(keys);
      return 0;
    }
  }

  @Command(name = "rotate", description = "Regenerate one of an account's keys: the old one stops working at once. Print both keys.")
  static final class Rotate extends OperatorCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--key", required = true, paramLabel = "primary|secondary", description = "the key to regenerate")
    String key;

    @Override
    Integer run(Output out) throws Exception {
      out.object(api.send("POST", "/lote/accounts/" + OperatorApi.segment(name) + "/regeneratekey", Map.of("keyName", key)));
      return 0;
    }
  }

  @Command(name = "quota", description = "Show an account's quotas, or set those given; later calls are held to them.")
  static final class Quota extends OperatorCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Mixin QuotaOptions quotas = new QuotaOptions();

    @Override
    Integer run(Output out) throws Exception {
      String path = "/lote/accounts/" + OperatorApi.segment(name);
      JsonNode a = quotas.body().isEmpty() ? api.get(path) : api.send("PATCH", path + "/quotas", quotas.body());
      out.object(a.path("quotas"));
      return 0;
    }
  }

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
