package io.celaest.api.system;

/** A server node began shutting down (best effort: a node that crashes never says so). */
public record NodeStopping(String nodeId) {
}
