package io.celaest.command.identity;

import io.celaest.api.identity.*;
import io.celaest.api.platform.Caller;
import io.celaest.api.platform.Forbidden;
import io.celaest.api.platform.RuleViolation;
import io.celaest.api.platform.Scopes;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.serialization.Revision;
import org.axonframework.spring.stereotype.Aggregate;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/**
 * The organization: the tenant, the unit of billing, and the owner of the counters that must hold under
 * concurrency (active users against {@code max_users}, unique emails, API keys). Every rule lives here and
 * a rejection is a {@link RuleViolation}, never a silent no-op.
 */
// The revision of its snapshots: those of another revision (the empty ones written before 1) are ignored.
@Revision("1")
@Aggregate(cache = "organizationCache", snapshotTriggerDefinition = "organizationSnapshotTrigger",
        commandTargetResolver = "cachedCommandTargetResolver")
public class Organization {

    @AggregateIdentifier
    private UUID id;
    private String name;
    private Plan plan;
    private OrganizationStatus status;
    private Integer maxUsersOverride;
    private Long maxApiCallsPerMonthOverride;
    private boolean onboardingCompleted;
    private Map<String, Object> settings = Map.of();
    private Map<UUID, Member> members = new HashMap<>();
    private Set<String> activeEmails = new HashSet<>();
    private int activeUsers;
    private Map<UUID, Boolean> apiKeysRevoked = new HashMap<>();

    /** A user as far as the organization's rules need to know. */
    record Member(String email, String name, UserRole role, Set<String> scopes, boolean active) {
    }

    private Set<UUID> erased = new HashSet<>();
    private Set<UUID> erasedApiKeys = new HashSet<>();

    protected Organization() {
        // for Axon
    }

    @CommandHandler
    public Organization(CreateOrganization command, SlugRegistry slugs) {
        requireNonNegativeLimits(command.maxUsersOverride(), command.maxApiCallsPerMonthOverride());
        slugs.reserve(command.slug(), command.organizationId());
        Plan plan = command.plan();
        apply(new OrganizationCreated(command.organizationId(), command.name(), command.slug(), plan,
                effectiveMaxUsers(plan, command.maxUsersOverride()),
                effectiveMaxApiCalls(plan, command.maxApiCallsPerMonthOverride()),
                command.maxUsersOverride(), command.maxApiCallsPerMonthOverride()));
    }

    @CommandHandler
    public void handle(RenameOrganization command) {
        requireNotDeleted();
        if (command.name().equals(name)) {
            throw RuleViolation.conflict("UNCHANGED", "The organization is already named '" + name + "'");
        }
        apply(new OrganizationRenamed(id, name, command.name()));
    }

    @CommandHandler
    public void handle(UpdateOrganizationSettings command) {
        requireNotDeleted();
        if (command.settings().equals(settings)) {
            throw RuleViolation.conflict("UNCHANGED", "The organization already has these settings");
        }
        apply(new OrganizationSettingsUpdated(id, settings, Map.copyOf(command.settings())));
    }

    @CommandHandler
    public void handle(ChangeOrganizationPlan command) {
        requireNotDeleted();
        if (command.plan() == plan) {
            throw RuleViolation.conflict("UNCHANGED", "The organization is already on plan " + plan.code());
        }
        int newMaxUsers = effectiveMaxUsers(command.plan(), maxUsersOverride);
        requireSeatsFor(newMaxUsers, "plan " + command.plan().code());
        apply(new OrganizationPlanChanged(id, plan, command.plan(), newMaxUsers,
                effectiveMaxApiCalls(command.plan(), maxApiCallsPerMonthOverride)));
    }

    @CommandHandler
    public void handle(OverrideOrganizationLimits command) {
        requireNotDeleted();
        requireNonNegativeLimits(command.maxUsers(), command.maxApiCallsPerMonth());
        int newMaxUsers = effectiveMaxUsers(plan, command.maxUsers());
        requireSeatsFor(newMaxUsers, "the new limit");
        apply(new OrganizationLimitsOverridden(id, command.maxUsers(), command.maxApiCallsPerMonth(), newMaxUsers,
                effectiveMaxApiCalls(plan, command.maxApiCallsPerMonth())));
    }

