package dev.lote.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** The demo and the benchmark take the endpoint, account and key of any Lote, with the local stack's as defaults. */
class BatchCommandOptionsTest {

  @Test
  void demoTakesEndpointAccountAndKey() {
    DemoCommand demo = parse("demo", "--endpoint", "http://batch.example:9000", "--account", "acme", "--key", "a2V5", "--tasks", "7");
    assertThat(demo.session.endpoint).isEqualTo("http://batch.example:9000");
    assertThat(demo.session.account).isEqualTo("acme");
    assertThat(demo.session.key).isEqualTo("a2V5");
    assertThat(demo.tasks).isEqualTo(7);
  }

  @Test
  void benchTakesEndpointAccountAndKey() {
    BenchCommand bench = parse("bench", "--endpoint", "http://10.0.0.5:8080", "--account", "acme", "--key", "a2V5", "--tasks", "200");
    assertThat(bench.session.endpoint).isEqualTo("http://10.0.0.5:8080");
    assertThat(bench.session.account).isEqualTo("acme");
    assertThat(bench.session.key).isEqualTo("a2V5");
    assertThat(bench.tasks).isEqualTo(200);
  }

  @Test
  void withoutThemBothUseTheLocalStack() {
    for (String name : new String[] {"demo", "bench"}) {
      BatchSession s = name.equals("demo") ? this.<DemoCommand>parse(name).session : this.<BenchCommand>parse(name).session;
      assertThat(s.endpoint).isEqualTo("http://127.0.0.1:8080");
      assertThat(s.account).isEqualTo("lote");
      assertThat(s.key).isEqualTo(BatchSession.DEV_KEY);
    }
  }

  @Test
  void theDemoNoLongerTakesADirectoryOnThisMachine() {
    CommandLine cli = new CommandLine(new LoteCli());
    assertThat(cli.getSubcommands().get("demo").getCommandSpec().findOption("--out-dir")).isNull();
  }

  @SuppressWarnings("unchecked")
  private <T> T parse(String... args) {
    CommandLine.ParseResult r = new CommandLine(new LoteCli()).parseArgs(args);
    return (T) r.subcommand().commandSpec().userObject();
  }
}
