package io.celaest.command.licensing;

import io.celaest.api.licensing.*;
import io.celaest.api.platform.RuleViolation;
import io.celaest.command.identity.PersonalDataShredder;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.annotation.DeadlineHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.serialization.Revision;
import org.axonframework.spring.stereotype.Aggregate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/**
 * A license: the digital contract of one sale (seed document §2). It owns every counter that must hold under
 * concurrency — bindings against {@code maxIpBindings}, usage against the monthly limits — and its lifecycle:
 * trial → active (convert), active ⇄ suspended, renew, change plan, cancel, and expiry exactly at
 * {@code expiresAt} by a persistent deadline. Validations that change nothing never reach it.
 * <p>
 * The devices bound to it (IPs, fingerprints) are personal data of its holder, encrypted in its events under the
 * license's own key; erasure cancels the license and destroys that key, once.
 */
// The revision of its snapshots: those of another revision (the empty ones written before 1) are ignored.
@Revision("1")
@Aggregate(cache = "licenseCache", snapshotTriggerDefinition = "licenseSnapshotTrigger")
public class License {

    public static final String EXPIRY_DEADLINE = "license-expiry";
    public static final String ERASURE_FOLLOW_UP = "license-erasure-follow-up";

    @AggregateIdentifier
    private UUID id;
    private UUID organizationId;
    private String planCode;
    private LicenseType type;
    private LicenseStatus status;
    private LicenseStatus resumeStatus;
    /** Suspended when it expired: a renewal brings it back suspended, never past its suspension. */
    private boolean suspendedWhenExpired;
    private Instant expiresAt;
    private LimitOverrides customLimits = LimitOverrides.NONE;
    private Map<UUID, String> bindings = new HashMap<>();
    private Map<String, UUID> bindingIds = new HashMap<>();
    private Set<UUID> openCollisions = new HashSet<>();
    private Set<UUID> resolvedCollisions = new HashSet<>();
    /** The IPs and window end of each open collision: a report adding no IP to them is one already counted. */
    private Map<UUID, ReportedCollision> openCollisionIps = new HashMap<>();
    /** Open collisions detected since the license was last reinstated: only they count toward suspension. */
    private Set<UUID> openSinceReinstated = new HashSet<>();
    /** Every binding the license ever had, removed ones too: erasure names them all. */
    private Set<UUID> everBound = new HashSet<>();
    private boolean erased;
    private String usagePeriod;
    private Map<UsageMetric, Long> usage = new EnumMap<>(UsageMetric.class);

    protected License() {
        // for Axon
    }

    @CommandHandler
    public License(IssueLicense command, LicenseKeyRegistry keys, PlanCatalog plans, DeadlineManager deadlines) {
        plans.require(command.planCode());
        requireExpiryFits(command.type(), command.expiresAt());
        LimitOverrides custom = command.customLimits() == null ? LimitOverrides.NONE : command.customLimits();
        try {
            custom.applyTo(plans.require(command.planCode()));
        } catch (IllegalArgumentException e) {
            throw RuleViolation.unprocessable("INVALID_LIMITS", e.getMessage());
        }
        keys.reserve(command.keyHash(), command.licenseId(), command.organizationId());
        LicenseStatus initial = command.type() == LicenseType.TRIAL ? LicenseStatus.TRIAL : LicenseStatus.ACTIVE;
        apply(new LicenseIssued(command.licenseId(), command.organizationId(), command.keyHint(), command.planCode(),
                command.productId(), command.type(), initial, command.expiresAt(), custom));
        scheduleExpiry(deadlines, command.expiresAt());
    }

    @CommandHandler
    public void handle(ConvertTrial command, DeadlineManager deadlines) {
        if (status != LicenseStatus.TRIAL) {
            throw invalidTransition("Only a trial can be converted");
        }
        Instant trialEnd = expiresAt;
        Instant end = command.expiresAt() != null ? command.expiresAt() : trialEnd;
        requireFuture(end);
        apply(new TrialConverted(id, organizationId, end));
        if (!end.equals(trialEnd)) {
            scheduleExpiry(deadlines, end);
        }
    }

    @CommandHandler
    public void handle(SuspendLicense command) {
        if (!status.isLive()) {
            throw invalidTransition("Only an active or trial license can be suspended");
        }
        apply(new LicenseSuspended(id, organizationId, command.reason(), status));
    }

