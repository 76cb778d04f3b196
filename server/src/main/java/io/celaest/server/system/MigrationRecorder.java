package io.celaest.server.system;

import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.output.MigrateResult;
import org.springframework.stereotype.Component;

/**
 * A Flyway callback (Spring Boot hands every {@link Callback} bean to its Flyway) remembering what the migration
 * run of this start did. Flyway runs before Axon exists, so the event ({@code MigrationsApplied}) is published
 * later, once the node is ready ({@link NodeLifecycleEvents}).
 */
@Component
public class MigrationRecorder implements Callback {

    /** The schema moved from {@code fromVersion} (null on an empty database) to {@code toVersion}. */
    public record Applied(String fromVersion, String toVersion, int count) {
    }

    private volatile Applied applied;

    /** What this start's migration run applied; null when it applied nothing (or Flyway did not run). */
    public Applied applied() {
        return applied;
    }

    @Override
    public boolean supports(Event event, Context context) {
        return event == Event.AFTER_MIGRATE_OPERATION_FINISH;
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
        return true;
    }

    @Override
    public void handle(Event event, Context context) {
        if (context.getOperationResult() instanceof MigrateResult result && result.success
                && result.migrationsExecuted > 0) {
            applied = new Applied(result.initialSchemaVersion, result.targetSchemaVersion, result.migrationsExecuted);
        }
    }

    @Override
    public String getCallbackName() {
        return "celaest-migrations-applied";
    }
}
