package dev.lote.job.api;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.lote.common.ids.AffinityIds;
import dev.lote.job.domain.FailureInfo;
import dev.lote.job.domain.Subtask;
import dev.lote.job.domain.Task;
import dev.lote.support.web.BatchRequest;

/**
 * Batch {@code SubtaskInformation}: a subtask of a multi-instance task, with the node it ran on.
 * Its directory on that node is the task's ({@code workitems/<job>/job-1/<task>}), as every
 * instance has the same task directory on its own node.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record SubtaskBody(
    int id,
    TaskBody.NodeInfo nodeInfo,
    Instant startTime,
    Instant endTime,
    Integer exitCode,
    FailureInfo failureInfo,
    String state,
    Instant stateTransitionTime,
    String previousState,
    Instant previousStateTransitionTime,
    String result) {

  static SubtaskBody of(Subtask s, Task task, BatchRequest br) {
    TaskBody.NodeInfo node = null;
    if (s.nodeId() != null) {
      String nodeUrl = br.url("/pools/" + s.poolId() + "/nodes/" + s.nodeId());
      String root = "workitems/" + task.jobId() + "/job-1/" + task.id();
      node = new TaskBody.NodeInfo(AffinityIds.of(s.nodeId()), nodeUrl, s.poolId(), s.nodeId(), root, nodeUrl + "/files/" + root);
    }
    FailureInfo failure = s.failureCode() == null ? null : new FailureInfo(s.failureCategory(), s.failureCode(), s.failureMessage());
    return new SubtaskBody(
        s.id(), node, s.startTime(), s.endTime(), s.exitCode(), failure, s.state(), s.stateTime(), s.previousState(), s.previousStateTime(),
        s.result());
  }
}
