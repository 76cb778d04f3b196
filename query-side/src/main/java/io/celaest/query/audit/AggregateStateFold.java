package io.celaest.query.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.celaest.projections.audit.SecretFields;

import java.time.Instant;
import java.util.Iterator;
import java.util.Map;

/**
 * Rebuilds an aggregate's state (an organization, a license, a plan) from its events, for auditors, without the write model's code: a generic,
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
 *       true/false; user erased → active false, erased true; API key created/revoked → revoked false/true; API key
 *       erased → erased true; license erased →
 *       {@code personalDataErased} true (the ids of the bindings and collisions it names are not state).</li>
 *   <li>Personal data (binding values, collision IPs) shows as stored: in clear before its subject's erasure,
 *       {@code [erased]} after.</li>
 *   <li>{@code createdAt} is the first event's time, {@code updatedAt} the last applied event's time.</li>
 *   <li>Secret-looking fields are never copied (see {@link SecretFields}).</li>
 * </ul>
 */
final class AggregateStateFold {

    /** The fields (at any depth, e.g. {@code limits.collisionPolicy}) whose values are enums. */
    private static final java.util.Set<String> LOWER_CASE_ENUMS = java.util.Set.of("status", "type", "kind",
            "resumeStatus", "policy", "role", "plan", "collisionPolicy", "billingCycle", "metric");

    private final ObjectNode state = JsonNodeFactory.instance.objectNode();

    void apply(String eventType, JsonNode payloadNode, Instant at) {
        ObjectNode payload = payloadNode instanceof ObjectNode object ? object.deepCopy()
                : JsonNodeFactory.instance.objectNode();
        ObjectNode target = state;
        if (payload.hasNonNull("userId")) {
            target = member("users", payload.get("userId").asText());
        } else if (payload.hasNonNull("keyId")) {
            target = member("apiKeys", payload.get("keyId").asText());
        } else if (payload.hasNonNull("bindingId")) {
            target = member("bindings", payload.get("bindingId").asText());
        } else if (payload.hasNonNull("collisionId")) {
            target = member("collisions", payload.get("collisionId").asText());
        } else if (eventType.equals("UsageRecorded")) {
            // usage is a counter per period and metric, not a field of the license
            state.withObject("/usage").withObject("/" + payload.path("period").asText())
                    .put(payload.path("metric").asText().toLowerCase(java.util.Locale.ROOT), payload.path("used").asLong());
            payload.removeAll();
        }
        if (eventType.equals("UserErased")) {
            payload.remove("wasActive");                        // history: the state says active false, erased
        }
        if (eventType.equals("LicenseErased")) {
            payload.remove("bindingIds");
            payload.remove("collisionIds");
        }
        if (eventType.startsWith("License") || eventType.equals("TrialConverted")) {
            payload.remove("licenseId");
        } else if (eventType.startsWith("Plan")) {
            payload.remove("code"); // the plan's id
        }
        payload.remove("organizationId");
        SecretFields.scrub(payload);
        for (Iterator<Map.Entry<String, JsonNode>> fields = payload.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            if (!(name.length() > 8 && name.startsWith("previous") && Character.isUpperCase(name.charAt(8)))) {
                target.set(name, asTheApiSaysIt(name, field.getValue()));
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
            case "UserErased" -> {
                target.put("active", false);
                target.put("erased", true);
            }
            case "ApiKeyCreated" -> target.put("revoked", false);
            case "ApiKeyRevoked" -> target.put("revoked", true);
            case "ApiKeyErased" -> target.put("erased", true);
            case "LicenseSuspended" -> state.put("status", "suspended");
            case "LicenseCancelled" -> state.put("status", "cancelled");
            case "LicenseExpired" -> state.put("status", "expired");
            case "LicenseErased" -> state.put("personalDataErased", true);
            case "LicenseReinstated" -> state.remove("reason");
            case "TrialConverted" -> {
                state.put("status", "active");
                state.put("type", "subscription");
            }
            case "BindingRemoved" -> state.withObject("/bindings").remove(payload.path("bindingId").asText());
            case "CollisionResolved" -> target.put("resolved", true);
            default -> {
            }
        }
        if (!state.has("createdAt")) {
            state.put("createdAt", at.toString());
        }
        state.put("updatedAt", at.toString());
    }

    /**
     * A stored value as the API and the read models say it: enums are stored by name (ACTIVE) and said in lower
     * case, a price is stored as a number (12.5) and said as a string with two decimals ("12.50").
     */
    private static JsonNode asTheApiSaysIt(String name, JsonNode value) {
        if (value.isTextual() && LOWER_CASE_ENUMS.contains(name)) {
            return JsonNodeFactory.instance.textNode(value.asText().toLowerCase(java.util.Locale.ROOT));
        }
        if (value.isNumber() && name.equals("price")) {
            return JsonNodeFactory.instance.textNode(value.decimalValue()
                    .setScale(2, java.math.RoundingMode.UNNECESSARY).toPlainString());
        }
        if (value instanceof ObjectNode object) {
            ObjectNode said = JsonNodeFactory.instance.objectNode();
            object.fields().forEachRemaining(field -> said.set(field.getKey(),
                    asTheApiSaysIt(field.getKey(), field.getValue())));
            return said;
        }
        return value;
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