    @CommandHandler
    public void handle(ReinstateLicense command) {
        if (status != LicenseStatus.SUSPENDED) {
            throw invalidTransition("Only a suspended license can be reinstated");
        }
        apply(new LicenseReinstated(id, organizationId, resumeStatus));
    }

    @CommandHandler
    public void handle(RenewLicense command, DeadlineManager deadlines) {
        if (type == LicenseType.PERPETUAL) {
            throw new RuleViolation(RuleViolation.Kind.CONFLICT, "PERPETUAL_LICENSE",
                    "A perpetual license does not expire; the license is " + status.code(),
                    Map.of("licenseStatus", status.code()));
        }
        if (status == LicenseStatus.CANCELLED) {
            throw invalidTransition("A cancelled license cannot be renewed");
        }
        requireFuture(command.expiresAt());
        if (expiresAt != null && !command.expiresAt().isAfter(expiresAt)) {
            throw RuleViolation.unprocessable("EXPIRY_NOT_LATER", "A renewal must move the end past " + expiresAt);
        }
        LicenseStatus after = status != LicenseStatus.EXPIRED ? status
                : suspendedWhenExpired ? LicenseStatus.SUSPENDED
                : type == LicenseType.TRIAL ? LicenseStatus.TRIAL : LicenseStatus.ACTIVE;
        apply(new LicenseRenewed(id, organizationId, expiresAt, command.expiresAt(), after));
        scheduleExpiry(deadlines, command.expiresAt());
    }

    @CommandHandler
    public void handle(CancelLicense command) {
        if (status == LicenseStatus.CANCELLED) {
            throw invalidTransition("The license is already cancelled");
        }
        apply(new LicenseCancelled(id, organizationId, command.reason()));
    }

    /**
     * GDPR erasure of the holder's device identifiers: cancels the license if it is not cancelled yet (the same
     * event as a cancellation), destroys the license's personal-data key and drops its snapshots (they hold the
     * bindings in clear), in the transaction that stores the events.
     */
    @CommandHandler
    public void handle(EraseLicense command, PersonalDataShredder shredder, DeadlineManager deadlines) {
        if (erased) {
            throw RuleViolation.conflict("ALREADY_ERASED", "The license's personal data is already erased");
        }
        if (status != LicenseStatus.CANCELLED) {
            apply(new LicenseCancelled(id, organizationId, "personal data erased"));
        }
        shredder.shred(id, id);
        Set<UUID> bindingIds = new TreeSet<>(everBound);
        bindingIds.addAll(bindings.keySet()); // a snapshot taken before everBound existed knows the current ones
        Set<UUID> collisionIds = new TreeSet<>(openCollisions);
        collisionIds.addAll(resolvedCollisions);
        apply(new LicenseErased(id, organizationId, List.copyOf(bindingIds), List.copyOf(collisionIds)));
        deadlines.schedule(ErasureFollowUp.DELAY, ERASURE_FOLLOW_UP, new ErasureFollowUp.Due(id));
    }

    /** Validations committed just after the erasure lose their IPs too (see {@link ErasureFollowUp}). */
    @DeadlineHandler(deadlineName = ERASURE_FOLLOW_UP)
    void followUpErasure(ErasureFollowUp.Due due, ErasureFollowUp followUp) {
        followUp.scrubValidations(id);
    }

    @CommandHandler
    public void handle(ChangeLicensePlan command, PlanCatalog plans) {
        if (status == LicenseStatus.CANCELLED) {
            throw invalidTransition("A cancelled license cannot change plan");
        }
        plans.require(command.planCode());
        if (command.planCode().equals(planCode)) {
            throw RuleViolation.conflict("UNCHANGED", "The license is already on plan " + planCode);
        }
        apply(new LicensePlanChanged(id, organizationId, planCode, command.planCode()));
    }

    @DeadlineHandler(deadlineName = EXPIRY_DEADLINE)
    void expire(ExpiryDue due) {
        boolean current = due.expiresAt().equals(expiresAt);
        if (current && (status.isLive() || status == LicenseStatus.SUSPENDED)) {
            apply(new LicenseExpired(id, organizationId, expiresAt));
        }
    }