    @CommandHandler
    public void handle(CompleteOrganizationOnboarding command) {
        requireNotDeleted();
        if (onboardingCompleted) {
            throw RuleViolation.conflict("ONBOARDING_ALREADY_COMPLETED", "Onboarding is already completed");
        }
        apply(new OrganizationOnboardingCompleted(id));
    }

    @CommandHandler
    public void handle(SuspendOrganization command) {
        requireNotDeleted();
        if (status == OrganizationStatus.SUSPENDED) {
            throw RuleViolation.conflict("ALREADY_SUSPENDED", "The organization is already suspended");
        }
        apply(new OrganizationSuspended(id, command.reason()));
    }

    @CommandHandler
    public void handle(ReactivateOrganization command) {
        requireNotDeleted();
        if (status != OrganizationStatus.SUSPENDED) {
            throw RuleViolation.conflict("NOT_SUSPENDED", "The organization is not suspended");
        }
        apply(new OrganizationReactivated(id));
    }

    @CommandHandler
    public void handle(DeleteOrganization command, ApiKeyCredentialStore credentials, SlugRegistry slugs) {
        requireNotDeleted();
        credentials.revokeAllOf(id);
        slugs.markDeleted(id);
        apply(new OrganizationDeleted(id));
    }

    @CommandHandler
    public void handle(AddUser command) {
        requireActive();
        if (members.containsKey(command.userId())) {
            throw RuleViolation.conflict("USER_EXISTS", "A user with this id already exists");
        }
        String email = normalizedEmail(command.email());
        if (activeEmails.contains(email)) {
            // no address in the message: rejections are audited, and an audit row outlives an erasure
            throw RuleViolation.conflict("EMAIL_TAKEN", "A user with this email already exists in this organization");
        }
        int maxUsers = effectiveMaxUsers(plan, maxUsersOverride);
        if (maxUsers != -1 && activeUsers >= maxUsers) {
            throw RuleViolation.conflict("MAX_USERS_REACHED", "The organization has reached its limit of "
                    + maxUsers + " users");
        }
        apply(new UserAdded(id, command.userId(), command.email(), command.name(), command.role(),
                Set.copyOf(command.scopes())));
    }

    @CommandHandler
    public void handle(UpdateUser command) {
        requireNotDeleted();
        Member member = activeMember(command.userId());
        requireMayManage(member, command.callerScopes());
        boolean changed = false;
        if (command.name() != null && !command.name().equals(member.name())) {
            apply(new UserRenamed(id, command.userId(), member.name(), command.name()));
            changed = true;
        }
        if (command.role() != null && command.role() != member.role()) {
            if (member.role() == UserRole.OWNER && ownerCount() == 1) {
                throw RuleViolation.conflict("LAST_OWNER", "The organization's last owner cannot change role");
            }
            apply(new UserRoleChanged(id, command.userId(), member.role(), command.role()));
            changed = true;
        }
        if (command.scopes() != null && !command.scopes().equals(member.scopes())) {
            apply(new UserScopesChanged(id, command.userId(), member.scopes(), Set.copyOf(command.scopes())));
            changed = true;
        }
        if (!changed) {
            throw RuleViolation.conflict("UNCHANGED", "Nothing to change");
        }
    }

    @CommandHandler
    public void handle(DeactivateUser command) {
        requireNotDeleted();
        Member member = activeMember(command.userId());
        requireMayManage(member, command.callerScopes());
        if (member.role() == UserRole.OWNER && ownerCount() == 1) {
            throw RuleViolation.conflict("LAST_OWNER", "The organization's last owner cannot be deactivated");
        }
        apply(new UserDeactivated(id, command.userId()));
    }

    @CommandHandler
    public void handle(EraseUser command, PersonalDataShredder shredder) {
        // no requireNotDeleted(): deletion is soft and keeps the personal data, which must stay erasable (GDPR);
        // only the operator reaches a deleted organization
        Member member = members.get(command.userId());
        if (member == null) {
            throw RuleViolation.notFound("USER_NOT_FOUND", "No such user");
        }
        if (erased.contains(command.userId())) {
            throw RuleViolation.conflict("ALREADY_ERASED", "The user's personal data is already erased");
        }
        if (member.active()) {
            requireMayManage(member, command.callerScopes());
        }
        if (member.active() && member.role() == UserRole.OWNER && ownerCount() == 1
                && status != OrganizationStatus.DELETED) {
            throw RuleViolation.conflict("LAST_OWNER", "The organization's last owner cannot be erased");
        }
        shredder.shred(command.userId(), id);
        apply(new UserErased(id, command.userId(), member.active()));
    }

