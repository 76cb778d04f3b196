package io.celaest.server.system;

import io.celaest.api.platform.RuleViolation;
import io.celaest.projections.platform.RebuildableReadModel;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventHandlerInvoker;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.EventMessageHandler;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.GenericDomainEventEntry;
import org.axonframework.eventhandling.MultiEventHandlerInvoker;
import org.axonframework.eventhandling.SimpleEventHandlerInvoker;
import org.axonframework.eventhandling.SubscribingEventProcessor;
import org.axonframework.eventsourcing.EventStreamUtils;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.upcasting.event.EventUpcaster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Rebuilds the read model of a <em>subscribing</em> processing group ({@link RebuildableReadModel}, e.g. licensing)
 * from the event log. Its handlers run in the transaction that stores the events, so there is no token to reset.
 * Instead, ONE transaction on a background thread of this node:
 * <ol>
 * <li><b>settles</b> the log: a moment's SHARE lock on {@code domain_event_entry} (waits for the transactions
 * still appending, as the hash chain does) gives a global index {@code settled} at or below which every event is
 * committed for good;</li>
 * <li><b>replays</b> every event of the group's aggregate types up to {@code settled}, in global order, upcast and
 * deserialized by Axon as the event store does (payloads only of the types a handler takes), through the group's
 * handlers into private copies of its tables: {@code pg_temp} tables named like them, which the handlers' unqualified
 * names resolve to in this transaction ({@code search_path} starts with {@code pg_temp}). Writers are not held up:
 * this is the long part;</li>
 * <li><b>locks</b> the live tables {@code IN EXCLUSIVE MODE}: writers wait, readers (validations' license lookups,
 * GETs) go on reading the live rows as they were;</li>
 * <li><b>catches up</b>: the events committed after {@code settled} go to the copies too;</li>
 * <li><b>replaces</b> the live rows by the copies, touching only rows that differ, and commits: readers see the
 * rebuilt tables at once, all of them together.</li>
 * </ol>
 * Concurrent writes are not lost: a command that wrote the live tables before the lock has committed by the time the
 * lock is granted (the lock waits for it), so its events are read in the catch-up; a later one stores its events and
 * then waits on the lock in its own projection write, in the same transaction, so the rebuild cannot see them, and
 * once the rebuild commits they apply on top of the rebuilt rows (the handlers are idempotent and sequence-checked).
 * Every handler of the group writes one of its tables, so no event the group handles commits while the lock is held.
 * <p>
 * Taking a lock: command batches write these tables in any order, so waiting for several table locks can close a
 * deadlock with one of them. Each attempt is bounded by a statement timeout under PostgreSQL's
 * {@code deadlock_timeout}, so it is the rebuild that gives up (and tries again shortly), never a batch of commands
 * chosen as the deadlock victim. While writers wait on the lock, their events hold places in the log that the hash
 * chain waits for, so all appends pause until the commit: the locked part is kept to the catch-up and a comparison.
 */
