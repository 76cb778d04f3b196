package io.celaest.server.platform.axon;

import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.CommandCallback;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.CommandResultMessage;
import org.axonframework.commandhandling.GenericCommandResultMessage;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.common.Registration;
import org.axonframework.messaging.MessageDispatchInterceptor;
import org.axonframework.messaging.MessageHandler;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Group commit for commands. Each command still runs in its own unit of work, inside a savepoint of its own
 * (so a rejected command or a failed unique insert undoes only itself), but the commands that arrive while a
 * batch is being written share one durable PostgreSQL commit. A caller hears back only after that commit,
 * so a success is as durable as with one transaction per command; under load one fsync serves many
 * commands instead of one. A lone command is never delayed: the batch is whatever is waiting.
 * <p>
 * Commands are partitioned by target aggregate, so one aggregate is never in two uncommitted batches.
 * A command dispatched from inside a handler runs inline in the current batch.
 */
public class GroupCommitCommandBus implements CommandBus {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitCommandBus.class);

    /** Told around each batch, on its worker thread; {@code committed} says whether its commit succeeded. */
    public interface BatchListener {
        void batchStarting();

        void batchEnded(boolean committed);
    }

    private record Pending(CommandMessage<?> command, CommandCallback<Object, Object> callback) {
    }

    private record Done(Pending pending, CommandResultMessage<?> result) {
    }

    private final SimpleCommandBus delegate;
    private final DataSource dataSource;
    private final TransactionTemplate batchTransaction;
    private final Runnable onBatchFailure;
    private final BatchListener listener;
    private final int maxBatch;
    private final List<MessageDispatchInterceptor<? super CommandMessage<?>>> dispatchInterceptors =
            new CopyOnWriteArrayList<>();
    private final CachedCommandTargetResolver targets = new CachedCommandTargetResolver();
    private final List<BlockingQueue<Pending>> queues = new ArrayList<>();
    private final List<Thread> workers = new ArrayList<>();
    private final ThreadLocal<Boolean> inWorker = ThreadLocal.withInitial(() -> false);
    private volatile boolean running = true;

    /**
     * @param delegate         handles each command; its transaction manager must join the surrounding
     *                         Spring transaction (PROPAGATION_REQUIRED), which is the batch's
     * @param onBatchFailure   runs when a batch's commit fails (e.g. clear aggregate caches that saw its events)
     * @param listener         told when each batch starts and ends
     */
    public GroupCommitCommandBus(SimpleCommandBus delegate, PlatformTransactionManager transactions,
                                 DataSource dataSource, int workers, int maxBatch, Runnable onBatchFailure,
                                 BatchListener listener) {
        this.delegate = delegate;
        this.dataSource = dataSource;
        this.batchTransaction = new TransactionTemplate(transactions);
        this.maxBatch = maxBatch;
        this.onBatchFailure = onBatchFailure;
        this.listener = listener;
        for (int i = 0; i < workers; i++) {
            BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(4096);
            queues.add(queue);
            Thread worker = new Thread(() -> work(queue), "command-group-commit-" + i);
            worker.setDaemon(true);
            this.workers.add(worker);
            worker.start();
        }
    }

    @Override
    public <C> void dispatch(CommandMessage<C> command) {
        dispatch(command, (CommandCallback<C, Object>) (c, r) -> {
            if (r.isExceptional()) {
                log.warn("Command {} failed", c.getCommandName(), r.exceptionResult());
            }
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    public <C, R> void dispatch(CommandMessage<C> command, CommandCallback<? super C, ? super R> callback) {
        CommandMessage<?> intercepted = intercept(command);
        CommandCallback<Object, Object> untyped = (CommandCallback<Object, Object>) callback;
        if (inWorker.get()) {
            delegate.dispatch(intercepted, untyped);
            return;
        }
        if (!running) {
            untyped.onResult(intercepted, GenericCommandResultMessage.asCommandResultMessage(
                    new IllegalStateException("The command bus is shutting down")));
            return;
        }
        try {
            queues.get(partition(intercepted)).put(new Pending(intercepted, untyped));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            untyped.onResult(intercepted, GenericCommandResultMessage.asCommandResultMessage(e));
        }
    }

    private CommandMessage<?> intercept(CommandMessage<?> command) {
        CommandMessage<?> current = command;
        for (MessageDispatchInterceptor<? super CommandMessage<?>> interceptor : dispatchInterceptors) {
            current = (CommandMessage<?>) interceptor.handle(current);
        }
        return current;
    }

    private int partition(CommandMessage<?> command) {
        Object target = targets.targetOrNull(command);
        return Math.floorMod(String.valueOf(target == null ? command.getCommandName() : target).hashCode(),
                queues.size());
    }

    private void work(BlockingQueue<Pending> queue) {
        inWorker.set(true);
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                runBatch(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                log.error("Command batch worker failed", e);
            } finally {
                batch.clear();
            }
        }
    }

    private void runBatch(List<Pending> batch) {
        List<Done> done = new ArrayList<>(batch.size());
        boolean committed = false;
        listener.batchStarting();
        try {
            batchTransaction.executeWithoutResult(status -> {
                Connection connection = DataSourceUtils.getConnection(dataSource);
                for (Pending pending : batch) {
                    runInSavepoint(connection, pending, done);
                }
            });
            committed = true;
        } catch (RuntimeException e) {
            log.error("Commit of a batch of {} commands failed; all of them fail", batch.size(), e);
            onBatchFailure.run();
            for (Pending pending : batch) {
                pending.callback().onResult(pending.command(), GenericCommandResultMessage.asCommandResultMessage(e));
            }
            return;
        } finally {
            listener.batchEnded(committed);
        }
        for (Done d : done) {
            d.pending().callback().onResult(d.pending().command(), d.result());
        }
    }

    private void runInSavepoint(Connection connection, Pending pending, List<Done> done) {
        try {
            Savepoint savepoint = connection.setSavepoint();
            delegate.dispatch(pending.command(), (command, result) -> done.add(new Done(pending, result)));
            if (done.get(done.size() - 1).result().isExceptional()) {
                connection.rollback(savepoint);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Savepoint handling failed", e);
        }
    }

    public int workerCount() {
        return workers.size();
    }

    /** Lets queued commands finish, then stops the workers. */
    public void shutdown() {
        running = false;
        for (Thread worker : workers) {
            try {
                worker.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public Registration subscribe(String commandName, MessageHandler<? super CommandMessage<?>> handler) {
        return delegate.subscribe(commandName, handler);
    }

    @Override
    public Registration registerHandlerInterceptor(MessageHandlerInterceptor<? super CommandMessage<?>> interceptor) {
        return delegate.registerHandlerInterceptor(interceptor);
    }

    @Override
    public Registration registerDispatchInterceptor(MessageDispatchInterceptor<? super CommandMessage<?>> interceptor) {
        dispatchInterceptors.add(interceptor);
        return () -> dispatchInterceptors.remove(interceptor);
    }
}