    @CommandHandler
    public void handle(CreateApiKey command, ApiKeyCredentialStore credentials) {
        requireActive();
        if (apiKeysRevoked.containsKey(command.keyId())) {
            throw RuleViolation.conflict("API_KEY_EXISTS", "An API key with this id already exists");
        }
        credentials.store(command.keyHash(), command.keyId(), id, command.scopes(), command.expiresAt());
        apply(new ApiKeyCreated(id, command.keyId(), command.name(), command.keyPrefix(),
                Set.copyOf(command.scopes()), command.expiresAt()));
    }

    @CommandHandler
    public void handle(RevokeApiKey command, ApiKeyCredentialStore credentials) {
        requireNotDeleted();
        Boolean revoked = apiKeysRevoked.get(command.keyId());
        if (revoked == null) {
            throw RuleViolation.notFound("API_KEY_NOT_FOUND", "No such API key");
        }
        if (revoked) {
            throw RuleViolation.conflict("API_KEY_REVOKED", "The API key is already revoked");
        }
        requireMayRevoke(credentials, command.keyId(), command.callerScopes());
        credentials.revoke(command.keyId());
        apply(new ApiKeyRevoked(id, command.keyId()));
    }

    /** Revokes the key if it is still active (the same events as a revocation), then erases its requests' IPs. */
    @CommandHandler
    public void handle(EraseApiKey command, ApiKeyCredentialStore credentials, PersonalDataShredder shredder) {
        Boolean revokedByItself = apiKeysRevoked.get(command.keyId());
        if (revokedByItself == null) {
            throw RuleViolation.notFound("API_KEY_NOT_FOUND", "No such API key");
        }
        // erasable after a (soft) deletion too, whose keys all stopped with it
        boolean revoked = revokedByItself || status == OrganizationStatus.DELETED;
        if (erasedApiKeys.contains(command.keyId())) {
            throw RuleViolation.conflict("ALREADY_ERASED", "The API key's personal data is already erased");
        }
        if (!revoked) {
            requireMayRevoke(credentials, command.keyId(), command.callerScopes());
            credentials.revoke(command.keyId());
            apply(new ApiKeyRevoked(id, command.keyId()));
        }
        shredder.destroyKey(command.keyId());
        apply(new ApiKeyErased(id, command.keyId()));
    }

    /** As only full access may make owners, only full access may change, deactivate or erase one. */
    private static void requireMayManage(Member member, Set<String> callerScopes) {
        if (member.role() == UserRole.OWNER && !callerScopes.contains(Caller.ALL_SCOPES)) {
            throw new Forbidden("Only a caller with full access may change, deactivate or erase an owner");
        }
    }

    /**
     * As a key cannot be given scopes its creator lacks, it cannot be revoked by a caller lacking its scopes (a key's
     * scopes never change: they are read from its credential, not kept in this aggregate's snapshots).
     */
    private static void requireMayRevoke(ApiKeyCredentialStore credentials, UUID keyId, Set<String> callerScopes) {
        // a key whose credential is missing (a restore gone wrong) is anyone's: only full access may act on it
        Set<String> keyScopes = credentials.scopesOf(keyId).orElse(Set.of(Caller.ALL_SCOPES));
        if (!Scopes.grantsAll(callerScopes, keyScopes)) {
            throw new Forbidden("An API key can only be revoked by a caller holding all of its scopes");
        }
    }

    // --- state ---

    @EventSourcingHandler
    void on(OrganizationCreated event) {
        id = event.organizationId();
        name = event.name();
        plan = event.plan();
        status = OrganizationStatus.ACTIVE;
        maxUsersOverride = event.maxUsersOverride();
        maxApiCallsPerMonthOverride = event.maxApiCallsPerMonthOverride();
    }

    @EventSourcingHandler
    void on(OrganizationRenamed event) {
        name = event.name();
    }

    @EventSourcingHandler
    void on(OrganizationSettingsUpdated event) {
        settings = event.settings();
    }

    @EventSourcingHandler
    void on(OrganizationPlanChanged event) {
        plan = event.plan();
    }

    @EventSourcingHandler
    void on(OrganizationLimitsOverridden event) {
        maxUsersOverride = event.maxUsersOverride();
        maxApiCallsPerMonthOverride = event.maxApiCallsPerMonthOverride();
    }

