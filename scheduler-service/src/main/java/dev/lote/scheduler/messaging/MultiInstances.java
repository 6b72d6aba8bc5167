package dev.lote.scheduler.messaging;

import java.net.URI;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.lote.common.events.TaskEvents.Host;
import dev.lote.common.events.TaskEvents.Subtask;
import dev.lote.scheduler.persistence.PlanApplier;

/**
 * The instances of the multi-instance attempts of one committed plan, as their nodes are told:
 * each instance's id, every instance's node (the primary first) and one secret per attempt, new
 * for every attempt, that only its instances' assignments carry.
 */
final class MultiInstances {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, List<Host>> hosts = new HashMap<>();
  private final Map<String, String> secrets = new HashMap<>();

  MultiInstances(List<PlanApplier.Placed> placed, PlanApplier applier) {
    List<PlanApplier.Placed> gangs = placed.stream().filter(p -> p.task().candidate().multiInstance()).toList();
    if (gangs.isEmpty()) {
      return;
    }
    Set<String> nodes = gangs.stream().map(PlanApplier.Placed::nodeId).collect(Collectors.toSet());
    Map<String, String> urls = applier.agentUrls(nodes);
    Map<String, Host[]> byTask = new HashMap<>();
    for (PlanApplier.Placed p : gangs) {
      Host[] slots = byTask.computeIfAbsent(ref(p), k -> new Host[Math.max(1, p.task().candidate().instances())]);
      String url = urls.get(p.nodeId());
      slots[p.instance()] = new Host(p.nodeId(), ip(url), url);
    }
    byTask.forEach((task, list) -> {
      hosts.put(task, new ArrayList<>(List.of(list)));
      byte[] secret = new byte[32];
      RANDOM.nextBytes(secret);
      secrets.put(task, HexFormat.of().formatHex(secret));
    });
  }

  /** The instance the placement is, or null for a task of one node. */
  Subtask subtask(PlanApplier.Placed p) {
    List<Host> list = hosts.get(ref(p));
    return list == null ? null : new Subtask(p.instance(), list, secrets.get(ref(p)));
  }

  private static String ref(PlanApplier.Placed p) {
    return p.task().candidate().jobKey() + "/" + p.task().candidate().taskKey() + "/" + p.task().candidate().attempt();
  }

  /** The address of the node its agent answers at; null when unknown. */
  static String ip(String agentUrl) {
    if (agentUrl == null) {
      return null;
    }
    try {
      return URI.create(agentUrl).getHost();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