    /** Returns the binding's id: a new one, or the existing one when the device is already bound. */
    @CommandHandler
    public UUID handle(BindLicense command, PlanCatalog plans) {
        if (command.manual() ? status == LicenseStatus.CANCELLED : !status.isLive()) {
            throw invalidTransition("The license cannot take new bindings");
        }
        UUID existing = bindingIds.get(bindingKey(command.kind(), command.value()));
        if (existing != null) {
            if (command.manual()) {
                throw RuleViolation.conflict("BINDING_EXISTS", "This device is already bound to the license");
            }
            return existing;
        }
        int max = limits(plans).maxIpBindings();
        if (max != -1 && bindings.size() >= max) {
            throw new RuleViolation(RuleViolation.Kind.CONFLICT, "TOO_MANY_BINDINGS", "The license already has "
                    + bindings.size() + " of " + max + " bindings", Map.of("bindings", bindings.size(), "limit", max));
        }
        apply(new LicenseBound(id, organizationId, command.bindingId(), command.kind(), command.value(),
                command.manual()));
        return command.bindingId();
    }

    @CommandHandler
    public void handle(RemoveBinding command) {
        String key = bindings.get(command.bindingId());
        if (key == null) {
            throw RuleViolation.notFound("BINDING_NOT_FOUND", "No such binding");
        }
        int separator = key.indexOf(':');
        // once erased, the device is not known any more (and nothing can be encrypted for the license)
        apply(new BindingRemoved(id, organizationId, command.bindingId(),
                BindingKind.valueOf(key.substring(0, separator)), erased ? null : key.substring(separator + 1),
                command.inactive()));
    }

    @CommandHandler
    public void handle(ReportCollision command, PlanCatalog plans) {
        if (status == LicenseStatus.CANCELLED || openCollisions.contains(command.collisionId())
                || resolvedCollisions.contains(command.collisionId())) {
            return;
        }
        if (alreadyReported(command)) {
            return;
        }
        PlanLimits limits = limits(plans);
        apply(new CollisionDetected(id, organizationId, command.collisionId(), command.ips(), command.windowStart(),
                command.windowEnd(), limits.maxConcurrentIps(), limits.collisionPolicy()));
        if (limits.collisionPolicy() == CollisionPolicy.BLOCK && status.isLive()
                && openSinceReinstated.size() >= command.suspendAfter()) {
            apply(new LicenseSuspended(id, organizationId, "COLLISIONS: " + openSinceReinstated.size()
                    + " unresolved collisions", status));
        }
    }

    /**
     * Every node watches its own window and reports what it sees, so one spreading key is reported by several
     * nodes: a report whose IPs all belong to open collisions of an overlapping window adds nothing and is dropped.
     */
    private boolean alreadyReported(ReportCollision command) {
        Set<String> known = new HashSet<>();
        openCollisionIps.values().stream()
                .filter(c -> c.windowEnd() == null || !c.windowEnd().isBefore(command.windowStart()))
                .forEach(c -> known.addAll(c.ips()));
        return known.containsAll(command.ips());
    }

    @CommandHandler
    public void handle(ResolveCollision command) {
        if (resolvedCollisions.contains(command.collisionId())) {
            throw RuleViolation.conflict("ALREADY_RESOLVED", "The collision is already resolved");
        }
        if (!openCollisions.contains(command.collisionId())) {
            throw RuleViolation.notFound("COLLISION_NOT_FOUND", "No such collision");
        }
        apply(new CollisionResolved(id, organizationId, command.collisionId(), command.note()));
    }

    @CommandHandler
    public UsageBalance handle(RecordUsage command, PlanCatalog plans) {
        if (!status.isLive()) {
            throw invalidTransition("Usage can only be recorded on an active or trial license");
        }
        if (command.quantity() < 1) {
            throw RuleViolation.unprocessable("INVALID_QUANTITY", "The quantity must be at least 1");
        }
        long limit = command.metric().limitIn(limits(plans));
        long used = command.period().equals(usagePeriod) ? usage.getOrDefault(command.metric(), 0L) : 0L;
        if (limit != -1 && used + command.quantity() > limit) {
            throw new UsageLimitExceeded(UsageBalance.of(command.metric(), command.period(), used, limit),
                    command.quantity());
        }
        apply(new UsageRecorded(id, organizationId, command.metric(), command.quantity(), command.period(),
                used + command.quantity(), limit));
        return UsageBalance.of(command.metric(), command.period(), used + command.quantity(), limit);
    }

    // --- state ---

    @EventSourcingHandler
    void on(LicenseIssued event) {
        id = event.licenseId();
        organizationId = event.organizationId();
        planCode = event.planCode();
        type = event.type();
        status = event.status();
        expiresAt = event.expiresAt();
        customLimits = event.customLimits() == null ? LimitOverrides.NONE : event.customLimits();
    }

