package dev.lote.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code lote}: the Batch API on the command line (pools, nodes, jobs, tasks, files, the account,
 * submit and watch), through the official Azure Batch Java SDK, and the tools behind {@code ./lote}.
 */
@Command(
    name = "lote",
    mixinStandardHelpOptions = true,
    // -h and --help on every command, and 'lote help COMMAND'
    scope = CommandLine.ScopeType.INHERIT,
    description = {
      "Lote command-line tool.",
      "The Batch commands take --endpoint, --account and --key (else LOTE_ENDPOINT or http://127.0.0.1:$LOTE_PORT,"
          + " LOTE_ACCOUNT, LOTE_KEY, else the local stack's development account) and --output table|json.",
      "Exit status: 0 done, 1 an error (a Batch error prints its code and message), 2 a usage error;"
          + " watch: 3 when a task failed."
    },
    subcommands = {
      PoolCommands.Pool.class,
      PoolCommands.Node.class,
      JobCommands.Job.class,
      TaskCommands.Task.class,
      TaskCommands.File.class,
      AccountCommand.Account.class,
      AppCommands.App.class,
      SubmitCommand.class,
      WatchCommand.class,
      DbCommand.class,
      WaitCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      AutoscaleCommand.class,
      SpawnFloorCommand.class,
      TestModeCommand.class,
      CommandLine.HelpCommand.class
    })
public final class LoteCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** The command line as main runs it: Batch errors to exit status 1, usage errors 2. */
  static CommandLine commandLine() {
    return new CommandLine(new LoteCli())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(new BatchErrors());
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
