package io.celaest.projections.audit;

import io.celaest.projections.platform.BatchedInserts;
import io.celaest.projections.platform.PersonalDataVault;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.celaest.api.audit.AccessDenied;
import io.celaest.api.audit.CommandRejected;
import io.celaest.api.platform.MetadataKeys;
import io.celaest.api.platform.TimeOrderedIds;
import io.celaest.projections.platform.SequencedRows;
import org.axonframework.config.ProcessingGroup;
import io.celaest.api.identity.ApiKeyErased;
import io.celaest.api.identity.UserErased;
import io.celaest.api.licensing.LicenseErased;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Read model {@code audit_logs}: one row per event of the log, whatever its type, built from the event and its
 * metadata. Idempotent (the row is keyed by the event's global index, inserts skip what exists), replayable
 * (reset truncates), batched (the rows of one processor batch are written with one JDBC batch just before the
 * batch's transaction commits). Nothing that could be a secret is copied (see {@link SecretFields}).
 * <p>
 * The client IP, sealed in the event's metadata under its actor's key, is kept here in clear, and overwritten
 * with {@link PersonalDataVault#ERASED} when that actor (a user, an API key) is erased: the audit list and export
 * then read a plain column, with no decryption (and no key lookup) per row. Replays reveal it afresh from the
 * log, where it reads as erased by then. A license's holder (the license-key actor of validations, whose IP is
 * sealed under the license's key) is erased with the license.
 */
@Component
@ProcessingGroup(AuditLogProjection.PROCESSING_GROUP)
public class AuditLogProjection {

    public static final String PROCESSING_GROUP = "audit_logs";

    static final Set<String> ACTOR_KINDS = Set.of("user", "api_key", "platform_admin", "system", "anonymous");
    /** The actor id of a license's holder at the validation endpoint (Caller.licenseKeyHolder()). */
    static final String LICENSE_KEY_ACTOR = "license-key";

    private static final String INSERT = """
            INSERT INTO audit_logs (id, event_global_index, event_identifier, occurred_at, organization_id, actor_id,
                                    actor_kind, action, resource_type, resource_id, outcome, failure_reason,
                                    client_ip, user_agent, correlation_id, event_type, changes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)
            ON CONFLICT (event_global_index) DO NOTHING""";

    private final JdbcTemplate jdbc;
    private final BatchedInserts rows;
    private final ObjectMapper json;
    private final PersonalDataVault vault;

    public AuditLogProjection(JdbcTemplate jdbc, ObjectMapper json, PersonalDataVault vault) {
        this.jdbc = jdbc;
        this.rows = new BatchedInserts(jdbc, INSERT);
        this.json = json;
        this.vault = vault;
    }

    @EventHandler
    void on(EventMessage<?> event, TrackingToken token) {
        Object[] row = row(event, token.position().orElseThrow(
                () -> new IllegalStateException("The audit log needs a token with a position")));
        rows.add(row);
        Object payload = event.getPayload();
        UUID erasedSubject = payload instanceof UserErased erased ? erased.userId()
                : payload instanceof ApiKeyErased erased ? erased.keyId()
                : payload instanceof LicenseErased erased ? erased.licenseId() : null;
        if (erasedSubject == null) {
            return;
        }
        // its key was destroyed before this event could be read: later events of the subject must not be opened
        // with a copy of the key this node still caches (requests in flight on another node during the erasure)
        vault.forget(erasedSubject);
        if (!CurrentUnitOfWork.isStarted()) {
            scrub(payload, erasedSubject);
        } else {
            // after this batch's rows are written: the rows of that batch are scrubbed too
            CurrentUnitOfWork.get().root().onPrepareCommit(u -> scrub(payload, erasedSubject));
        }
    }

    /**
     * GDPR erasure: the audit trail keeps that something happened, by whom and to what, not the personal data:
     * a user's before/after values, and the client IPs of the requests the erased user or API key made; for a
     * license, see {@link #scrub(LicenseErased)}.
     */
    private void scrub(Object erasure, UUID subject) {
        if (erasure instanceof LicenseErased license) {
            scrub(license);
            return;
        }
        if (erasure instanceof UserErased) {
            jdbc.update("UPDATE audit_logs SET changes = NULL WHERE resource_type = 'user' AND resource_id = ?",
                    subject.toString());
        }
        jdbc.update("UPDATE audit_logs SET client_ip = ? WHERE actor_id = ? AND client_ip <> ?",
                PersonalDataVault.ERASED, subject.toString(), PersonalDataVault.ERASED);
    }

    /**
     * A license's holder: the before/after values of its bindings and collisions (device values, IPs) go, found by
     * the ids the erasure names (the rows are keyed by binding and collision, not by license); and the client IPs
     * of the validations that bound a device, reported a collision or suspended the license for collisions, which
     * were the holder's (actor {@code license-key}). The license's own rows carry no device, and the client IPs of
     * the people who managed it are theirs, not the holder's: both stay.
     */
    private void scrub(LicenseErased erased) {
        List<String> resources = new ArrayList<>(erased.bindingIds().size() + erased.collisionIds().size());
        erased.bindingIds().forEach(id -> resources.add(id.toString()));
        erased.collisionIds().forEach(id -> resources.add(id.toString()));
        for (int from = 0; from < resources.size(); from += 500) {
            String[] ids = resources.subList(from, Math.min(resources.size(), from + 500)).toArray(String[]::new);
            jdbc.update("""
                    UPDATE audit_logs SET changes = NULL
                     WHERE resource_type IN ('license_binding', 'license_collision') AND resource_id = ANY (?)
                       AND changes IS NOT NULL""", (Object) ids);
            jdbc.update("""
                    UPDATE audit_logs SET client_ip = ?
                     WHERE resource_type IN ('license_binding', 'license_collision') AND resource_id = ANY (?)
                       AND actor_id = ? AND client_ip <> ?""",
                    PersonalDataVault.ERASED, ids, LICENSE_KEY_ACTOR, PersonalDataVault.ERASED);
        }
        jdbc.update("""
                UPDATE audit_logs SET client_ip = ?
                 WHERE resource_type = 'license' AND resource_id = ? AND actor_id = ? AND client_ip <> ?""",
                PersonalDataVault.ERASED, erased.licenseId().toString(), LICENSE_KEY_ACTOR, PersonalDataVault.ERASED);
    }

    @ResetHandler
    void reset() {
        jdbc.update("TRUNCATE audit_logs");
    }

    /** The audit row of one event, in the column order of {@link #INSERT}. */
    Object[] row(EventMessage<?> event, long globalIndex) {
        MetaData metadata = event.getMetaData();
        Class<?> type = event.getPayloadType();
        ObjectNode payload = payloadTree(event.getPayload());

        String action;
        String resourceType;
        String resourceId;
        String outcome = "success";
        String failureReason = null;
        ObjectNode changes = null;
        if (event.getPayload() instanceof CommandRejected rejected) {
            AuditedActions.Audited audited = AuditedActions.forCommand(rejected.command(), rejected.method());
            action = audited.action();
            resourceType = audited.resourceType();
            resourceId = rejected.resourceId();
            outcome = "failure";
            failureReason = rejected.status() + " " + rejected.code() + ": " + rejected.reason();
        } else if (event.getPayload() instanceof AccessDenied denied) {
            action = AuditedActions.DENY;
            resourceType = "endpoint";
            resourceId = denied.method() + " " + denied.path();
            outcome = "failure";
            failureReason = denied.status() + ": " + denied.reason();
        } else {
            AuditedActions.Audited audited = AuditedActions.forEvent(type);
            action = audited.action();
            resourceType = audited.resourceType();
            // the id is read before scrubbing: an id field may be named like a secret (keyId) without being one
            resourceId = audited.resourceIdField() == null ? null : text(payload.get(audited.resourceIdField()));
            changes = changes(payload, audited);
        }

        String actorKind = text(metadata.get(MetadataKeys.ACTOR_KIND));
        if (actorKind == null || !ACTOR_KINDS.contains(actorKind)) {
            actorKind = "system";
        }
        UUID organization = uuid(text(payload.get("organizationId")));
        if (organization == null) {
            organization = uuid(text(metadata.get(MetadataKeys.ORGANIZATION_ID)));
        }
        return new Object[]{
                auditId(event),
                globalIndex,
                cut(event.getIdentifier(), 255),
                SequencedRows.utc(event.getTimestamp()),
                organization,
                cut(text(metadata.get(MetadataKeys.ACTOR_ID)), 255),
                actorKind,
                cut(action, 32),
                cut(resourceType, 64),
                cut(resourceId, 255),
                outcome,
                cut(failureReason, 1000),
                cut(vault.revealValue(metadata.get(MetadataKeys.CLIENT_IP)), 64),
                cut(text(metadata.get(MetadataKeys.USER_AGENT)), 500),
                cut(text(metadata.get(MetadataKeys.CORRELATION_ID)), 255),
                cut(type.getSimpleName(), 255),
                changes == null || changes.isEmpty() ? null : changes.toString()};
    }

    /**
     * Before/after of the fields an event carries. A creation records every field as {@code after}; any other
     * event pairs {@code previousX} with {@code x} as {@code {before, after}} and records its other fields as
     * {@code after} only (the event does not say what they were). Ids and secret-looking fields are left out.
     */
    private static ObjectNode changes(ObjectNode payload, AuditedActions.Audited audited) {
        SecretFields.scrub(payload);
        ObjectNode changes = JsonNodeFactory.instance.objectNode();
        boolean creation = "create".equals(audited.action());
        for (Iterator<Map.Entry<String, JsonNode>> fields = payload.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            if (name.equals("organizationId") || name.equals(audited.resourceIdField()) || isPrevious(name)) {
                continue;
            }
            ObjectNode change = JsonNodeFactory.instance.objectNode();
            String previous = "previous" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
            if (payload.has(previous)) {
                change.set("before", payload.get(previous));
            } else if (creation) {
                change.putNull("before");
            }
            change.set("after", field.getValue());
            changes.set(name, change);
        }
        return changes;
    }

    private static boolean isPrevious(String name) {
        return name.length() > 8 && name.startsWith("previous") && Character.isUpperCase(name.charAt(8));
    }

    /** The payload as a JSON object (scrubbed of secrets by {@link #changes} before anything is copied). */
    private ObjectNode payloadTree(Object payload) {
        JsonNode tree;
        try {
            tree = json.valueToTree(payload);
        } catch (IllegalArgumentException e) {
            tree = null;
        }
        if (!(tree instanceof ObjectNode object)) {
            return JsonNodeFactory.instance.objectNode();
        }
        return object;
    }

    private static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof JsonNode node) {
            return node.isNull() || node.isMissingNode() || node.isContainerNode() ? null : node.asText();
        }
        return value.toString();
    }

    /**
     * A row's id, the same through every rebuild: time-ordered for events with time-ordered identifiers, and for
     * the events stored before those, the name-based id their rows always had.
     */
    private static UUID auditId(EventMessage<?> event) {
        String name = "audit:" + event.getIdentifier();
        return TimeOrderedIds.isTimeOrdered(event.getIdentifier())
                ? TimeOrderedIds.derived(event.getTimestamp().toEpochMilli(), name)
                : UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    }

    private static UUID uuid(String text) {
        if (text == null) {
            return null;
        }
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String cut(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}
