package dev.lote.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.microsoft.azure.batch.protocol.models.TaskAddParameter;
import com.microsoft.azure.batch.protocol.models.TaskState;
import com.sun.net.httpserver.HttpServer;

import picocli.CommandLine;

/** Arguments, defaults and exit statuses of the Batch commands; errors from a real HTTP server. */
class BatchCommandsTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private HttpServer server;

  @AfterEach
  void stop() {
    System.clearProperty("LOTE_ENDPOINT");
    System.clearProperty("LOTE_PORT");
    System.clearProperty("LOTE_OUTPUT");
    if (server != null) {
      server.stop(0);
    }
  }

  private int run(String... args) {
    return LoteCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
  }

  @SuppressWarnings("unchecked")
  private static <T> T parse(String... args) {
    CommandLine.ParseResult r = LoteCli.commandLine().parseArgs(args);
    while (r.hasSubcommand()) {
      r = r.subcommand();
    }
    return (T) r.commandSpec().userObject();
  }

  @Test
  void theEndpointComesFromTheOptionElseLoteEndpointElseLotePort() {
    assertThat(this.<PoolCommands.PoolList>parse("pool", "list").session.endpoint).isEqualTo("http://127.0.0.1:8080");
    System.setProperty("LOTE_PORT", "48080");
    assertThat(this.<PoolCommands.PoolList>parse("pool", "list").session.endpoint).isEqualTo("http://127.0.0.1:48080");
    System.setProperty("LOTE_ENDPOINT", "http://batch.example:9000");
    assertThat(this.<PoolCommands.PoolList>parse("pool", "list").session.endpoint).isEqualTo("http://batch.example:9000");
    assertThat(this.<PoolCommands.PoolList>parse("pool", "list", "--endpoint", "http://10.0.0.5:8080").session.endpoint)
        .isEqualTo("http://10.0.0.5:8080");
  }

  @Test
  void theAccountAndKeyDefaultToTheDevelopmentAccount() {
    JobCommands.JobList list = parse("job", "list");
    assertThat(list.session.account).isEqualTo("lote");
    assertThat(list.session.key).isEqualTo(BatchSession.DEV_KEY);
    JobCommands.JobList other = parse("job", "list", "--account", "acme", "--key", "a2V5");
    assertThat(other.session.account).isEqualTo("acme");
    assertThat(other.session.key).isEqualTo("a2V5");
  }

  @Test
  void outputIsTableUnlessJsonIsAskedForInAnyCase() {
    assertThat(this.<JobCommands.JobList>parse("job", "list").format).isEqualTo(Output.Format.TABLE);
    assertThat(this.<JobCommands.JobList>parse("job", "list", "--output", "JSON").format).isEqualTo(Output.Format.JSON);
    System.setProperty("LOTE_OUTPUT", "json");
    assertThat(this.<JobCommands.JobList>parse("job", "list").format).isEqualTo(Output.Format.JSON);
  }

  @Test
  void usageErrorsExitWith2() {
    assertThat(run("pool", "list", "--output", "xml")).isEqualTo(2);
    assertThat(err.toString()).contains("--output");
    assertThat(run("task", "show", "job-only")).isEqualTo(2);
    assertThat(run("task", "list", "j", "--state", "sleeping")).isEqualTo(2);
    assertThat(run("pool", "create", "--nodes", "2")).isEqualTo(2);
    assertThat(run("submit", "j")).isEqualTo(2);
    assertThat(run("submit", "j", "--file", "tasks.json", "--", "/bin/true")).isEqualTo(2);
  }

  @Test
  void everyCommandHasHelpAndAGroupWithoutACommandShowsItsUsage() {
    assertThat(run("help", "pool")).isZero();
    assertThat(out.toString()).contains("Usage: lote pool").contains("resize");
    assertThat(run("task", "logs", "--help")).isZero();
    assertThat(out.toString()).contains("Usage: lote task logs").contains("--follow");
    assertThat(run("job")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required subcommand");
  }

  @Test
  void taskStatesAreTakenInAnyCase() {
    assertThat(this.<TaskCommands.TaskList>parse("task", "list", "j", "--state", "Running").state).isEqualTo(TaskState.RUNNING);
  }

  @Test
  void theWordsAfterTheDoubleDashAreTheCommandLine() {
    SubmitCommand submit = parse("submit", "j", "--pool", "p", "--count", "3", "--", "/bin/sh", "-c", "echo $AZ_BATCH_TASK_ID; exit 0");
    assertThat(submit.job).isEqualTo("j");
    assertThat(submit.pool).isEqualTo("p");
    assertThat(submit.count).isEqualTo(3);
    assertThat(submit.command).containsExactly("/bin/sh", "-c", "echo $AZ_BATCH_TASK_ID; exit 0");
  }

  @Test
  void aCommandLineQuotesOnlyTheWordsThatNeedIt() {
    assertThat(SubmitCommand.commandLine(List.of("/bin/sh", "-c", "echo $AZ_BATCH_TASK_ID; exit 0")))
        .isEqualTo("/bin/sh -c 'echo $AZ_BATCH_TASK_ID; exit 0'");
    assertThat(SubmitCommand.commandLine(List.of("printf", "it's %s\\n", "a=b,c:d/e.f"))).isEqualTo("printf 'it'\\''s %s\\n' a=b,c:d/e.f");
    assertThat(SubmitCommand.commandLine(List.of("echo", ""))).isEqualTo("echo ''");
  }

  @Test
  void aTaskFileIsOneTaskAListOrATaskCollection() throws Exception {
    String one = "{\"id\": \"t1\", \"commandLine\": \"/bin/true\", \"constraints\": {\"maxTaskRetryCount\": 2},"
        + " \"environmentSettings\": [{\"name\": \"A\", \"value\": \"1\"}]}";
    List<TaskAddParameter> single = SubmitCommand.parseTasks(one);
    assertThat(single).singleElement().satisfies(t -> {
      assertThat(t.id()).isEqualTo("t1");
      assertThat(t.commandLine()).isEqualTo("/bin/true");
      assertThat(t.constraints().maxTaskRetryCount()).isEqualTo(2);
      assertThat(t.environmentSettings().get(0).name()).isEqualTo("A");
    });
    assertThat(SubmitCommand.parseTasks("[" + one + ", {\"id\": \"t2\", \"commandLine\": \"/bin/false\"}]"))
        .extracting(TaskAddParameter::id)
        .containsExactly("t1", "t2");
    assertThat(SubmitCommand.parseTasks("{\"value\": [" + one + "]}")).extracting(TaskAddParameter::id).containsExactly("t1");
  }

  @Test
  void aTaskFileWithoutIdsOrCommandLinesOrTasksIsRefused() {
    assertThatThrownBy(() -> SubmitCommand.parseTasks("{\"id\": \"t1\"}")).hasMessageContaining("commandLine");
    assertThatThrownBy(() -> SubmitCommand.parseTasks("[]")).hasMessageContaining("no tasks");
    assertThatThrownBy(() -> SubmitCommand.parseTasks("[1]")).hasMessageContaining("JSON object");
  }

  @Test
  void aBatchErrorPrintsItsStatusCodeMessageAndDetailsAndExitsWith1() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = ("{\"odata.metadata\":\"x\",\"code\":\"AuthenticationFailed\",\"message\":{\"lang\":\"en-US\","
          + "\"value\":\"Server failed to authenticate the request.\"},\"values\":[{\"key\":\"AuthenticationErrorDetail\","
          + "\"value\":\"The MAC signature found in the HTTP request is not the same as any computed signature.\"}]}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json;odata=minimalmetadata");
      exchange.sendResponseHeaders(403, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    int exit = run("pool", "list", "--endpoint", "http://127.0.0.1:" + server.getAddress().getPort(), "--key", "a2V5");
    assertThat(exit).isEqualTo(1);
    assertThat(err.toString())
        .contains("lote: 403 AuthenticationFailed: Server failed to authenticate the request.")
        .contains("  AuthenticationErrorDetail: The MAC signature");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void anEndpointThatDoesNotAnswerIsSaidInOneLine() {
    int exit = run("job", "list", "--endpoint", "http://127.0.0.1:1");
    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).startsWith("lote: cannot reach the Batch endpoint").doesNotContain("\tat ");
  }
}
