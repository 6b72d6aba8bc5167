package dev.lote.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.lote.cli.AccountCommand.OperatorCommand;
import dev.lote.cli.Output.Column;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lote app}: the operator's commands over an account's applications and their package
 * versions ({@code create}, {@code upload}, {@code list}, {@code delete}), through the operator API
 * with the operator credential ({@link OperatorApi}). Pools and tasks name them in their
 * {@code applicationPackageReferences}.
 */
final class AppCommands {

  static final List<Column<JsonNode>> COLUMNS =
      List.of(
          new Column<>("ID", a -> a.path("id").asText()),
          new Column<>("DISPLAY NAME", a -> a.path("displayName").asText()),
          new Column<>("VERSIONS", a -> versions(a)),
          new Column<>("DEFAULT", a -> a.path("defaultVersion").isNull() ? "" : a.path("defaultVersion").asText()),
          new Column<>("UPDATES", a -> a.path("allowUpdates").asBoolean() ? "allowed" : "refused"));

  @Command(
      name = "app",
      description = "The account's applications and their package versions (the operator's, through the operator API).",
      subcommands = {Create.class, Upload.class, ListApps.class, Delete.class})
  static final class App {}

  /** The account the application commands act on. */
  abstract static class AppCommand extends OperatorCommand {
    @Option(names = "--account", defaultValue = "${LOTE_ACCOUNT:-lote}", description = "the account (default: LOTE_ACCOUNT, else lote)")
    String account;

    String applications() {
      return "/lote/accounts/" + OperatorApi.segment(account) + "/applications";
    }

    String application(String id) {
      return applications() + "/" + OperatorApi.segment(id);
    }
  }

  @Command(name = "create", description = "Create an application, or change the settings of one that exists.")
  static final class Create extends AppCommand {
    @Parameters(paramLabel = "ID")
    String id;

    @Option(names = "--display-name", description = "the name shown for it")
    String displayName;

    @Option(names = "--allow-updates", arity = "1", paramLabel = "true|false", description = "whether a stored version may be replaced (default true)")
    Boolean allowUpdates;

    @Option(names = "--default-version", description = "the version a reference without version means")
    String defaultVersion;

    @Override
    Integer run(Output out) throws Exception {
      Map<String, Object> body = new LinkedHashMap<>();
      if (displayName != null) body.put("displayName", displayName);
      if (allowUpdates != null) body.put("allowUpdates", allowUpdates);
      if (defaultVersion != null) body.put("defaultVersion", defaultVersion);
      out.object(api.send("PUT", application(id), body));
      return 0;
    }
  }

  @Command(name = "upload", description = "Upload FILE (a zip or tar.gz file) as VERSION of application ID.")
  static final class Upload extends AppCommand {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(index = "1", paramLabel = "VERSION")
    String version;

    @Parameters(index = "2", paramLabel = "FILE")
    Path file;

    @Option(names = "--default", description = "make it the application's default version")
    boolean makeDefault;

    @Override
    Integer run(Output out) throws Exception {
      if (!Files.isRegularFile(file)) {
        throw new OperatorApi.Refused("no such file: " + file);
      }
      JsonNode app = api.sendFile("PUT", application(id) + "/versions/" + OperatorApi.segment(version), file);
      if (makeDefault) {
        app = api.send("PUT", application(id), Map.of("defaultVersion", version));
      }
      out.object(app);
      return 0;
    }
  }

  @Command(name = "list", description = "The account's applications, their versions and default version.")
  static final class ListApps extends AppCommand {
    @Override
    Integer run(Output out) throws Exception {
      List<JsonNode> apps = new ArrayList<>();
      api.get(applications()).path("value").forEach(apps::add);
      out.list(apps, COLUMNS);
      return 0;
    }
  }

  @Command(name = "delete", description = "Delete application ID with all its versions, or only its VERSION.")
  static final class Delete extends AppCommand {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(index = "1", paramLabel = "VERSION", arity = "0..1")
    String version;

    @Override
    Integer run(Output out) throws Exception {
      api.send("DELETE", version == null ? application(id) : application(id) + "/versions/" + OperatorApi.segment(version), null);
      out.message(version == null ? "deleted application " + id : "deleted version " + version + " of " + id);
      return 0;
    }
  }

  private static String versions(JsonNode a) {
    List<String> v = new ArrayList<>();
    a.path("versions").forEach(x -> v.add(x.path("version").asText()));
    return String.join(",", v);
  }

  private AppCommands() {}
}
