package io.celaest.server.system;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * NodeStarted (and MigrationsApplied, when this start migrated the schema) once the node serves requests;
 * NodeStopping when its context closes. Both only queue an event ({@link SystemEvents}): stopping never waits on
 * the database beyond the few seconds {@link SystemEvents#stop()} allows.
 */
@Component
public class NodeLifecycleEvents {

    private final SystemEvents events;
    private final MigrationRecorder migrations;
    private final ApplicationContext context;

    public NodeLifecycleEvents(SystemEvents events, MigrationRecorder migrations, ApplicationContext context) {
        this.events = events;
        this.migrations = migrations;
        this.context = context;
    }

    @EventListener
    void ready(ApplicationReadyEvent ready) {
        if (ready.getApplicationContext() != context) {
            return;
        }
        MigrationRecorder.Applied applied = migrations.applied();
        if (applied != null) {
            events.migrationsApplied(applied.fromVersion(), applied.toVersion(), applied.count());
        }
        events.nodeStarted();
    }

    @EventListener
    void closing(ContextClosedEvent closed) {
        if (closed.getApplicationContext() == context) {
            events.nodeStopping();
        }
    }
}
