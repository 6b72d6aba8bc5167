package dev.lote.agent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Accepted attempts in arrival order, started while the node has free slots: never more slots in
 * use than the node has, except that an attempt needing more than the whole node runs alone. Not
 * thread-safe: the {@link TaskRunner} holds its lock around every call.
 */
final class SlotQueue {

  private final int capacity;
  private final Deque<Attempt> waiting = new ArrayDeque<>();
  private int usedSlots;
  private int holders;

  SlotQueue(int capacity) {
    this.capacity = capacity;
  }

  void add(Attempt a) {
    waiting.add(a);
  }

  boolean remove(Attempt a) {
    return waiting.remove(a);
  }

  /** The next waiting attempt if its slots are free, its slots then held; null otherwise. */
  Attempt next() {
    Attempt head = waiting.peek();
    if (head == null || (usedSlots > 0 && usedSlots + head.slots() > capacity)) {
      return null;
    }
    waiting.poll();
    usedSlots += head.slots();
    holders++;
    return head;
  }

  /** Gives back the slots an attempt held. */
  void release(Attempt a) {
    usedSlots -= a.slots();
    holders--;
  }

  /** Removes and returns every waiting attempt. */
  List<Attempt> takeWaiting() {
    List<Attempt> all = new ArrayList<>(waiting);
    waiting.clear();
    return all;
  }

  int usedSlots() {
    return usedSlots;
  }

  /** Attempts that hold slots. */
  int holders() {
    return holders;
  }

  int waiting() {
    return waiting.size();
  }
}