@Component
public class SubscribingRebuilds implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SubscribingRebuilds.class);
    /** Table names go into SQL text: plain names only. */
    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]*");
    /** lock_not_available, query_canceled (our statement timeout): the lock was not granted in time. */
    private static final Set<String> LOCK_NOT_GRANTED = Set.of("55P03", "57014");
    private static final int PAGE = 500;

    /** A rebuild under way on this node; {@code total}: the events to replay, -1 until the log is settled. */
    public record Progress(Instant startedAt, long total, long handled, Long position) {

        /** Fraction of the events replayed; the catch-up and the replacement under the lock are the last 1 %. */
        public double fraction() {
            return total <= 0 ? 0.0 : Math.min(0.99, (double) handled / total);
        }
    }

    /** Written by the rebuild's thread only, read by status requests. */
    private static final class Running {
        final Instant startedAt = Instant.now();
        volatile long total = -1;
        volatile long handled;
        volatile Long position;
        volatile Instant locked;

        Progress progress() {
            return new Progress(startedAt, total, handled, position);
        }
    }

    private final Map<String, RebuildableReadModel> models;
    private final EventProcessingConfiguration processing;
    private final ObjectProvider<EventStorageEngine> storage;
    private final Serializer serializer;
    private final ObjectProvider<org.axonframework.config.Configuration> axon;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final SystemEvents events;
    private final Duration lockAttempt;
    private final Duration lockPatience;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "read-model-rebuild");
        thread.setDaemon(true);
        return thread;
    });

    public SubscribingRebuilds(List<RebuildableReadModel> models, EventProcessingConfiguration processing,
                               ObjectProvider<EventStorageEngine> storage,
                               @Qualifier("eventSerializer") Serializer serializer,
                               ObjectProvider<org.axonframework.config.Configuration> axon, JdbcClient jdbc,
                               PlatformTransactionManager transactions, SystemEvents events,
                               @Value("${celaest.system.rebuild.lock-attempt:500ms}") Duration lockAttempt,
                               @Value("${celaest.system.rebuild.lock-patience:2m}") Duration lockPatience) {
        this.models = models.stream().collect(Collectors.toUnmodifiableMap(RebuildableReadModel::processingGroup,
                Function.identity()));
        models.forEach(model -> model.tables().forEach(table -> {
            if (!TABLE.matcher(table).matches()) {
                throw new IllegalStateException("Not a plain table name: " + table);
            }
        }));
        this.processing = processing;
        this.storage = storage;
        this.serializer = serializer;
        this.axon = axon;
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactions);
        this.transactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.events = events;
        this.lockAttempt = lockAttempt;
        this.lockPatience = lockPatience;
    }

    /** True when this processing group's read model can be rebuilt here. */
    public boolean rebuilds(String group) {
        return models.containsKey(group);
    }

    /** The rebuild of this group running on this node, if any. */
    public Optional<Progress> progress(String group) {
        Running run = running.get(group);
        return run == null ? Optional.empty() : Optional.of(run.progress());
    }

    /**
     * Starts rebuilding the group's read model in the background: ReplayStarted now, ReplayFinished once committed
     * (on failure nothing changed: an UnhandledError is recorded instead). 409 while one runs on this node.
     */
    public Progress start(String group) {
        RebuildableReadModel model = models.get(group);
        if (model == null) {
            throw RuleViolation.notFound("PROCESSOR_NOT_FOUND", "No such event processor");
        }
        if (!(storage.getIfAvailable() instanceof JdbcEventStorageEngine)) {
            throw RuleViolation.conflict("REPLAY_UNSUPPORTED", "'" + group + "' is rebuilt from the PostgreSQL event "
                    + "table, and this node's event store is elsewhere (Axon Server)");
        }
        List<EventMessageHandler> handlers = handlers(group);
        Running run = new Running();
        if (running.putIfAbsent(group, run) != null) {
            throw RuleViolation.conflict("REPLAY_IN_PROGRESS", "A rebuild of '" + group + "' is already running");
        }
        // offered before the rebuild can finish: the system events keep the order they were offered in
        events.replayStarted(group);
        try {
            executor.execute(() -> rebuild(model, handlers, run));
        } catch (RejectedExecutionException e) {
            running.remove(group, run);
            throw e;
        }
        return run.progress();
    }

    private void rebuild(RebuildableReadModel model, List<EventMessageHandler> handlers, Running run) {
        String group = model.processingGroup();
        try {
            Long position = transactions.execute(status -> rebuild(model, handlers, run, status));
            Instant done = Instant.now();
            long millis = Duration.between(run.startedAt, done).toMillis();
            log.info("Rebuilt '{}' from {} events up to global index {} in {} ms, its tables locked for the last {} ms",
                    group, run.handled, position, millis, Duration.between(run.locked, done).toMillis());
            events.replayFinished(group, position, millis);
        } catch (RuntimeException | Error e) {
            log.error("The rebuild of '{}' failed; its tables are as they were", group, e);
            events.unhandledError("rebuild of " + group, e, null);
        } finally {
            running.remove(group, run);
        }
    }

    /** The steps of the class comment, in one transaction; returns the last global index read. */
    private Long rebuild(RebuildableReadModel model, List<EventMessageHandler> handlers, Running run,
                         TransactionStatus status) {
        // one rebuild of a group at a time in the whole cluster: a second one (asked on another node) waits for the
        // first and then finds little to correct, instead of both holding long transactions and the tables' locks
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtext(?))").param("celaest:rebuild:" + model.processingGroup())
                .query((rs, n) -> null).list();
        Map<String, String> live = new LinkedHashMap<>();
        Map<String, List<String>> keys = new LinkedHashMap<>();
        for (String table : model.tables()) {
            // resolved before the copies exist: afterwards the bare name means the copy
            live.put(table, jdbc.sql("""
                            SELECT format('%I.%I', n.nspname, c.relname)
                              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                             WHERE c.oid = ?::regclass""")
                    .param(table).query(String.class).single());
            keys.put(table, jdbc.sql("""
                            SELECT a.attname FROM pg_index i
                              JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                             WHERE i.indrelid = ?::regclass AND i.indisprimary""")
                    .param(table).query(String.class).list());
            if (keys.get(table).isEmpty()) {
                throw new IllegalStateException(table + " has no primary key");
            }
        }
        String[] types = model.aggregateTypes().toArray(String[]::new);

        long settled = underLock(status, "LOCK TABLE domain_event_entry IN SHARE MODE", true,
                () -> jdbc.sql("SELECT coalesce(max(global_index), 0) FROM domain_event_entry")
                        .query(Long.class).single());
        // Changing search_path also makes PostgreSQL parse this connection's prepared statements again, so the
        // handlers' statements reach the copies; the setting and the copies end with the transaction.
        jdbc.sql("SELECT set_config('search_path', 'pg_temp, ' || current_setting('search_path'), true)")
                .query(String.class).single();
        live.forEach((table, name) -> jdbc.sql("CREATE TEMP TABLE " + table + " (LIKE " + name
                + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES) ON COMMIT DROP").update());

        run.total = jdbc.sql("SELECT count(*) FROM domain_event_entry WHERE type = ANY (?) AND global_index <= ?")
                .params(types, settled).query(Long.class).single();
        replay(types, -1, settled, handlers, run);

        underLock(status, "LOCK TABLE " + String.join(", ", live.values()) + " IN EXCLUSIVE MODE", false, () -> null);
        run.locked = Instant.now();
        replay(types, settled, Long.MAX_VALUE, handlers, run);

        live.keySet().forEach(table -> jdbc.sql("ANALYZE pg_temp." + table).update());
        model.beforeReplacing(live::get);
        live.forEach((table, name) -> replace(table, name, keys.get(table)));
        return run.position;
    }

    /**
     * Runs {@code then} once {@code lock} is granted; an attempt that waits too long is undone (savepoint) and tried
     * again after a pause, within the patience. {@code release}: the lock is given back right after {@code then}.
     */
    private <T> T underLock(TransactionStatus status, String lock, boolean release, Supplier<T> then) {
        Instant giveUp = Instant.now().plus(lockPatience);
        long backoff = 50;
        while (true) {
            Object savepoint = status.createSavepoint();
            try {
                // at most half of deadlock_timeout: in a lock cycle with a command batch, the rebuild gives up first
                jdbc.sql("""
                                SELECT set_config('statement_timeout', greatest(1, least(?,
                                       extract(epoch FROM current_setting('deadlock_timeout')::interval) * 1000 / 2)
                                       )::bigint::text, true)""")
                        .param(lockAttempt.toMillis())
                        .query(String.class)
                        .single();
                jdbc.sql(lock).update();
            } catch (DataAccessException e) {
                if (!LOCK_NOT_GRANTED.contains(sqlState(e))) {
                    throw e;
                }
                status.rollbackToSavepoint(savepoint);
                status.releaseSavepoint(savepoint);
                if (Instant.now().isAfter(giveUp)) {
                    throw new IllegalStateException("No lock within " + lockPatience + ": " + lock, e);
                }
                log.debug("Waiting to {}", lock);
                pause(backoff + ThreadLocalRandom.current().nextLong(backoff));
                backoff = Math.min(backoff * 2, 1000);
                continue;
            }
            jdbc.sql("SET LOCAL statement_timeout TO DEFAULT").update();
            T result = then.get();
            if (release) {
                // locks taken after a savepoint are given back when it is rolled back to
                status.rollbackToSavepoint(savepoint);
            }
            status.releaseSavepoint(savepoint);
            return result;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for a lock", e);
        }
    }

    /** Makes the live table equal to its rebuilt copy, touching only the rows that differ. */
    private void replace(String table, String live, List<String> key) {
        String sameKey = key.stream().map(column -> "r." + column + " = l." + column)
                .collect(Collectors.joining(" AND "));
        int removed = jdbc.sql("DELETE FROM " + live + " l WHERE NOT EXISTS (SELECT 1 FROM pg_temp." + table
                + " r WHERE " + sameKey + " AND r::text = l::text)").update();
        int added = jdbc.sql("INSERT INTO " + live + " SELECT * FROM pg_temp." + table
                + " r WHERE NOT EXISTS (SELECT 1 FROM " + live + " l WHERE " + sameKey + ")").update();
        if (removed + added > 0) {
            log.info("Rebuild of {}: {} rows replaced or removed, {} rows written", live, removed, added);
        }
    }

    /** Events of these aggregate types with after &lt; global index &lt;= upTo, in order, through the handlers. */
    private void replay(String[] types, long after, long upTo, List<EventMessageHandler> handlers, Running run) {
        EventUpcaster upcasters = axon.getObject().upcasterChain();
        while (true) {
            List<StoredEvent> page = jdbc.sql("""
                            SELECT global_index, type, aggregate_identifier, sequence_number, event_identifier, time_stamp,
                                   payload_type, payload_revision, payload, meta_data
                              FROM domain_event_entry
                             WHERE type = ANY (?) AND global_index > ? AND global_index <= ?
                             ORDER BY global_index
                             LIMIT ?""")
                    .params(types, after, upTo, PAGE)
                    .query((rs, n) -> new StoredEvent(rs.getLong("global_index"), new GenericDomainEventEntry<>(
                            rs.getString("type"), rs.getString("aggregate_identifier"), rs.getLong("sequence_number"),
                            rs.getString("event_identifier"), rs.getString("time_stamp"), rs.getString("payload_type"),
                            rs.getString("payload_revision"), rs.getBytes("payload"), rs.getBytes("meta_data"))))
                    .list();
            if (page.isEmpty()) {
                return;
            }
            Map<String, Long> indexOf = new HashMap<>();
            page.forEach(event -> indexOf.put(event.entry().getEventIdentifier(), event.globalIndex()));
            // payloads are deserialized lazily: only when a handler takes the payload's type
            DomainEventStream stream = EventStreamUtils.upcastAndDeserializeDomainEvents(
                    page.stream().map(StoredEvent::entry), serializer, upcasters);
            while (stream.hasNext()) {
                DomainEventMessage<?> event = stream.next();
                apply(handlers, event);
                run.handled++;
                Long index = indexOf.get(event.getIdentifier());
                if (index != null) {
                    run.position = index;
                }
            }
            after = page.get(page.size() - 1).globalIndex();
            run.position = after;
        }
    }

    private record StoredEvent(long globalIndex, GenericDomainEventEntry<byte[]> entry) {
    }

    /** Straight to the handlers, not through the processor: its error handler would log a failure and go on. */
    private static void apply(List<EventMessageHandler> handlers, EventMessage<?> event) {
        Class<?> type = event.getPayloadType();
        for (EventMessageHandler handler : handlers) {
            if (handler.canHandleType(type) && handler.canHandle(event)) {
                try {
                    handler.handle(event);
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException("Handling " + type.getName() + " failed", e);
                }
            }
        }
    }

    /** The group's event handlers, as Axon wrapped them (with this application's parameter resolvers). */
    private List<EventMessageHandler> handlers(String group) {
        EventProcessor processor = processing.eventProcessors().get(group);
        if (!(processor instanceof SubscribingEventProcessor subscribing)) {
            throw new IllegalStateException("'" + group + "' is not a subscribing event processor");
        }
        List<EventMessageHandler> handlers = new ArrayList<>();
        collect(subscribing.eventHandlerInvoker(), handlers);
        return handlers;
    }

    private static void collect(EventHandlerInvoker invoker, List<EventMessageHandler> into) {
        if (invoker instanceof MultiEventHandlerInvoker multi) {
            multi.delegates().forEach(delegate -> collect(delegate, into));
        } else if (invoker instanceof SimpleEventHandlerInvoker simple) {
            into.addAll(simple.eventHandlers());
        } else {
            throw new IllegalStateException("Unexpected event handler invoker " + invoker.getClass().getName());
        }
    }

    private static String sqlState(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    @Override
    public void destroy() {
        executor.shutdownNow();
    }
}
