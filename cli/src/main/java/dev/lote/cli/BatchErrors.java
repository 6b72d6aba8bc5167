package dev.lote.cli;

import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.UnknownHostException;

import com.microsoft.azure.batch.protocol.models.BatchError;
import com.microsoft.azure.batch.protocol.models.BatchErrorDetail;
import com.microsoft.azure.batch.protocol.models.BatchErrorException;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * How a failed call reads on the command line: the Batch error's HTTP status, code, message and
 * details, else the cause (an endpoint that does not answer, say). Exit status 1; usage errors
 * stay picocli's 2.
 */
final class BatchErrors implements IExecutionExceptionHandler {

  static final int FAILED = 1;

  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    err.println("lote: " + describe(e));
    if (e instanceof BatchErrorException b && b.body() != null && b.body().values() != null) {
      for (BatchErrorDetail d : b.body().values()) {
        err.println("  " + d.key() + ": " + d.value());
      }
    }
    err.flush();
    return FAILED;
  }

  static String describe(Throwable e) {
    if (e instanceof BatchErrorException b) {
      String status = b.response() == null ? "" : b.response().code() + " ";
      return b.body() == null ? status + b.getMessage() : status + describe(b.body());
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      if (root instanceof ConnectException || root instanceof UnknownHostException) {
        break;
      }
      root = root.getCause();
    }
    if (root instanceof ConnectException || root instanceof UnknownHostException) {
      return "cannot reach the Batch endpoint: " + root.getMessage();
    }
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }

  static String describe(BatchError error) {
    return error.code() + ": " + (error.message() == null ? "" : error.message().value());
  }

  BatchErrors() {}
}
