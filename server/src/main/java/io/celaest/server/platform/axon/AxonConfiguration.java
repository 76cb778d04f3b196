package io.celaest.server.platform.axon;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.AnnotationIntrospector;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.celaest.api.platform.MetadataKeys;
import io.celaest.api.platform.RuleViolation;
import io.celaest.projections.platform.PersonalDataVault;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.CommandBusSpanFactory;
import org.axonframework.commandhandling.DuplicateCommandHandlerResolver;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.commandhandling.gateway.IntervalRetryScheduler;
import org.axonframework.common.caching.Cache;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.EventBusSpanFactory;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.NoSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.messaging.correlation.CorrelationDataProvider;
import org.axonframework.messaging.correlation.MessageOriginProvider;
import org.axonframework.messaging.correlation.SimpleCorrelationDataProvider;
import org.axonframework.messaging.interceptors.CorrelationDataInterceptor;
import org.axonframework.messaging.unitofwork.RollbackConfigurationType;
import org.axonframework.serialization.Serializer;
import org.axonframework.spring.jdbc.SpringDataSourceConnectionProvider;
import org.axonframework.serialization.json.JacksonSerializer;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.transaction.PlatformTransactionManager;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Axon on PostgreSQL: the JDBC event storage engine over Flyway-owned snake_case tables, Jackson for every
 * stored message, an aggregate cache and snapshots for hot aggregates, and the audit metadata propagated
 * from each command to the events it causes.
 */
@Configuration
public class AxonConfiguration {

    /** Stored messages are read for years: unknown fields (added later) must not break old readers. */
    private static ObjectMapper storageMapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    @Bean
    @Primary
    public Serializer serializer() {
        return JacksonSerializer.builder().objectMapper(storageMapper()).defaultTyping().build();
    }

