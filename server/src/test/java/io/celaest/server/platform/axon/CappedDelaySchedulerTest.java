package io.celaest.server.platform.axon;

import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventhandling.EventMessageHandler;
import org.axonframework.eventhandling.SimpleEventHandlerInvoker;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.pooled.PooledStreamingEventProcessor;
import org.axonframework.eventhandling.tokenstore.inmemory.InMemoryTokenStore;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A pooled processor whose token store was unreachable for a while recovers within the cap once it is back, not
 * after Axon's own back-off (1 s, 2 s, 4 s, ... up to 60 s), which kept readiness 503 for up to a minute.
 */
class CappedDelaySchedulerTest {

    /** A token store that fails like the database while {@code down}. */
    static final class FlakyTokenStore extends InMemoryTokenStore {
        volatile boolean down;

        private void check() {
            if (down) {
                throw new IllegalStateException("token store unreachable");
            }
        }

        @Override
        public void storeToken(TrackingToken token, String processorName, int segment) {
            check();
            super.storeToken(token, processorName, segment);
        }

        @Override
        public TrackingToken fetchToken(String processorName, int segment) {
            check();
            return super.fetchToken(processorName, segment);
        }

        @Override
        public void extendClaim(String processorName, int segment) {
            check();
            super.extendClaim(processorName, segment);
        }

        @Override
        public void releaseClaim(String processorName, int segment) {
            check();
            super.releaseClaim(processorName, segment);
        }

        @Override
        public int[] fetchSegments(String processorName) {
            check();
            return super.fetchSegments(processorName);
        }
    }

    @Test
    void schedulesNothingLaterThanTheCap() throws Exception {
        CappedDelayScheduler scheduler = new CappedDelayScheduler("capped", Duration.ofMillis(200));
        try {
            long start = System.nanoTime();
            scheduler.schedule(() -> { }, 60, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void aProcessorRecoversWithinTheCapOnceItsTokenStoreIsBack() throws Exception {
        FlakyTokenStore tokens = new FlakyTokenStore();
        EmbeddedEventStore events = EmbeddedEventStore.builder().storageEngine(new InMemoryEventStorageEngine()).build();
        ScheduledExecutorService workers = Executors.newSingleThreadScheduledExecutor();
        CappedDelayScheduler coordinator = new CappedDelayScheduler("Coordinator[flaky]", Duration.ofSeconds(1));
        PooledStreamingEventProcessor processor = PooledStreamingEventProcessor.builder()
                .name("flaky")
                .eventHandlerInvoker(SimpleEventHandlerInvoker.builder()
                        .eventHandlers((EventMessageHandler) event -> null).build())
                .messageSource(events)
                .tokenStore(tokens)
                .transactionManager(NoTransactionManager.INSTANCE)
                .coordinatorExecutor(coordinator)
                .workerExecutor(workers)
                .initialSegmentCount(1)
                .tokenClaimInterval(200)
                .build();
        try {
            processor.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> processor.processingStatus().size() == 1);

            tokens.down = true;
            // Axon's back-off after failures at about 0.2 s, 1.2 s and 3.2 s: its next try would be near 7 s.
            Thread.sleep(4_000);
            assertThat(processor.isError()).isTrue();

            tokens.down = false;
            await().atMost(Duration.ofMillis(2_500)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !processor.isError() && processor.processingStatus().size() == 1);
        } finally {
            tokens.down = false;
            processor.shutDown();
            coordinator.shutdownNow();
            workers.shutdownNow();
            events.shutDown();
        }
    }
}
