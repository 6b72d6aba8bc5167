package dev.lote.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lote-cli}: the tool behind {@code ./lote}. */
@Command(
    name = "lote-cli",
    mixinStandardHelpOptions = true,
    description = "Lote command-line tool.",
    subcommands = {DbCommand.class, WaitCommand.class, DemoCommand.class, BenchCommand.class, AutoscaleCommand.class, SpawnFloorCommand.class, TestModeCommand.class})
public final class LoteCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new LoteCli()).execute(args));
  }
}
