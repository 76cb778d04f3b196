package io.celaest.projections.platform;

import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Writes a projection defers to the end of a processor batch: state collected in the batch's root unit of work and
 * handed to {@code write} just before the batch's transaction commits, or earlier through {@link #flush} when a
 * handler's next statement must see it. {@code write} leaves the state empty, so nothing is written twice.
 */
public final class BatchScoped<S> {

    private final Supplier<S> empty;
    private final Consumer<S> write;
    private final String resourceKey;

    public BatchScoped(Supplier<S> empty, Consumer<S> write) {
        this.empty = empty;
        this.write = write;
        this.resourceKey = BatchScoped.class.getName() + "." + System.identityHashCode(this);
    }

    /** The current batch's state, created with its write on first use; null outside a unit of work. */
    public S current() {
        if (!CurrentUnitOfWork.isStarted()) {
            return null;
        }
        UnitOfWork<?> batch = CurrentUnitOfWork.get().root();
        return batch.getOrComputeResource(resourceKey, key -> {
            S state = empty.get();
            batch.onPrepareCommit(u -> write.accept(state));
            return state;
        });
    }

    /** Writes what the current batch collected so far. */
    public void flush() {
        if (CurrentUnitOfWork.isStarted()) {
            S state = CurrentUnitOfWork.get().root().getResource(resourceKey);
            if (state != null) {
                write.accept(state);
            }
        }
    }
}
