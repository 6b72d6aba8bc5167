package dev.lote.cli;

import java.util.List;

import com.microsoft.azure.batch.protocol.models.CloudJob;
import com.microsoft.azure.batch.protocol.models.JobAddParameter;
import com.microsoft.azure.batch.protocol.models.PoolInformation;

import dev.lote.cli.Output.Column;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lote job ...}. */
final class JobCommands {

  static final List<Column<CloudJob>> JOB_COLUMNS =
      List.of(
          new Column<>("ID", CloudJob::id),
          new Column<>("STATE", CloudJob::state),
          new Column<>("POOL", j -> j.poolInfo() == null ? "" : j.poolInfo().poolId()),
          new Column<>("PRIORITY", CloudJob::priority),
          new Column<>("CREATED", CloudJob::creationTime));

  @Command(
      name = "job",
      description = "Jobs.",
      subcommands = {JobList.class, JobShow.class, JobCreate.class, JobTerminate.class, JobDelete.class})
  static final class Job {}

  @Command(name = "list", description = "List the account's jobs.")
  static final class JobList extends BatchCommand {
    @Override
    Integer run(Output out) throws Exception {
      out.list(client().jobOperations().listJobs(), JOB_COLUMNS);
      return 0;
    }
  }

  @Command(name = "show", description = "Show a job.")
  static final class JobShow extends BatchCommand {
    @Parameters(paramLabel = "JOB")
    String job;

    @Override
    Integer run(Output out) throws Exception {
      out.object(client().jobOperations().getJob(job));
      return 0;
    }
  }

  @Command(name = "create", description = "Create a job on a pool.")
  static final class JobCreate extends BatchCommand {
    @Parameters(paramLabel = "JOB")
    String job;

    @Option(names = "--pool", required = true, description = "the pool its tasks run on")
    String pool;

    @Option(names = "--priority", description = "-1000 to 1000 (default 0)")
    Integer priority;

    @Override
    Integer run(Output out) throws Exception {
      client().jobOperations().createJob(add(job, pool).withPriority(priority));
      out.message("job " + job + " created on pool " + pool);
      if (out.json()) {
        out.object(client().jobOperations().getJob(job));
      }
      return 0;
    }
  }

  @Command(name = "terminate", description = "Terminate a job: its running tasks are stopped, no more run.")
  static final class JobTerminate extends BatchCommand {
    @Parameters(paramLabel = "JOB")
    String job;

    @Option(names = "--reason", defaultValue = "UserTerminate", description = "the job's terminateReason (default: ${DEFAULT-VALUE})")
    String reason;

    @Override
    Integer run(Output out) throws Exception {
      // azure-batch 11.2.0 fails before sending anything when the reason is null: there is always one
      client().jobOperations().terminateJob(job, reason);
      out.message("job " + job + " terminating");
      if (out.json()) {
        out.object(client().jobOperations().getJob(job));
      }
      return 0;
    }
  }

  @Command(name = "delete", description = "Delete a job and its tasks.")
  static final class JobDelete extends BatchCommand {
    @Parameters(paramLabel = "JOB")
    String job;

    @Override
    Integer run(Output out) throws Exception {
      client().jobOperations().deleteJob(job);
      out.message("job " + job + " deleting");
      return 0;
    }
  }

  static JobAddParameter add(String job, String pool) {
    return new JobAddParameter().withId(job).withPoolInfo(new PoolInformation().withPoolId(pool));
  }

  private JobCommands() {}
}
