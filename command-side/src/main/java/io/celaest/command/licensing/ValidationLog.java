package io.celaest.command.licensing;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code license_validations}, written durably before each answer. Validations arriving together share one
 * transaction (group commit): the writer thread takes whatever is queued, up to {@code max-batch} rows, inserts them
 * as one batch and commits, then a releasing thread answers them while the writer goes on with the next batch.
 * Bindings' last use is refreshed in the same commit. One writer by default: on a loaded machine two writers made
 * smaller batches and twice the commits for no more throughput (docs/benchmarks.md, licensing). Meters
 * {@code celaest.license.validation.batch.*} tell where a validation's time goes.
 */
@Component
public class ValidationLog implements SmartLifecycle {

    /** One validation to record; {@code touchBinding} also refreshes that binding's last use. */
    record Entry(UUID id, UUID licenseId, UUID organizationId, Instant at, String ip, String fingerprint,
                 UUID productId, String code, boolean valid, UUID touchBinding) {
    }

    record Pending(Entry entry, CompletableFuture<Void> done, long queuedAt) {
    }

    private static final Logger log = LoggerFactory.getLogger(ValidationLog.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final BlockingQueue<Pending> queue;
    private final int writers;
    private final int maxBatch;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    private final Timer waited;
    private final Timer committed;
    private final Timer released;
    private ExecutorService releaser;
    private final DistributionSummary batchSizes;

    public ValidationLog(JdbcTemplate jdbc, PlatformTransactionManager transactions, MeterRegistry meters,
                         @Value("${celaest.licensing.validation-log.writers:1}") int writers,
                         @Value("${celaest.licensing.validation-log.max-batch:500}") int maxBatch,
                         @Value("${celaest.licensing.validation-log.max-queued:5000}") int maxQueued) {
        this.queue = new LinkedBlockingQueue<>(maxQueued);
        this.jdbc = jdbc;
        // where a validation's time goes between its decision and its answer
        this.waited = Timer.builder("celaest.license.validation.batch.wait").publishPercentiles(0.5, 0.99)
                .description("Time the oldest validation of a batch waited for a writer to take it").register(meters);
        this.committed = Timer.builder("celaest.license.validation.batch.commit").publishPercentiles(0.5, 0.99)
                .description("Time to insert and commit one batch of validations").register(meters);
        this.released = Timer.builder("celaest.license.validation.batch.release").publishPercentiles(0.5, 0.99)
                .description("Time from a batch's commit until its validations are answered").register(meters);
        this.batchSizes = DistributionSummary.builder("celaest.license.validation.batch.size")
                .publishPercentiles(0.5, 0.99).description("Validations per group commit").register(meters);
        this.transactions = new TransactionTemplate(transactions);
        this.writers = writers;
        this.maxBatch = maxBatch;
    }

    /**
     * Completes once the entry is committed; fails if it could not be, at once when the log is stopped or so far
     * behind that {@code max-queued} validations wait already (back-pressure: the caller answers 503 instead of
     * holding the request while the database is slow).
     */
    CompletableFuture<Void> record(Entry entry) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(new IllegalStateException("the validation log is stopped"));
        } else if (!queue.offer(new Pending(entry, done, System.nanoTime()))) {
            done.completeExceptionally(new IllegalStateException("the validation log is " + queue.size()
                    + " validations behind"));
        } else if (!running) {
            failQueued();                                     // stopped meanwhile: nobody may take it any more
        }
        return done;
    }

    /** Fails whatever no writer will take (after stop). */
    private void failQueued() {
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        IllegalStateException stopped = new IllegalStateException("the validation log is stopped");
        left.forEach(p -> p.done().completeExceptionally(stopped));
    }

    /**
     * Takes what is queued, writes and commits it, and hands the committed batch to the releasing thread: the
     * answers (one socket write each) go out while this thread already writes the next batch.
     */
    private void writeLoop() {
        while (running || !queue.isEmpty()) {
            List<Pending> batch = new ArrayList<>(64);
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                long taken = System.nanoTime();
                waited.record(taken - first.queuedAt(), TimeUnit.NANOSECONDS);
                batchSizes.record(batch.size());
                write(batch);
                long written = System.nanoTime();
                committed.record(written - taken, TimeUnit.NANOSECONDS);
                Runnable release = () -> {
                    batch.forEach(p -> p.done().complete(null));
                    released.record(System.nanoTime() - written, TimeUnit.NANOSECONDS);
                };
                try {
                    releaser.execute(release);
                } catch (RejectedExecutionException stopping) {
                    release.run();                              // committed: answered as committed, whatever happens
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable e) {                             // the only writer must not die of one batch
                log.error("Could not record {} license validations", batch.size(), e);
                batch.forEach(p -> p.done().completeExceptionally(e));
            }
        }
    }

    /**
     * Most batches only insert: they go as one JDBC batch in autocommit mode, which the driver sends with a single
     * Sync, so PostgreSQL runs the whole batch as one implicit transaction and commits it in the same round trip
     * (a BEGIN/COMMIT transaction costs a second round trip, and the writer and a PostgreSQL backend each wait
     * for a core once more per batch on a busy machine). A batch that refreshes bindings needs a savepoint and
     * takes an explicit transaction.
     */
    void write(List<Pending> batch) {
        List<Entry> touches = null;
        for (Pending p : batch) {
            if (p.entry().touchBinding() != null) {
                touches = touches == null ? new ArrayList<>() : touches;
                touches.add(p.entry());
            }
        }
        if (touches == null) {
            insert(batch);
            return;
        }
        List<Entry> toTouch = touches;
        transactions.executeWithoutResult(status -> {
            insert(batch);
            touch(toTouch, status);
        });
    }

    private void insert(List<Pending> batch) {
        jdbc.batchUpdate("""
                INSERT INTO license_validations (id, license_id, organization_id, validated_at, ip, fingerprint,
                                                 product_id, code, valid)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""", batch, batch.size(), (ps, p) -> {
            Entry e = p.entry();
            ps.setObject(1, e.id());
            ps.setObject(2, e.licenseId());
            ps.setObject(3, e.organizationId());
            ps.setTimestamp(4, Timestamp.from(e.at()));
            ps.setString(5, e.ip());
            ps.setString(6, e.fingerprint());
            ps.setObject(7, e.productId());
            ps.setString(8, e.code());
            ps.setBoolean(9, e.valid());
        });
    }

    /**
     * A binding's last use is coarse (hourly, for a TTL in days) and must never hold up the validations it rides
     * with: while a rebuild of the licensing read models holds {@code license_ip_bindings} locked, the touches are
     * skipped at once (NOWAIT) and the validations commit without them. Row locks are waited for as usual.
     */
    private void touch(List<Entry> touches, TransactionStatus status) {
        Object savepoint = status.createSavepoint();
        try {
            jdbc.execute("LOCK TABLE license_ip_bindings IN ROW EXCLUSIVE MODE NOWAIT");
        } catch (DataAccessException e) {
            if (!(e.getMostSpecificCause() instanceof SQLException sql) || !"55P03".equals(sql.getSQLState())) {
                throw e;
            }
            status.rollbackToSavepoint(savepoint);
            log.debug("license_ip_bindings is locked (read-model rebuild): {} binding touches skipped", touches.size());
            return;
        }
        status.releaseSavepoint(savepoint);
        jdbc.batchUpdate("UPDATE license_ip_bindings SET last_used_at = greatest(last_used_at, ?) WHERE id = ?",
                touches, touches.size(), (ps, e) -> {
                    ps.setTimestamp(1, Timestamp.from(e.at()));
                    ps.setObject(2, e.touchBinding());
                });
    }

    @Override
    public void start() {
        running = true;
        releaser = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "validation-release");
            thread.setDaemon(true);
            return thread;
        });
        for (int i = 0; i < writers; i++) {
            Thread thread = new Thread(this::writeLoop, "validation-log-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
    }

    @Override
    public void stop() {
        running = false;
        for (Thread thread : threads) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        threads.clear();
        failQueued();
        releaser.shutdown();
        try {
            releaser.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops after the web server (its graceful shutdown lets validations in flight finish), starts before it. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