    @EventSourcingHandler
    void on(OrganizationOnboardingCompleted event) {
        onboardingCompleted = true;
    }

    @EventSourcingHandler
    void on(OrganizationSuspended event) {
        status = OrganizationStatus.SUSPENDED;
    }

    @EventSourcingHandler
    void on(OrganizationReactivated event) {
        status = OrganizationStatus.ACTIVE;
    }

    @EventSourcingHandler
    void on(OrganizationDeleted event) {
        status = OrganizationStatus.DELETED;
    }

    @EventSourcingHandler
    void on(UserAdded event) {
        members.put(event.userId(), new Member(normalizedEmail(event.email()), event.name(), event.role(),
                event.scopes(), true));
        activeEmails.add(normalizedEmail(event.email()));
        activeUsers++;
    }

    @EventSourcingHandler
    void on(UserRenamed event) {
        members.computeIfPresent(event.userId(),
                (userId, m) -> new Member(m.email(), event.name(), m.role(), m.scopes(), m.active()));
    }

    @EventSourcingHandler
    void on(UserRoleChanged event) {
        members.computeIfPresent(event.userId(),
                (userId, m) -> new Member(m.email(), m.name(), event.role(), m.scopes(), m.active()));
    }

    @EventSourcingHandler
    void on(UserScopesChanged event) {
        members.computeIfPresent(event.userId(),
                (userId, m) -> new Member(m.email(), m.name(), m.role(), event.scopes(), m.active()));
    }

    @EventSourcingHandler
    void on(UserDeactivated event) {
        Member member = members.get(event.userId());
        members.put(event.userId(), new Member(member.email(), member.name(), member.role(), member.scopes(), false));
        activeEmails.remove(member.email());
        activeUsers--;
    }

    @EventSourcingHandler
    void on(UserErased event) {
        Member member = members.get(event.userId());
        if (event.wasActive()) {
            activeEmails.remove(member.email());
            activeUsers--;
        }
        members.put(event.userId(), new Member(null, null, member.role(), member.scopes(), false));
        erased.add(event.userId());
    }

    @EventSourcingHandler
    void on(ApiKeyCreated event) {
        apiKeysRevoked.put(event.keyId(), false);
    }

    @EventSourcingHandler
    void on(ApiKeyRevoked event) {
        apiKeysRevoked.put(event.keyId(), true);
    }

    @EventSourcingHandler
    void on(ApiKeyErased event) {
        erasedApiKeys.add(event.keyId());
    }

    // --- rules ---

    static int effectiveMaxUsers(Plan plan, Integer override) {
        return override != null ? override : plan.maxUsers();
    }

    static long effectiveMaxApiCalls(Plan plan, Long override) {
        return override != null ? override : plan.maxApiCallsPerMonth();
    }

    private static void requireNonNegativeLimits(Integer maxUsers, Long maxApiCalls) {
        if ((maxUsers != null && maxUsers < -1) || (maxApiCalls != null && maxApiCalls < -1)) {
            throw RuleViolation.unprocessable("INVALID_LIMIT", "Limits are -1 (unlimited) or a non-negative number");
        }
    }

    private void requireSeatsFor(int newMaxUsers, String what) {
        if (newMaxUsers != -1 && activeUsers > newMaxUsers) {
            throw RuleViolation.conflict("TOO_MANY_USERS", "The organization has " + activeUsers
                    + " active users; " + what + " allows " + newMaxUsers);
        }
    }

    private void requireNotDeleted() {
        if (status == OrganizationStatus.DELETED) {
            throw RuleViolation.notFound("ORGANIZATION_NOT_FOUND", "No such organization");
        }
    }

    private void requireActive() {
        requireNotDeleted();
        if (status == OrganizationStatus.SUSPENDED) {
            throw RuleViolation.conflict("ORGANIZATION_SUSPENDED", "The organization is suspended");
        }
    }

    private Member activeMember(UUID userId) {
        Member member = members.get(userId);
        if (member == null || !member.active()) {
            throw RuleViolation.notFound("USER_NOT_FOUND", "No such user");
        }
        return member;
    }

    private long ownerCount() {
        return members.values().stream().filter(m -> m.active() && m.role() == UserRole.OWNER).count();
    }

    private static String normalizedEmail(String email) {
        return Objects.requireNonNull(email).trim().toLowerCase(Locale.ROOT);
    }
}
