package io.celaest.server.platform.axon;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.EventMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Appends events that belong to no aggregate (denied attempts, system events) without ever being in the
 * caller's way: callers offer to a bounded queue and return at once; one background thread appends what is
 * queued in batches. A full queue drops and counts ({@code <metrics>.dropped}); a failed append is logged and
 * counted ({@code <metrics>.append.errors}).
 */
public class BoundedEventPublisher {

    private static final Logger log = LoggerFactory.getLogger(BoundedEventPublisher.class);
    private static final int MAX_BATCH = 100;

    private final String name;
    private final String metrics;
    private final Supplier<EventBus> eventBus;
    private final BlockingQueue<EventMessage<?>> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile Thread worker;
    private volatile boolean running;

    /**
     * @param name     what is published, for the thread name and log lines (e.g. "system events")
     * @param metrics  prefix of the Micrometer counters (e.g. "celaest.system.events")
     * @param eventBus resolved lazily, on the worker thread
     */
    public BoundedEventPublisher(String name, String metrics, Supplier<EventBus> eventBus, int capacity) {
        this.name = name;
        this.metrics = metrics;
        this.eventBus = eventBus;
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    /** Queues the event; false (and counted) when the queue is full. */
    public boolean offer(EventMessage<?> event) {
        if (queue.offer(event)) {
            return true;
        }
        dropped.incrementAndGet();
        return false;
    }

    public long droppedCount() {
        return dropped.get();
    }

    public void start(MeterRegistry meters) {
        if (meters != null) {
            FunctionCounter.builder(metrics + ".dropped", dropped, AtomicLong::get)
                    .description(name + " not recorded because their queue was full").register(meters);
            FunctionCounter.builder(metrics + ".published", published, AtomicLong::get)
                    .description(name + " appended to the event log").register(meters);
            FunctionCounter.builder(metrics + ".append.errors", failed, AtomicLong::get)
                    .description(name + " lost because the event log append failed").register(meters);
        }
        running = true;
        Thread thread = new Thread(this::drain, "celaest-" + name.replace(' ', '-'));
        thread.setDaemon(true);
        worker = thread;
        thread.start();
    }

    /** Appends what is still queued, waiting at most {@code waitMillis}: never blocks shutdown longer. */
    public void stop(long waitMillis) {
        running = false;
        Thread thread = worker;
        if (thread != null) {
            try {
                thread.join(waitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public boolean isRunning() {
        return running;
    }

    private void drain() {
        List<EventMessage<?>> batch = new ArrayList<>(MAX_BATCH);
        while (running || !queue.isEmpty()) {
            try {
                EventMessage<?> first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                eventBus.get().publish(batch);
                published.addAndGet(batch.size());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                failed.addAndGet(batch.size());
                log.warn("Could not append {} {}", batch.size(), name, e);
            } finally {
                batch.clear();
            }
        }
    }
}
