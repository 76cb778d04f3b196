package io.celaest.command.licensing;

import io.celaest.api.licensing.*;
import io.celaest.api.platform.RuleViolation;
import io.celaest.command.identity.PersonalDataShredder;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeMatcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.instanceOf;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** Every lifecycle rule, limit and deadline of the License aggregate, with Axon's given-when-then fixture. */
class LicenseTest {

    private static final UUID LICENSE = UUID.randomUUID();
    private static final UUID ORG = UUID.randomUUID();
    private static final byte[] HASH = new byte[32];
    private static final PlanLimits PRO = new PlanLimits(25, 100, 100, 2, 5, CollisionPolicy.BLOCK, 30);

    private FixtureConfiguration<License> fixture;
    private PlanCatalog plans;
    private LicenseKeyRegistry keys;
    private PersonalDataShredder shredder;
    private ErasureFollowUp erasureFollowUp;
    private Instant now;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(License.class);
        plans = mock(PlanCatalog.class);
        keys = mock(LicenseKeyRegistry.class);
        when(plans.require("professional")).thenReturn(PRO);
        when(plans.require("enterprise")).thenReturn(new PlanLimits(-1, -1, -1, -1, -1, CollisionPolicy.FLAG, 30));
        when(plans.require("nope")).thenThrow(RuleViolation.unprocessable("PLAN_NOT_FOUND", "no plan"));
        fixture.registerInjectableResource(plans);
        fixture.registerInjectableResource(keys);
        shredder = mock(PersonalDataShredder.class);
        erasureFollowUp = mock(ErasureFollowUp.class);
        fixture.registerInjectableResource(shredder);
        fixture.registerInjectableResource(erasureFollowUp);
        now = Instant.now();
    }

    private Instant in(Duration duration) {
        return now.plus(duration).truncatedTo(ChronoUnit.MILLIS);
    }

    private LicenseIssued issued(LicenseType type, LicenseStatus status, Instant expiresAt) {
        return new LicenseIssued(LICENSE, ORG, "ABCDE", "professional", null, type, status, expiresAt,
                LimitOverrides.NONE);
    }

    private static Matcher<Object> violation(String code) {
        return allOf(instanceOf(RuleViolation.class), new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(Object item) {
                return ((RuleViolation) item).code().equals(code);
            }

            @Override
            public void describeTo(org.hamcrest.Description description) {
                description.appendText("a rule violation " + code);
            }
        });
    }

    @Test
    void issuingATrialSchedulesItsExpiryWhichExpiresItExactlyThen() {
        Instant end = in(Duration.ofDays(14));
        fixture.givenNoPriorActivity()
                .when(new IssueLicense(LICENSE, ORG, HASH, "ABCDE", "professional", null, LicenseType.TRIAL, end, null))
                .expectEvents(issued(LicenseType.TRIAL, LicenseStatus.TRIAL, end))
                .expectScheduledDeadlineWithName(end, License.EXPIRY_DEADLINE);
        fixture.given(issued(LicenseType.TRIAL, LicenseStatus.TRIAL, end))
                .whenThenTimeAdvancesTo(end)
                .expectEvents(new LicenseExpired(LICENSE, ORG, end));
    }

    @Test
    void aRenewalMakesTheEarlierDeadlineObsolete() {
        Instant end = in(Duration.ofDays(30));
        Instant later = in(Duration.ofDays(60));
        fixture.givenCommands(new IssueLicense(LICENSE, ORG, HASH, "ABCDE", "professional", null,
                        LicenseType.SUBSCRIPTION, end, null), new RenewLicense(LICENSE, later))
                .whenThenTimeAdvancesTo(end.plusSeconds(1))
                .expectNoEvents()
                .expectScheduledDeadlineWithName(later, License.EXPIRY_DEADLINE);
    }

    @Test
    void aPerpetualLicenseHasNoEndAndTimedOnesNeedAFutureOne() {
        fixture.givenNoPriorActivity()
                .when(new IssueLicense(LICENSE, ORG, HASH, "ABCDE", "professional", null, LicenseType.PERPETUAL,
                        in(Duration.ofDays(1)), null))
                .expectException(violation("PERPETUAL_EXPIRY"));
        fixture.givenNoPriorActivity()
                .when(new IssueLicense(LICENSE, ORG, HASH, "ABCDE", "professional", null, LicenseType.SUBSCRIPTION,
                        null, null))
                .expectException(violation("EXPIRY_REQUIRED"));
        fixture.givenNoPriorActivity()
                .when(new IssueLicense(LICENSE, ORG, HASH, "ABCDE", "professional", null, LicenseType.TRIAL,
                        in(Duration.ofDays(-1)), null))
                .expectException(violation("EXPIRY_IN_PAST"));
        fixture.givenNoPriorActivity()
                .when(new IssueLicense(LICENSE, ORG, HASH, "ABCDE", "nope", null, LicenseType.PERPETUAL, null, null))
                .expectException(violation("PLAN_NOT_FOUND"));
    }

    @Test
    void aDuplicateKeyIsRejected() {
        doThrow(RuleViolation.conflict("LICENSE_KEY_COLLISION", "dup")).when(keys).reserve(any(), any(), any());
        fixture.givenNoPriorActivity()
                .when(new IssueLicense(LICENSE, ORG, HASH, "ABCDE", "professional", null, LicenseType.PERPETUAL,
                        null, null))
                .expectException(violation("LICENSE_KEY_COLLISION"));
    }

    @Test
    void suspendAndReinstateReturnToTheStatusBefore() {
        Instant end = in(Duration.ofDays(14));
        fixture.given(issued(LicenseType.TRIAL, LicenseStatus.TRIAL, end))
                .when(new SuspendLicense(LICENSE, "abuse"))
                .expectEvents(new LicenseSuspended(LICENSE, ORG, "abuse", LicenseStatus.TRIAL));
        fixture.given(issued(LicenseType.TRIAL, LicenseStatus.TRIAL, end),
                        new LicenseSuspended(LICENSE, ORG, "abuse", LicenseStatus.TRIAL))
                .when(new ReinstateLicense(LICENSE))
                .expectEvents(new LicenseReinstated(LICENSE, ORG, LicenseStatus.TRIAL));
        fixture.given(issued(LicenseType.PERPETUAL, LicenseStatus.ACTIVE, null))
                .when(new ReinstateLicense(LICENSE))
                .expectException(violation("INVALID_TRANSITION"));
        fixture.given(issued(LicenseType.PERPETUAL, LicenseStatus.ACTIVE, null),
                        new LicenseSuspended(LICENSE, ORG, null, LicenseStatus.ACTIVE))
                .when(new SuspendLicense(LICENSE, null))
                .expectException(violation("INVALID_TRANSITION"));
    }

    @Test
    void aSuspendedLicenseStillExpiresAndAnExpiredOneRenewsToWhatItWas() {
        Instant end = in(Duration.ofDays(1));
        fixture.givenCommands(new IssueLicense(LICENSE, ORG, HASH, "ABCDE", "professional", null,
                        LicenseType.SUBSCRIPTION, end, null), new SuspendLicense(LICENSE, null))
                .whenThenTimeAdvancesTo(end)
                .expectEvents(new LicenseExpired(LICENSE, ORG, end));
        Instant later = in(Duration.ofDays(31));
        fixture.given(issued(LicenseType.SUBSCRIPTION, LicenseStatus.ACTIVE, end), new LicenseExpired(LICENSE, ORG, end))
                .when(new RenewLicense(LICENSE, later))
                .expectEvents(new LicenseRenewed(LICENSE, ORG, end, later, LicenseStatus.ACTIVE))
                .expectScheduledDeadlineWithName(later, License.EXPIRY_DEADLINE);
        // a license suspended when it expired comes back suspended: renewing must not lift a suspension
        fixture.given(issued(LicenseType.SUBSCRIPTION, LicenseStatus.ACTIVE, end),
                        new LicenseSuspended(LICENSE, ORG, "fraud", LicenseStatus.ACTIVE),
                        new LicenseExpired(LICENSE, ORG, end))
                .when(new RenewLicense(LICENSE, later))
                .expectEvents(new LicenseRenewed(LICENSE, ORG, end, later, LicenseStatus.SUSPENDED));
        fixture.given(issued(LicenseType.TRIAL, LicenseStatus.TRIAL, end),
                        new LicenseSuspended(LICENSE, ORG, "fraud", LicenseStatus.TRIAL),
                        new LicenseExpired(LICENSE, ORG, end),
                        new LicenseRenewed(LICENSE, ORG, end, later, LicenseStatus.SUSPENDED))
                .when(new ReinstateLicense(LICENSE))
                .expectEvents(new LicenseReinstated(LICENSE, ORG, LicenseStatus.TRIAL));
        fixture.given(issued(LicenseType.SUBSCRIPTION, LicenseStatus.ACTIVE, in(Duration.ofDays(60))))
                .when(new RenewLicense(LICENSE, in(Duration.ofDays(45))))
                .expectException(violation("EXPIRY_NOT_LATER"));
        fixture.given(issued(LicenseType.PERPETUAL, LicenseStatus.ACTIVE, null))
                .when(new RenewLicense(LICENSE, later))
                .expectException(violation("PERPETUAL_LICENSE"));
    }

    @Test
    void onlyATrialConvertsAndACancelledLicenseStaysCancelled() {
        Instant end = in(Duration.ofDays(14));
        Instant paidUntil = in(Duration.ofDays(44));
        fixture.given(issued(LicenseType.TRIAL, LicenseStatus.TRIAL, end))
                .when(new ConvertTrial(LICENSE, paidUntil))
                .expectEvents(new TrialConverted(LICENSE, ORG, paidUntil))
                .expectScheduledDeadlineWithName(paidUntil, License.EXPIRY_DEADLINE);
        fixture.given(issued(LicenseType.PERPETUAL, LicenseStatus.ACTIVE, null))
                .when(new ConvertTrial(LICENSE, null))
                .expectException(violation("INVALID_TRANSITION"));
        fixture.given(issued(LicenseType.PERPETUAL, LicenseStatus.ACTIVE, null), new LicenseCancelled(LICENSE, ORG, null))
                .when(new CancelLicense(LICENSE, null))
                .expectException(violation("INVALID_TRANSITION"));
        fixture.given(issued(LicenseType.PERPETUAL, LicenseStatus.ACTIVE, null), new LicenseCancelled(LICENSE, ORG, null))
                .when(new ChangeLicensePlan(LICENSE, "enterprise"))
                .expectException(violation("INVALID_TRANSITION"));
    }

    @Test
    void changingPlanNeedsAnExistingDifferentPlan() {
        fixture.given(issued(LicenseType.PERPETUAL, LicenseStatus.ACTIVE, null))
                .when(new ChangeLicensePlan(LICENSE, "enterprise"))
                .expectEvents(new LicensePlanChanged(LICENSE, ORG, "professional", "enterprise"));
        fixture.given(issued(LicenseType.PERPETUAL, LicenseStatus.ACTIVE, null))
                .when(new ChangeLicensePlan(LICENSE, "professional"))
                .expectException(violation("UNCHANGED"));
        fixture.given(issued(LicenseType.PERPETUAL, LicenseStatus.ACTIVE, null))
                .when(new ChangeLicensePlan(LICENSE, "nope"))
                .expectException(violation("PLAN_NOT_FOUND"));
    }

    @Test
    void bindingsHoldTheLimitAndAKnownDeviceIsNotBoundTwice() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        LicenseIssued issued = issued(LicenseType.PERPETUAL, LicenseStatus.ACTIVE, null);
        LicenseBound first = new LicenseBound(LICENSE, ORG, a, BindingKind.IP, "10.0.0.1", false);
        fixture.given(issued, first)
                .when(new BindLicense(LICENSE, UUID.randomUUID(), BindingKind.IP, "10.0.0.1", false))
                .expectNoEvents()
                .expectResultMessagePayload(a);
        fixture.given(issued, first)
                .when(new BindLicense(LICENSE, b, BindingKind.FINGERPRINT, "m", false))
                .expectEvents(new LicenseBound(LICENSE, ORG, b, BindingKind.FINGERPRINT, "m", false));
        fixture.given(issued, first, new LicenseBound(LICENSE, ORG, b, BindingKind.FINGERPRINT, "m", false))
                .when(new BindLicense(LICENSE, UUID.randomUUID(), BindingKind.IP, "10.0.0.2", false))
                .expectException(violation("TOO_MANY_BINDINGS"));
        fixture.given(issued, first)
                .when(new BindLicense(LICENSE, UUID.randomUUID(), BindingKind.IP, "10.0.0.1", true))
                .expectException(violation("BINDING_EXISTS"));
        fixture.given(issued, first)
                .when(new RemoveBinding(LICENSE, a, true))
                .expectEvents(new BindingRemoved(LICENSE, ORG, a, BindingKind.IP, "10.0.0.1", true));
        fixture.given(issued)
                .when(new RemoveBinding(LICENSE, a, false))
                .expectException(violation("BINDING_NOT_FOUND"));
        fixture.given(issued, new LicenseSuspended(LICENSE, ORG, null, LicenseStatus.ACTIVE))
                .when(new BindLicense(LICENSE, b, BindingKind.IP, "10.0.0.9", false))
                .expectException(violation("INVALID_TRANSITION"));
    }

    @Test
    void underTheBlockPolicyRepeatedCollisionsSuspendTheLicense() {
        LicenseIssued issued = issued(LicenseType.PERPETUAL, LicenseStatus.ACTIVE, null);
        UUID c1 = UUID.randomUUID();
        UUID c2 = UUID.randomUUID();
        UUID c3 = UUID.randomUUID();
        Instant from = now.minusSeconds(60);
        List<String> ips = ips(6);
        List<String> more = ips(7);
        List<String> most = ips(8);
        CollisionDetected first = new CollisionDetected(LICENSE, ORG, c1, ips, from, now, 5, CollisionPolicy.BLOCK);
        CollisionDetected second = new CollisionDetected(LICENSE, ORG, c2, more, from, now, 5, CollisionPolicy.BLOCK);
        fixture.given(issued)
                .when(new ReportCollision(LICENSE, c1, ips, from, now, 3))
                .expectEvents(first);
        fixture.given(issued, first, second)
                .when(new ReportCollision(LICENSE, c3, most, from, now, 3))
                .expectEvents(new CollisionDetected(LICENSE, ORG, c3, most, from, now, 5, CollisionPolicy.BLOCK),
                        new LicenseSuspended(LICENSE, ORG, "COLLISIONS: 3 unresolved collisions", LicenseStatus.ACTIVE));
        // resolved collisions no longer count
        fixture.given(issued, first, second, new CollisionResolved(LICENSE, ORG, c1, "ok"))
                .when(new ReportCollision(LICENSE, c3, most, from, now, 3))
                .expectEvents(new CollisionDetected(LICENSE, ORG, c3, most, from, now, 5, CollisionPolicy.BLOCK));
        fixture.given(issued, first, new CollisionResolved(LICENSE, ORG, c1, "ok"))
                .when(new ResolveCollision(LICENSE, c1, null))
                .expectException(violation("ALREADY_RESOLVED"));
    }

    /** Nodes report what each sees: the same spread reported by a second node is counted once. */
    @Test
    void aReportAddingNoIpToOpenCollisionsOfItsWindowIsDropped() {
        LicenseIssued issued = issued(LicenseType.PERPETUAL, LicenseStatus.ACTIVE, null);
        Instant from = now.minusSeconds(60);
        CollisionDetected seen = new CollisionDetected(LICENSE, ORG, UUID.randomUUID(), ips(7), from, now, 5,
                CollisionPolicy.BLOCK);
        fixture.given(issued, seen)
                .when(new ReportCollision(LICENSE, UUID.randomUUID(), ips(6), from.plusSeconds(1), now, 3))
                .expectNoEvents();
        // a later window, or an IP the open collisions lack, is news
        Instant later = now.plus(Duration.ofMinutes(20));
        UUID again = UUID.randomUUID();
        fixture.given(issued, seen)
                .when(new ReportCollision(LICENSE, again, ips(7), later.minusSeconds(60), later, 3))
                .expectEvents(new CollisionDetected(LICENSE, ORG, again, ips(7), later.minusSeconds(60), later, 5,
                        CollisionPolicy.BLOCK));
        UUID news = UUID.randomUUID();
        fixture.given(issued, seen)
                .when(new ReportCollision(LICENSE, news, ips(8), from, now, 3))
                .expectEvents(new CollisionDetected(LICENSE, ORG, news, ips(8), from, now, 5, CollisionPolicy.BLOCK));
    }

    /** A license reinstated after a collision suspension starts counting again, its old collisions still open. */
    @Test
    void onlyCollisionsSinceTheLastReinstatementCountTowardSuspension() {
        LicenseIssued issued = issued(LicenseType.PERPETUAL, LicenseStatus.ACTIVE, null);
        Instant from = now.minusSeconds(60);
        List<Object> history = new java.util.ArrayList<>(List.of(issued));
        for (int n = 6; n <= 8; n++) {
            history.add(new CollisionDetected(LICENSE, ORG, UUID.randomUUID(), ips(n), from, now, 5, CollisionPolicy.BLOCK));
        }
        history.add(new LicenseSuspended(LICENSE, ORG, "COLLISIONS: 3 unresolved collisions", LicenseStatus.ACTIVE));
        history.add(new LicenseReinstated(LICENSE, ORG, LicenseStatus.ACTIVE));
        UUID next = UUID.randomUUID();
        fixture.given(history.toArray())
                .when(new ReportCollision(LICENSE, next, ips(9), from, now, 3))
                .expectEvents(new CollisionDetected(LICENSE, ORG, next, ips(9), from, now, 5, CollisionPolicy.BLOCK));
    }

    private static List<String> ips(int count) {
        List<String> ips = new java.util.ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ips.add("10.0.0." + i);
        }
        return ips;
    }

    @Test
    void usageHoldsTheMonthlyLimitAndResetsWithTheMonth() {
        LicenseIssued issued = issued(LicenseType.PERPETUAL, LicenseStatus.ACTIVE, null);
        fixture.given(issued, new UsageRecorded(LICENSE, ORG, UsageMetric.AI_REQUESTS, 90, "2026-11", 90, 100))
                .when(new RecordUsage(LICENSE, UsageMetric.AI_REQUESTS, 10, "2026-11"))
                .expectEvents(new UsageRecorded(LICENSE, ORG, UsageMetric.AI_REQUESTS, 10, "2026-11", 100, 100))
                .expectResultMessagePayload(new UsageBalance("ai_requests", "2026-11", 100, 100, 0));
        fixture.given(issued, new UsageRecorded(LICENSE, ORG, UsageMetric.AI_REQUESTS, 90, "2026-11", 90, 100))
                .when(new RecordUsage(LICENSE, UsageMetric.AI_REQUESTS, 11, "2026-11"))
                .expectException(UsageLimitExceeded.class)
                .expectNoEvents();
        fixture.given(issued, new UsageRecorded(LICENSE, ORG, UsageMetric.AI_REQUESTS, 100, "2026-11", 100, 100))
                .when(new RecordUsage(LICENSE, UsageMetric.AI_REQUESTS, 100, "2026-12"))
                .expectEvents(new UsageRecorded(LICENSE, ORG, UsageMetric.AI_REQUESTS, 100, "2026-12", 100, 100));
        fixture.given(issued, new LicenseCancelled(LICENSE, ORG, null))
                .when(new RecordUsage(LICENSE, UsageMetric.AI_REQUESTS, 1, "2026-11"))
                .expectException(violation("INVALID_TRANSITION"));
    }

    @Test
    void erasureCancelsTheLicenseShredsItsKeyNamesEveryBindingAndCollisionAndHappensOnce() {
        LicenseIssued issued = issued(LicenseType.PERPETUAL, LicenseStatus.ACTIVE, null);
        UUID[] ids = {UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID()};
        java.util.Arrays.sort(ids);
        UUID removed = ids[0];
        UUID machine = ids[1];
        UUID collision = ids[2];
        Instant from = now.minusSeconds(60);
        List<String> ips = List.of("10.0.0.1", "10.0.0.2");
        fixture.given(issued,
                        new LicenseBound(LICENSE, ORG, removed, BindingKind.IP, "10.0.0.1", false),
                        new LicenseBound(LICENSE, ORG, machine, BindingKind.FINGERPRINT, "machine-1", true),
                        new BindingRemoved(LICENSE, ORG, removed, BindingKind.IP, "10.0.0.1", true),
                        new CollisionDetected(LICENSE, ORG, collision, ips, from, now, 1, CollisionPolicy.FLAG))
                .when(new EraseLicense(LICENSE))
                .expectEvents(new LicenseCancelled(LICENSE, ORG, "personal data erased"),
                        new LicenseErased(LICENSE, ORG, List.of(removed, machine), List.of(collision)))
                .expectScheduledDeadlineWithName(ErasureFollowUp.DELAY, License.ERASURE_FOLLOW_UP);
        verify(shredder).shred(LICENSE, LICENSE);

        // a cancelled license is not cancelled again
        LicenseCancelled cancelled = new LicenseCancelled(LICENSE, ORG, null);
        fixture.given(issued, cancelled)
                .when(new EraseLicense(LICENSE))
                .expectEvents(new LicenseErased(LICENSE, ORG, List.of(), List.of()));
        // once only
        LicenseErased erased = new LicenseErased(LICENSE, ORG, List.of(machine), List.of());
        fixture.given(issued, cancelled, erased)
                .when(new EraseLicense(LICENSE))
                .expectException(violation("ALREADY_ERASED"))
                .expectNoEvents();
    }

    @Test
    void anErasedLicenseTakesNoDeviceButStillReleasesItsBindingsWithoutTheirValue() {
        LicenseIssued issued = issued(LicenseType.PERPETUAL, LicenseStatus.ACTIVE, null);
        UUID machine = UUID.randomUUID();
        LicenseBound bound = new LicenseBound(LICENSE, ORG, machine, BindingKind.FINGERPRINT, "machine-1", false);
        LicenseCancelled cancelled = new LicenseCancelled(LICENSE, ORG, "personal data erased");
        LicenseErased erased = new LicenseErased(LICENSE, ORG, List.of(machine), List.of());
        // the value is gone from the aggregate too (a cached License must not keep it): the event carries none
        fixture.given(issued, bound, cancelled, erased)
                .when(new RemoveBinding(LICENSE, machine, true))
                .expectEvents(new BindingRemoved(LICENSE, ORG, machine, BindingKind.FINGERPRINT, null, true));
        fixture.given(issued, bound, cancelled, erased)
                .when(new BindLicense(LICENSE, UUID.randomUUID(), BindingKind.FINGERPRINT, "machine-1", true))
                .expectException(violation("INVALID_TRANSITION"));
        fixture.given(issued, bound, cancelled, erased)
                .when(new BindLicense(LICENSE, UUID.randomUUID(), BindingKind.IP, "10.0.0.9", false))
                .expectException(violation("INVALID_TRANSITION"));
        fixture.given(issued, bound, cancelled, erased)
                .when(new ReportCollision(LICENSE, UUID.randomUUID(), List.of("10.0.0.1", "10.0.0.2"),
                        now.minusSeconds(60), now, 3))
                .expectNoEvents();
    }

    @Test
    void aMinuteAfterTheErasureTheValidationsCommittedMeanwhileAreScrubbedToo() {
        fixture.given(issued(LicenseType.PERPETUAL, LicenseStatus.ACTIVE, null))
                .andGivenCommands(new EraseLicense(LICENSE))
                .whenThenTimeElapses(ErasureFollowUp.DELAY)
                .expectNoEvents()
                .expectTriggeredDeadlinesWithName(License.ERASURE_FOLLOW_UP);
        verify(erasureFollowUp).scrubValidations(LICENSE);
    }
}
