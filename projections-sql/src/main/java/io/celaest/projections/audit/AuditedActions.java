package io.celaest.projections.audit;

import io.celaest.api.audit.AccessDenied;
import io.celaest.api.audit.CommandRejected;
import io.celaest.api.identity.*;
import io.celaest.api.licensing.*;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What each event (and each command, for rejected attempts) means to an auditor: the action, the type of the
 * resource and the payload field holding the resource's id. One explicit row per type: a new event type that is
 * not listed here is still audited, as action {@code other} with its class name as resource type.
 */
public final class AuditedActions {

    /** Action vocabulary beyond the CRUD verbs. */
    public static final String OTHER = "other";
    public static final String DENY = "deny";

    public record Audited(String action, String resourceType, String resourceIdField) {
    }

    private static final Map<Class<?>, Audited> EVENTS = new HashMap<>();
    private static final Map<String, Audited> COMMANDS = new HashMap<>();

    static {
        event(OrganizationCreated.class, "create", "organization", "organizationId");
        event(OrganizationRenamed.class, "update", "organization", "organizationId");
        event(OrganizationSettingsUpdated.class, "update", "organization", "organizationId");
        event(OrganizationPlanChanged.class, "update", "organization", "organizationId");
        event(OrganizationLimitsOverridden.class, "update", "organization", "organizationId");
        event(OrganizationOnboardingCompleted.class, "update", "organization", "organizationId");
        event(OrganizationSuspended.class, "suspend", "organization", "organizationId");
        event(OrganizationReactivated.class, "reactivate", "organization", "organizationId");
        event(OrganizationDeleted.class, "delete", "organization", "organizationId");
        event(UserAdded.class, "create", "user", "userId");
        event(UserRenamed.class, "update", "user", "userId");
        event(UserRoleChanged.class, "update", "user", "userId");
        event(UserScopesChanged.class, "update", "user", "userId");
        event(UserDeactivated.class, "delete", "user", "userId");
        event(UserErased.class, "erase", "user", "userId");
        event(ApiKeyCreated.class, "create", "api_key", "keyId");
        event(ApiKeyRevoked.class, "delete", "api_key", "keyId");
        event(ApiKeyErased.class, "erase", "api_key", "keyId");
        event(PlatformApiKeyCreated.class, "create", "platform_api_key", "keyId");
        event(PlatformApiKeyRevoked.class, "delete", "platform_api_key", "keyId");
        event(PlanCreated.class, "create", "plan", "code");
        event(PlanUpdated.class, "update", "plan", "code");
        event(LicenseIssued.class, "create", "license", "licenseId");
        event(TrialConverted.class, "update", "license", "licenseId");
        event(LicenseSuspended.class, "suspend", "license", "licenseId");
        event(LicenseReinstated.class, "reactivate", "license", "licenseId");
        event(LicenseRenewed.class, "renew", "license", "licenseId");
        event(LicenseCancelled.class, "cancel", "license", "licenseId");
        event(LicensePlanChanged.class, "update", "license", "licenseId");
        event(LicenseExpired.class, "expire", "license", "licenseId");
        event(LicenseErased.class, "erase", "license", "licenseId");
        event(LicenseBound.class, "create", "license_binding", "bindingId");
        event(BindingRemoved.class, "delete", "license_binding", "bindingId");
        event(CollisionDetected.class, "detect", "license_collision", "collisionId");
        event(CollisionResolved.class, "resolve", "license_collision", "collisionId");
        event(UsageRecorded.class, "record", "license_usage", "licenseId");
        event(AccessDenied.class, DENY, "endpoint", null);
        event(CommandRejected.class, "reject", "command", "resourceId");

        command(CreateOrganization.class, "create", "organization", "organizationId");
        command(RenameOrganization.class, "update", "organization", "organizationId");
        command(UpdateOrganizationSettings.class, "update", "organization", "organizationId");
        command(ChangeOrganizationPlan.class, "update", "organization", "organizationId");
        command(OverrideOrganizationLimits.class, "update", "organization", "organizationId");
        command(CompleteOrganizationOnboarding.class, "update", "organization", "organizationId");
        command(SuspendOrganization.class, "suspend", "organization", "organizationId");
        command(ReactivateOrganization.class, "reactivate", "organization", "organizationId");
        command(DeleteOrganization.class, "delete", "organization", "organizationId");
        command(AddUser.class, "create", "user", "userId");
        command(UpdateUser.class, "update", "user", "userId");
        command(DeactivateUser.class, "delete", "user", "userId");
        command(EraseUser.class, "erase", "user", "userId");
        command(CreateApiKey.class, "create", "api_key", "keyId");
        command(RevokeApiKey.class, "delete", "api_key", "keyId");
        command(EraseApiKey.class, "erase", "api_key", "keyId");
        command(CreatePlan.class, "create", "plan", "code");
        command(UpdatePlan.class, "update", "plan", "code");
        command(IssueLicense.class, "create", "license", "licenseId");
        command(ConvertTrial.class, "update", "license", "licenseId");
        command(SuspendLicense.class, "suspend", "license", "licenseId");
        command(ReinstateLicense.class, "reactivate", "license", "licenseId");
        command(RenewLicense.class, "renew", "license", "licenseId");
        command(CancelLicense.class, "cancel", "license", "licenseId");
        command(ChangeLicensePlan.class, "update", "license", "licenseId");
        command(EraseLicense.class, "erase", "license", "licenseId");
        command(BindLicense.class, "create", "license_binding", "bindingId");
        command(RemoveBinding.class, "delete", "license_binding", "bindingId");
        command(ResolveCollision.class, "resolve", "license_collision", "collisionId");
        command(RecordUsage.class, "record", "license_usage", "licenseId");
    }

    private AuditedActions() {
    }

    private static void event(Class<?> type, String action, String resourceType, String idField) {
        EVENTS.put(type, new Audited(action, resourceType, idField));
    }

    private static void command(Class<?> type, String action, String resourceType, String idField) {
        COMMANDS.put(type.getSimpleName(), new Audited(action, resourceType, idField));
    }

    public static boolean isMapped(Class<?> eventType) {
        return EVENTS.containsKey(eventType);
    }

    /** The mapping of an event type; unknown types are {@code other} on a resource named after the class. */
    public static Audited forEvent(Class<?> eventType) {
        Audited audited = EVENTS.get(eventType);
        return audited != null ? audited : new Audited(OTHER, snakeCase(eventType.getSimpleName()), null);
    }

    /**
     * The mapping of a rejected command by its simple name; when no command was dispatched (refused in the
     * controller) the HTTP method decides the action.
     */
    public static Audited forCommand(String command, String httpMethod) {
        Audited audited = command == null ? null : COMMANDS.get(command);
        if (audited != null) {
            return audited;
        }
        String action = switch (httpMethod == null ? "" : httpMethod.toUpperCase(Locale.ROOT)) {
            case "POST" -> "create";
            case "PUT", "PATCH" -> "update";
            case "DELETE" -> "delete";
            default -> OTHER;
        };
        return new Audited(action, command == null ? "endpoint" : snakeCase(command), null);
    }

    static String snakeCase(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
