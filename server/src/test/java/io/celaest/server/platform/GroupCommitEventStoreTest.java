package io.celaest.server.platform;

import io.celaest.server.platform.axon.GroupCommitEventStore;
import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The projections' event reader is woken by commits only (its own poll is set to a minute here): a command's
 * events inside a group-commit batch wake it once the batch has committed, never before, and a batch that
 * rolled back wakes nobody. Axon's in-memory storage engine stands in for PostgreSQL: what is tested is when the
 * reader is told, not the storage.
 */
class GroupCommitEventStoreTest {

    private final GroupCommitEventStore store = new GroupCommitEventStore(EmbeddedEventStore.builder()
            .storageEngine(new InMemoryEventStorageEngine())
            .fetchDelay(60_000));

    @AfterEach
    void shutDown() {
        store.shutDown();
    }

    @Test
    void a_batchs_events_reach_the_readers_once_the_batch_has_committed() throws InterruptedException {
        BlockingStream<TrackedEventMessage<?>> stream = caughtUpStream();

        store.batchStarting();
        publishInUnitOfWork("first command");
        publishInUnitOfWork("second command");
        assertThat(stream.hasNextAvailable(300, TimeUnit.MILLISECONDS))
                .as("the reader is not woken before the batch's commit")
                .isFalse();
        store.batchEnded(true);
        assertThat(stream.hasNextAvailable(5, TimeUnit.SECONDS)).isTrue();
        assertThat(stream.nextAvailable().getPayload()).isEqualTo("first command");
        assertThat(stream.nextAvailable().getPayload()).isEqualTo("second command");
        stream.close();
    }

    @Test
    void a_batch_that_rolled_back_wakes_nobody() throws InterruptedException {
        BlockingStream<TrackedEventMessage<?>> stream = caughtUpStream();

        store.batchStarting();
        publishInUnitOfWork("rolled back with its batch");
        store.batchEnded(false);
        assertThat(stream.hasNextAvailable(500, TimeUnit.MILLISECONDS)).isFalse();

        publishInUnitOfWork("next, outside a batch");           // commits outside batches still wake it at once
        assertThat(stream.hasNextAvailable(5, TimeUnit.SECONDS)).isTrue();
        stream.close();
    }

    /**
     * A stream that has read an event committed outside any batch (which woke the reader at once) and found
     * nothing more: it now tails the store's shared reader instead of reading storage itself.
     */
    private BlockingStream<TrackedEventMessage<?>> caughtUpStream() throws InterruptedException {
        BlockingStream<TrackedEventMessage<?>> stream = store.openStream(null);
        publishInUnitOfWork("outside a batch");
        assertThat(stream.hasNextAvailable(5, TimeUnit.SECONDS)).isTrue();
        assertThat(stream.nextAvailable().getPayload()).isEqualTo("outside a batch");
        assertThat(stream.hasNextAvailable(300, TimeUnit.MILLISECONDS)).isFalse();
        return stream;
    }

    private void publishInUnitOfWork(String payload) {
        DefaultUnitOfWork.startAndGet(null).execute(() -> store.publish(GenericEventMessage.asEventMessage(payload)));
    }
}
