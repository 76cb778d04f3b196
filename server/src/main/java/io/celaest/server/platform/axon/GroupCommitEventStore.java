package io.celaest.server.platform.axon;

import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;

import java.util.List;

/**
 * Axon's embedded event store, woken once per command batch instead of once per command. Axon wakes the thread
 * that reads the new events for the projections when a command's unit of work commits; under
 * {@link GroupCommitCommandBus} that is before the batch's PostgreSQL commit, so the reader queried for events it
 * could not see yet (and for the gaps they left) about once per command. Inside a batch the wake-up waits for
 * the batch's commit, and a batch that rolls back wakes nobody.
 */
public class GroupCommitEventStore extends EmbeddedEventStore implements GroupCommitCommandBus.BatchListener {

    /** Per command worker: whether the running batch published events. */
    private final ThreadLocal<boolean[]> batch = new ThreadLocal<>();

    public GroupCommitEventStore(Builder builder) {
        super(builder);
    }

    @Override
    protected void afterCommit(List<? extends EventMessage<?>> events) {
        boolean[] published = batch.get();
        if (published != null) {
            published[0] = true;
            return;
        }
        super.afterCommit(events);
    }

    @Override
    public void batchStarting() {
        batch.set(new boolean[1]);
    }

    @Override
    public void batchEnded(boolean committed) {
        boolean[] published = batch.get();
        batch.remove();
        if (committed && published != null && published[0]) {
            super.afterCommit(List.of());
        }
    }
}