    /**
     * Aggregate snapshots: an aggregate is its private fields, with no getters or setters, so this mapper sees
     * fields only. (The default serializer finds no property on an aggregate and, the class being annotated,
     * writes "{}" without complaint: an aggregate loaded from that snapshot has lost its whole state.) No type
     * ids: the fields' declared types say what to build, as for events, so a snapshot restores the same values
     * as replaying the events would. A snapshot holds the aggregate's state in clear (see PersonalDataShredder).
     * Bump the aggregate's {@code @Revision} when its fields change, so older snapshots are ignored.
     */
    private static ObjectMapper snapshotMapper() {
        return storageMapper()
                .setVisibility(PropertyAccessor.GETTER, JsonAutoDetect.Visibility.NONE)
                .setVisibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE)
                .setVisibility(PropertyAccessor.SETTER, JsonAutoDetect.Visibility.NONE)
                .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY);
    }

    @Bean
    @Qualifier("snapshotSerializer")
    public Serializer snapshotSerializer() {
        return JacksonSerializer.builder().objectMapper(snapshotMapper()).build();
    }

    /** Events and messages encrypt their {@code @PersonalData} under the data subject's key. */
    private static ObjectMapper eventMapper(PersonalDataVault vault) {
        ObjectMapper mapper = storageMapper();
        return mapper.setAnnotationIntrospector(AnnotationIntrospector.pair(new PersonalDataIntrospector(vault),
                mapper.getSerializationConfig().getAnnotationIntrospector()));
    }

    @Bean
    @Qualifier("eventSerializer")
    public Serializer eventSerializer(PersonalDataVault vault) {
        return JacksonSerializer.builder().objectMapper(eventMapper(vault)).build();
    }

    @Bean
    @Qualifier("messageSerializer")
    public Serializer messageSerializer(PersonalDataVault vault) {
        return JacksonSerializer.builder().objectMapper(eventMapper(vault)).defaultTyping().build();
    }

    /**
     * Connections come from the Spring transaction of the moment, and only Spring commits them. (Axon's
     * default wrapper also commits the connection when a unit of work commits, which would break the
     * batches of {@link GroupCommitCommandBus}.)
     */
    @Bean
    public ConnectionProvider connectionProvider(DataSource dataSource) {
        return new SpringDataSourceConnectionProvider(dataSource);
    }

    /**
     * PostgreSQL reports a unique violation as SQLState 23505 (inside a BatchUpdateException for batched
     * appends); recognising it turns a lost race on an aggregate into Axon's retryable ConcurrencyException.
     */
    @Bean
    public PersistenceExceptionResolver persistenceExceptionResolver() {
        return exception -> {
            for (Throwable t = exception; t != null; t = t.getCause()) {
                if (t instanceof SQLException sql) {
                    for (SQLException e = sql; e != null; e = e.getNextException()) {
                        if ("23505".equals(e.getSQLState())) {
                            return true;
                        }
                    }
                }
            }
            return false;
        };
    }

    @Bean
    public EventSchema eventSchema() {
        return EventSchema.builder()
                .eventTable("domain_event_entry")
                .snapshotTable("snapshot_event_entry")
                .globalIndexColumn("global_index")
                .aggregateIdentifierColumn("aggregate_identifier")
                .sequenceNumberColumn("sequence_number")
                .typeColumn("type")
                .eventIdentifierColumn("event_identifier")
                .metaDataColumn("meta_data")
                .payloadColumn("payload")
                .payloadRevisionColumn("payload_revision")
                .payloadTypeColumn("payload_type")
                .timestampColumn("time_stamp")
                .build();
    }

    @Bean
    public TokenSchema tokenSchema() {
        return TokenSchema.builder()
                .setTokenTable("token_entry")
                .setProcessorNameColumn("processor_name")
                .setSegmentColumn("segment")
                .setTokenColumn("token")
                .setTokenTypeColumn("token_type")
                .setTimestampColumn("time_stamp")
                .setOwnerColumn("owner")
                .build();
    }

    @Bean
    @ConditionalOnProperty(name = "axon.axonserver.enabled", havingValue = "false", matchIfMissing = true)
    public EventStorageEngine eventStorageEngine(@Qualifier("snapshotSerializer") Serializer snapshotSerializer,
                                                 @Qualifier("eventSerializer") Serializer eventSerializer,
                                                 PersistenceExceptionResolver persistenceExceptionResolver,
                                                 ConnectionProvider connectionProvider,
                                                 TransactionManager transactionManager,
                                                 EventSchema eventSchema,
                                                 org.axonframework.config.Configuration configuration) {
        return JdbcEventStorageEngine.builder()
                .snapshotSerializer(snapshotSerializer)
                .eventSerializer(eventSerializer)
                .persistenceExceptionResolver(persistenceExceptionResolver)
                .connectionProvider(connectionProvider)
                .transactionManager(transactionManager)
                .schema(eventSchema)
                .dataType(byte[].class)
                .upcasterChain(configuration.upcasterChain())
                .snapshotFilter(configuration.snapshotFilter())
                .batchSize(500)
                .build();
    }

    /** Axon's embedded event store, woken once per committed command batch (see {@link GroupCommitEventStore}). */
    @Qualifier("eventStore")
    @Bean(name = "eventBus")
    @ConditionalOnProperty(name = "axon.axonserver.enabled", havingValue = "false", matchIfMissing = true)
    public GroupCommitEventStore eventStore(EventStorageEngine storageEngine,
                                            org.axonframework.config.Configuration configuration) {
        return new GroupCommitEventStore(EmbeddedEventStore.builder()
                .storageEngine(storageEngine)
                .messageMonitor(configuration.messageMonitor(EventStore.class, "eventStore"))
                .spanFactory(configuration.getComponent(EventBusSpanFactory.class)));
    }

    /**
     * Commands share durable commits under load (see {@link GroupCommitCommandBus}). With Axon Server the
     * connector's own command bus is used instead.
     */
    @Bean(destroyMethod = "shutdown")
    @ConditionalOnProperty(name = "axon.axonserver.enabled", havingValue = "false", matchIfMissing = true)
    public GroupCommitCommandBus commandBus(PlatformTransactionManager transactions, DataSource dataSource,
                                            TransactionManager axonTransactions,
                                            org.axonframework.config.Configuration configuration,
                                            DuplicateCommandHandlerResolver duplicateResolver,
                                            List<Cache> aggregateCaches, GroupCommitEventStore eventStore,
                                            @Value("${celaest.commands.group-commit-workers:2}") int workers,
                                            @Value("${celaest.commands.max-batch:64}") int maxBatch) {
        // Each command's unit of work joins the batch's transaction, inside a savepoint of its own.
        // A failed command always rolls its unit of work back (Axon's default spares checked exceptions): the bus
        // rolls back its savepoint then, and nothing the unit of work did may outlive it (e.g. a cached key).
        SimpleCommandBus local = SimpleCommandBus.builder()
                .transactionManager(axonTransactions)
                .rollbackConfiguration(RollbackConfigurationType.ANY_THROWABLE)
                .duplicateCommandHandlerResolver(duplicateResolver)
                .spanFactory(configuration.getComponent(CommandBusSpanFactory.class))
                .messageMonitor(configuration.messageMonitor(CommandBus.class, "commandBus"))
                .build();
        local.registerHandlerInterceptor(new CorrelationDataInterceptor<>(configuration.correlationDataProviders()));
        return new GroupCommitCommandBus(local, transactions, dataSource, workers, maxBatch,
                () -> aggregateCaches.forEach(Cache::removeAll), eventStore);
    }

    /**
     * Two nodes writing one aggregate at once: the loser's append hits the unique (aggregate, sequence) key
     * and fails with a transient ConcurrencyException; retrying reloads the aggregate and decides again.
     */
    @Bean
    public CommandGateway commandGateway(CommandBus commandBus) {
        ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "command-retry");
            thread.setDaemon(true);
            return thread;
        });
        return DefaultCommandGateway.builder()
                .commandBus(commandBus)
                .retryScheduler(IntervalRetryScheduler.builder()
                        .retryExecutor(retries)
                        .retryInterval(20)
                        .maxRetryCount(5)
                        // a rule's answer does not change by asking again
                        .addNonTransientFailurePredicate(RuleViolation.class, rejected -> true)
                        .addNonTransientFailurePredicate(IllegalArgumentException.class, invalid -> true)
                        .build())
                .build();
    }

    /** Hot organizations stay loaded (see {@link BoundedAggregateCache}); idle ones leave after 10 minutes. */
    /** Named by the aggregates' {@code @Aggregate(commandTargetResolver = ...)}. */
    @Bean
    public CachedCommandTargetResolver cachedCommandTargetResolver() {
        return new CachedCommandTargetResolver();
    }

    @Bean
    public Cache organizationCache(@Value("${celaest.commands.aggregate-cache-size:10000}") long size) {
        return new BoundedAggregateCache(size, Duration.ofMinutes(10));
    }

    @Bean
    public SnapshotTriggerDefinition organizationSnapshotTrigger(Snapshotter snapshotter,
                                                                 @Value("${axon.axonserver.enabled:false}") boolean axonServer) {
        return snapshotsEvery250(snapshotter, axonServer);
    }

    /**
     * Snapshots every 250 events, written with {@link #snapshotSerializer()}. Not under Axon Server: its
     * auto-configured event store writes snapshots with the primary serializer, which sees no state in these
     * aggregates (private fields) and writes {@code {}}; there an aggregate is loaded from its events alone.
     */
    private static SnapshotTriggerDefinition snapshotsEvery250(Snapshotter snapshotter, boolean axonServer) {
        return axonServer ? NoSnapshotTriggerDefinition.INSTANCE
                : new EventCountSnapshotTriggerDefinition(snapshotter, 250);
    }

    /** Licenses take usage records all day: keep them loaded too (see {@link BoundedAggregateCache}). */
    @Bean
    public Cache licenseCache(@Value("${celaest.commands.aggregate-cache-size:10000}") long size) {
        return new BoundedAggregateCache(size, Duration.ofMinutes(10));
    }

    @Bean
    public SnapshotTriggerDefinition licenseSnapshotTrigger(Snapshotter snapshotter,
                                                            @Value("${axon.axonserver.enabled:false}") boolean axonServer) {
        return snapshotsEvery250(snapshotter, axonServer);
    }

    /**
     * Every pooled streaming processor's coordinator retries a failure within {@code max-retry-delay} (see
     * {@link CappedDelayScheduler}): a projection, and readiness, recover within seconds of the database, not
     * up to a minute later. Keep it at least the token claim interval (5 s by default), which it would shorten.
     */
    @Bean
    public ConfigurerModule coordinatorRetryCap(
            @Value("${celaest.projections.max-retry-delay:5s}") Duration maxRetryDelay) {
        return configurer -> configurer.eventProcessing().registerPooledStreamingEventProcessorConfiguration(
                (config, builder) -> builder.coordinatorExecutor(name -> {
                    CappedDelayScheduler coordinator = new CappedDelayScheduler("Coordinator[" + name + "]",
                            maxRetryDelay);
                    config.onShutdown(coordinator::shutdown);
                    return coordinator;
                }));
    }

    @Bean
    public CorrelationDataProvider messageOriginProvider() {
        return new MessageOriginProvider();
    }

    @Bean
    public CorrelationDataProvider auditMetadataProvider() {
        return new SimpleCorrelationDataProvider(MetadataKeys.ALL.toArray(String[]::new));
    }

}
