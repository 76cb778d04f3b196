package io.celaest.query.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.celaest.projections.audit.SecretFields;

import java.time.Instant;
import java.util.Iterator;
import java.util.Map;

/**
 * Rebuilds an organization's state from its events, for auditors, without the write model's code: a generic,
 * explicit fold over the stored payloads (JSON), so what it shows is what the events say and nothing more.
 * <ul>
 *   <li>Every field an event carries is set on the state, replacing the earlier value ({@code OrganizationCreated}
 *       thus sets them all); {@code previousX} fields are history, not state, and are skipped; the organization id
 *       is the aggregate's id and not repeated.</li>
 *   <li>Events about a user (they carry {@code userId}) are applied to {@code users[userId]}, events about an API
 *       key ({@code keyId}) to {@code apiKeys[keyId]}, the same way.</li>
 *   <li>Lifecycle events that carry no field for what they change set it explicitly: created → status active;
 *       suspended → status suspended (its {@code reason} is kept); reactivated → active, reason removed;
 *       deleted → deleted; onboarding completed → onboardingCompleted true; user added/deactivated → active
 *       true/false; API key created/revoked → revoked false/true.</li>
 *   <li>{@code createdAt} is the first event's time, {@code updatedAt} the last applied event's time.</li>
 *   <li>Secret-looking fields are never copied (see {@link SecretFields}).</li>
 * </ul>
 */
final class AggregateStateFold {

    private final ObjectNode state = JsonNodeFactory.instance.objectNode();

    void apply(String eventType, JsonNode payloadNode, Instant at) {
        ObjectNode payload = payloadNode instanceof ObjectNode object ? object.deepCopy()
                : JsonNodeFactory.instance.objectNode();
        ObjectNode target = state;
        if (payload.hasNonNull("userId")) {
            target = member("users", payload.get("userId").asText());
        } else if (payload.hasNonNull("keyId")) {
            target = member("apiKeys", payload.get("keyId").asText());
        }
        payload.remove("organizationId");
        SecretFields.scrub(payload);
        for (Iterator<Map.Entry<String, JsonNode>> fields = payload.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            if (!(name.length() > 8 && name.startsWith("previous") && Character.isUpperCase(name.charAt(8)))) {
                target.set(name, field.getValue());
            }
        }
        switch (eventType) {
            case "OrganizationCreated" -> {
                state.put("status", "active");
                state.put("onboardingCompleted", false);
                state.withObject("/users");
                state.withObject("/apiKeys");
            }
            case "OrganizationSuspended" -> state.put("status", "suspended");
            case "OrganizationReactivated" -> {
                state.put("status", "active");
                state.remove("reason");
            }
            case "OrganizationDeleted" -> state.put("status", "deleted");
            case "OrganizationOnboardingCompleted" -> state.put("onboardingCompleted", true);
            case "UserAdded" -> target.put("active", true);
            case "UserDeactivated" -> target.put("active", false);
            case "ApiKeyCreated" -> target.put("revoked", false);
            case "ApiKeyRevoked" -> target.put("revoked", true);
            default -> {
            }
        }
        if (!state.has("createdAt")) {
            state.put("createdAt", at.toString());
        }
        state.put("updatedAt", at.toString());
    }

    /** Entries of a member map are keyed by id; the key's id is kept as {@code id} (it is not a secret). */
    private ObjectNode member(String collection, String id) {
        ObjectNode members = state.withObject("/" + collection);
        ObjectNode member = members.withObject("/" + id.replace("~", "~0").replace("/", "~1"));
        member.put("id", id);
        return member;
    }

    ObjectNode state() {
        return state;
    }
}
