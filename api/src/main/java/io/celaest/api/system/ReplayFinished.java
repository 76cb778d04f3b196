package io.celaest.api.system;

/**
 * A replay started on this node caught up with the event log: the read model is rebuilt up to global index
 * {@code position} (null when the log is empty), {@code durationMillis} after it started.
 */
public record ReplayFinished(String processor, String nodeId, Long position, long durationMillis) {
}
