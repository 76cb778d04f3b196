package io.celaest.api.system;

/**
 * A server node finished starting and serves requests. Published outside any aggregate stream, like every
 * system event, with {@code actorKind=system} in its metadata. {@code nodeId} names the process (host and a
 * random suffix unless configured), {@code version} the build.
 */
public record NodeStarted(String nodeId, String version, String host) {
}