    @EventSourcingHandler
    void on(TrialConverted event) {
        type = LicenseType.SUBSCRIPTION;
        status = LicenseStatus.ACTIVE;
        expiresAt = event.expiresAt();
    }

    @EventSourcingHandler
    void on(LicenseSuspended event) {
        resumeStatus = event.resumeStatus();
        status = LicenseStatus.SUSPENDED;
    }

    @EventSourcingHandler
    void on(LicenseReinstated event) {
        status = event.status();
        openSinceReinstated.clear();
    }

    @EventSourcingHandler
    void on(LicenseRenewed event) {
        expiresAt = event.expiresAt();
        status = event.status();
    }

    @EventSourcingHandler
    void on(LicenseCancelled event) {
        status = LicenseStatus.CANCELLED;
    }

    @EventSourcingHandler
    void on(LicensePlanChanged event) {
        planCode = event.planCode();
    }

    @EventSourcingHandler
    void on(LicenseExpired event) {
        suspendedWhenExpired = status == LicenseStatus.SUSPENDED;
        status = LicenseStatus.EXPIRED;
    }

    @EventSourcingHandler
    void on(LicenseBound event) {
        String key = bindingKey(event.kind(), event.value());
        bindings.put(event.bindingId(), key);
        bindingIds.put(key, event.bindingId());
        everBound.add(event.bindingId());
    }

    /** The devices are forgotten here too: a cached License must not keep them in clear. */
    @EventSourcingHandler
    void on(LicenseErased event) {
        erased = true;
        openCollisionIps.clear();
        bindings.replaceAll((binding, key) -> key.substring(0, key.indexOf(':') + 1));
        bindingIds.clear();
    }

    @EventSourcingHandler
    void on(BindingRemoved event) {
        bindingIds.remove(bindings.remove(event.bindingId()));
    }

    @EventSourcingHandler
    void on(CollisionDetected event) {
        openCollisions.add(event.collisionId());
        openSinceReinstated.add(event.collisionId());
        openCollisionIps.put(event.collisionId(), new ReportedCollision(new ArrayList<>(event.ips()), event.windowEnd()));
    }

    @EventSourcingHandler
    void on(CollisionResolved event) {
        openCollisions.remove(event.collisionId());
        openSinceReinstated.remove(event.collisionId());
        openCollisionIps.remove(event.collisionId());
        resolvedCollisions.add(event.collisionId());
    }

    @EventSourcingHandler
    void on(UsageRecorded event) {
        if (!event.period().equals(usagePeriod)) {
            usagePeriod = event.period();
            usage.clear();
        }
        usage.put(event.metric(), event.used());
    }

    // --- rules ---

    private PlanLimits limits(PlanCatalog plans) {
        return customLimits.applyTo(plans.require(planCode));
    }

    private static String bindingKey(BindingKind kind, String value) {
        return kind.name() + ":" + value;
    }

    private static void requireExpiryFits(LicenseType type, Instant expiresAt) {
        if (type == LicenseType.PERPETUAL && expiresAt != null) {
            throw RuleViolation.unprocessable("PERPETUAL_EXPIRY", "A perpetual license has no expiresAt");
        }
        if (type != LicenseType.PERPETUAL) {
            if (expiresAt == null) {
                throw RuleViolation.unprocessable("EXPIRY_REQUIRED", "A " + type.code() + " license needs expiresAt");
            }
            requireFuture(expiresAt);
        }
    }

    private static void requireFuture(Instant instant) {
        if (!instant.isAfter(now())) {
            throw RuleViolation.unprocessable("EXPIRY_IN_PAST", "expiresAt must be in the future");
        }
    }

    /** Axon's event clock, which AggregateTestFixture moves in tests. */
    private static Instant now() {
        return GenericEventMessage.clock.instant();
    }

    private static void scheduleExpiry(DeadlineManager deadlines, Instant at) {
        if (at != null) {
            deadlines.schedule(at, EXPIRY_DEADLINE, new ExpiryDue(at));
        }
    }

    private RuleViolation invalidTransition(String message) {
        return new RuleViolation(RuleViolation.Kind.CONFLICT, "INVALID_TRANSITION",
                message + "; the license is " + status.code(), Map.of("licenseStatus", status.code()));
    }

    /** What an open collision covered, to know a repeated report of it. */
    record ReportedCollision(List<String> ips, Instant windowEnd) {
    }
}
