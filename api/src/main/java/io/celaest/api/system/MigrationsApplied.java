package io.celaest.api.system;

/**
 * This node's start applied {@code count} schema migrations, moving the schema from {@code fromVersion} (null on
 * an empty database) to {@code toVersion}.
 */
public record MigrationsApplied(String nodeId, String fromVersion, String toVersion, int count) {
}
