package io.celaest.query.audit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.celaest.api.audit.*;
import io.celaest.api.platform.Caller;
import io.celaest.api.platform.MetadataKeys;
import io.celaest.projections.platform.PersonalDataVault;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Auditor reads of the history of one aggregate, straight from the event log (tenant-checked here: another
 * organization's aggregate is not found). The audit-log list is {@link AuditLogPages}, its export {@link AuditLogExport}.
 */
@Component
public class AuditQueryHandlers {

    static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {
    };

    /** Aggregate types an auditor may name in the URL, and their type in the event log. */
    static final Map<String, String> AGGREGATE_TYPES = Map.of("organization", "Organization", "license", "License",
            "plan", "SubscriptionPlan");
    /** A plan's id is its code (the catalogue is the platform's: every auditor may read its history). */
    private static final java.util.regex.Pattern PLAN_CODE = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final JdbcClient jdbc;
    private final ObjectMapper json;
    private final PersonalDataVault vault;

    public AuditQueryHandlers(JdbcClient jdbc, ObjectMapper json, PersonalDataVault vault) {
        this.jdbc = jdbc;
        this.json = json;
        this.vault = vault;
    }

    @QueryHandler
    public Optional<AggregateEvents> handle(FindAggregateEvents query) {
        Optional<String> type = visibleAggregate(query.caller(), query.aggregateType(), query.aggregateId());
        if (type.isEmpty()) {
            return Optional.empty();
        }
        List<StoredEvent> events = jdbc.sql("""
                        SELECT global_index, sequence_number, event_identifier, time_stamp, payload_type, payload, meta_data
                        FROM domain_event_entry
                        WHERE aggregate_identifier = ? AND type = ? AND sequence_number > ?
                        ORDER BY sequence_number LIMIT ?""")
                .params(query.aggregateId(), type.get(), query.afterSequence(), query.limit() + 1)
                .query(this::storedEvent).list();
        if ("plan".equals(query.aggregateType()) && !query.caller().isPlatformWide()) {
            // the catalogue is every tenant's to audit, but who changed it, from where, is the operator's own data
            events = events.stream().map(AuditQueryHandlers::withoutRequestDetails).toList();
        }
        if (events.isEmpty() && query.afterSequence() < 0) {
            return Optional.empty();
        }
        Long next = null;
        if (events.size() > query.limit()) {
            events = List.copyOf(events.subList(0, query.limit()));
            next = events.get(events.size() - 1).sequence();
        }
        return Optional.of(new AggregateEvents(query.aggregateType(), query.aggregateId(), events, next));
    }

    @QueryHandler
    public Optional<AggregateState> handle(FindAggregateState query) {
        Optional<String> type = visibleAggregate(query.caller(), query.aggregateType(), query.aggregateId());
        if (type.isEmpty()) {
            return Optional.empty();
        }
        AggregateStateFold fold = new AggregateStateFold();
        long[] version = {-1};
        Instant[] lastAt = {null};
        String[] lastType = {null};
        jdbc.sql("""
                        SELECT sequence_number, time_stamp, payload_type, payload FROM domain_event_entry
                        WHERE aggregate_identifier = ? AND type = ? ORDER BY sequence_number""")
                .params(query.aggregateId(), type.get())
                .query((ResultSet rs) -> {
                    while (rs.next()) {
                        Instant at = Instant.parse(rs.getString("time_stamp"));
                        if (at.isAfter(query.at())) {
                            break; // later sequence numbers happened later: the state as of `at` is complete
                        }
                        String eventType = simpleName(rs.getString("payload_type"));
                        fold.apply(eventType, tree(rs.getBytes("payload")), at);
                        version[0] = rs.getLong("sequence_number");
                        lastAt[0] = at;
                        lastType[0] = eventType;
                    }
                    return Boolean.TRUE; // JdbcClient wants a result
                });
        if (version[0] < 0) {
            return Optional.empty();
        }
        return Optional.of(new AggregateState(query.aggregateType(), query.aggregateId(), query.at(), version[0],
                lastAt[0], lastType[0], json.convertValue(fold.state(), JSON_OBJECT)));
    }

    /**
     * The stored type when the caller may see that aggregate: its organization (or the license's) is theirs, or it
     * is a plan; empty for an unknown type, a malformed id or a foreign tenant.
     */
    Optional<String> visibleAggregate(Caller caller, String type, String id) {
        String stored = AGGREGATE_TYPES.get(type);
        if (stored == null) {
            return Optional.empty();
        }
        if ("plan".equals(type)) {
            return PLAN_CODE.matcher(id).matches() ? Optional.of(stored) : Optional.empty();
        }
        UUID aggregateId;
        try {
            aggregateId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        Optional<UUID> organization = "license".equals(type)
                ? jdbc.sql("SELECT organization_id FROM license_keys WHERE license_id = ?").param(aggregateId)
                        .query(UUID.class).optional()
                : Optional.of(aggregateId);
        return organization.filter(caller::canSee).map(visible -> stored);
    }


    private static StoredEvent withoutRequestDetails(StoredEvent event) {
        Object actorKind = event.metadata().get(MetadataKeys.ACTOR_KIND);
        return new StoredEvent(event.sequence(), event.globalIndex(), event.eventIdentifier(), event.timestamp(),
                event.eventType(), event.payload(),
                actorKind == null ? Map.of() : Map.of(MetadataKeys.ACTOR_KIND, actorKind));
    }

    private StoredEvent storedEvent(ResultSet rs, int row) throws SQLException {
        return new StoredEvent(rs.getLong("sequence_number"), rs.getLong("global_index"),
                rs.getString("event_identifier"), Instant.parse(rs.getString("time_stamp")),
                simpleName(rs.getString("payload_type")), object(tree(rs.getBytes("payload"))),
                object(tree(rs.getBytes("meta_data"))));
    }

    private JsonNode tree(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            // stored personal data is encrypted: show it in clear, or as erased after a GDPR erasure
            return vault.reveal(json.readTree(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, Object> object(JsonNode node) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            Map<String, Object> wrapped = new LinkedHashMap<>();
            wrapped.put("value", json.convertValue(node, Object.class));
            return wrapped;
        }
        return json.convertValue(node, JSON_OBJECT);
    }

    static String simpleName(String type) {
        return type == null ? null : type.substring(type.lastIndexOf('.') + 1);
    }
}
