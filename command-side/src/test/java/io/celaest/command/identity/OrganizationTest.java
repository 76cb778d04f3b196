package io.celaest.command.identity;

import io.celaest.api.identity.*;
import io.celaest.api.platform.Forbidden;
import io.celaest.api.platform.RuleViolation;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.instanceOf;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** Every rule and rejection of the Organization aggregate, with Axon's given-when-then fixture. */
class OrganizationTest {

    private static final UUID ORG = UUID.randomUUID();
    private static final UUID ALICE = UUID.randomUUID();
    private static final UUID BOB = UUID.randomUUID();
    private static final UUID KEY = UUID.randomUUID();
    /** The requester's scopes: full access, or an organization admin's key that may manage users and keys. */
    private static final Set<String> FULL = Set.of("*");
    private static final Set<String> MANAGER = Set.of("users:write", "api_keys:write", "users:read");

    private FixtureConfiguration<Organization> fixture;
    private SlugRegistry slugs;
    private ApiKeyCredentialStore credentials;
    private PersonalDataShredder shredder;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Organization.class);
        slugs = mock(SlugRegistry.class);
        credentials = mock(ApiKeyCredentialStore.class);
        fixture.registerInjectableResource(slugs);
        fixture.registerInjectableResource(credentials);
        shredder = mock(PersonalDataShredder.class);
        fixture.registerInjectableResource(shredder);
    }

    private static OrganizationCreated created(Plan plan) {
        return new OrganizationCreated(ORG, "Acme", "acme", plan, plan.maxUsers(), plan.maxApiCallsPerMonth(), null, null);
    }

    private static UserAdded user(UUID id, String email, UserRole role) {
        return new UserAdded(ORG, id, email, "Name", role, Set.of());
    }


    private static org.hamcrest.Matcher<Object> violation(RuleViolation.Kind kind, String code) {
        return allOf(instanceOf(RuleViolation.class), new org.hamcrest.TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(Object item) {
                RuleViolation v = (RuleViolation) item;
                return v.kind() == kind && v.code().equals(code);
            }

            @Override
            public void describeTo(org.hamcrest.Description description) {
                description.appendText(kind + " " + code);
            }
        });
    }

    @Test
    void createsWithThePlansLimitsAndReservesTheSlug() {
        fixture.givenNoPriorActivity()
                .when(new CreateOrganization(ORG, "Acme", "acme", Plan.STARTER, null, null))
                .expectEvents(created(Plan.STARTER));
        verify(slugs).reserve("acme", ORG);
    }

    @Test
    void createsWithOverriddenLimits() {
        fixture.givenNoPriorActivity()
                .when(new CreateOrganization(ORG, "Acme", "acme", Plan.PROFESSIONAL, 50, -1L))
                .expectEvents(new OrganizationCreated(ORG, "Acme", "acme", Plan.PROFESSIONAL, 50, -1, 50, -1L));
    }

    @Test
    void rejectsATakenSlug() {
        doThrow(RuleViolation.conflict("SLUG_TAKEN", "taken")).when(slugs).reserve(eq("acme"), any());
        fixture.givenNoPriorActivity()
                .when(new CreateOrganization(ORG, "Acme", "acme", Plan.STARTER, null, null))
                .expectException(violation(RuleViolation.Kind.CONFLICT, "SLUG_TAKEN"))
                .expectNoEvents();
    }

    @Test
    void rejectsLimitsBelowMinusOne() {
        fixture.givenNoPriorActivity()
                .when(new CreateOrganization(ORG, "Acme", "acme", Plan.STARTER, -2, null))
                .expectException(violation(RuleViolation.Kind.UNPROCESSABLE, "INVALID_LIMIT"));
    }

    @Test
    void renamesButNotToTheSameName() {
        fixture.given(created(Plan.STARTER))
                .when(new RenameOrganization(ORG, "Acme Corp"))
                .expectEvents(new OrganizationRenamed(ORG, "Acme", "Acme Corp"));
        fixture.given(created(Plan.STARTER))
                .when(new RenameOrganization(ORG, "Acme"))
                .expectException(violation(RuleViolation.Kind.CONFLICT, "UNCHANGED"));
    }

    @Test
    void updatesSettingsKeepingThePreviousOnesInTheEvent() {
        Map<String, Object> branding = Map.of("branding", Map.of("color", "#123456"));
        fixture.given(created(Plan.ENTERPRISE))
                .when(new UpdateOrganizationSettings(ORG, branding))
                .expectEvents(new OrganizationSettingsUpdated(ORG, Map.of(), branding));
    }

    @Test
    void changesPlanWithItsLimits() {
        fixture.given(created(Plan.STARTER))
                .when(new ChangeOrganizationPlan(ORG, Plan.ENTERPRISE))
                .expectEvents(new OrganizationPlanChanged(ORG, Plan.STARTER, Plan.ENTERPRISE, -1, 100_000));
    }

    @Test
    void rejectsTheSamePlanAndADowngradeBelowTheActiveUsers() {
        fixture.given(created(Plan.STARTER))
                .when(new ChangeOrganizationPlan(ORG, Plan.STARTER))
                .expectException(violation(RuleViolation.Kind.CONFLICT, "UNCHANGED"));
        fixture.given(created(Plan.ENTERPRISE), user(UUID.randomUUID(), "1@x.io", UserRole.OWNER),
                        user(UUID.randomUUID(), "2@x.io", UserRole.ADMIN), user(UUID.randomUUID(), "3@x.io", UserRole.MEMBER),
                        user(UUID.randomUUID(), "4@x.io", UserRole.MEMBER), user(UUID.randomUUID(), "5@x.io", UserRole.MEMBER),
                        user(UUID.randomUUID(), "6@x.io", UserRole.MEMBER))
                .when(new ChangeOrganizationPlan(ORG, Plan.STARTER))
                .expectException(violation(RuleViolation.Kind.CONFLICT, "TOO_MANY_USERS"));
    }

    @Test
    void overridesLimitsAndReturnsThemToThePlan() {
        fixture.given(created(Plan.STARTER))
                .when(new OverrideOrganizationLimits(ORG, 10, 5_000L))
                .expectEvents(new OrganizationLimitsOverridden(ORG, 10, 5_000L, 10, 5_000));
        fixture.given(created(Plan.STARTER), new OrganizationLimitsOverridden(ORG, 10, 5_000L, 10, 5_000))
                .when(new OverrideOrganizationLimits(ORG, null, null))
                .expectEvents(new OrganizationLimitsOverridden(ORG, null, null, 5, 1_000));
    }

    @Test
    void overriddenMaxUsersSurvivesAPlanChange() {
        fixture.given(created(Plan.STARTER), new OrganizationLimitsOverridden(ORG, 7, null, 7, 1_000))
                .when(new ChangeOrganizationPlan(ORG, Plan.PROFESSIONAL))
                .expectEvents(new OrganizationPlanChanged(ORG, Plan.STARTER, Plan.PROFESSIONAL, 7, 10_000));
    }

    @Test
    void completesOnboardingOnce() {
        fixture.given(created(Plan.STARTER))
                .when(new CompleteOrganizationOnboarding(ORG))
                .expectEvents(new OrganizationOnboardingCompleted(ORG));
        fixture.given(created(Plan.STARTER), new OrganizationOnboardingCompleted(ORG))
                .when(new CompleteOrganizationOnboarding(ORG))
                .expectException(violation(RuleViolation.Kind.CONFLICT, "ONBOARDING_ALREADY_COMPLETED"));
    }

    @Test
    void suspendsAndReactivatesOnlyFromTheRightState() {
        fixture.given(created(Plan.STARTER))
                .when(new SuspendOrganization(ORG, "unpaid"))
                .expectEvents(new OrganizationSuspended(ORG, "unpaid"));
        fixture.given(created(Plan.STARTER), new OrganizationSuspended(ORG, "unpaid"))
                .when(new SuspendOrganization(ORG, "again"))
                .expectException(violation(RuleViolation.Kind.CONFLICT, "ALREADY_SUSPENDED"));
        fixture.given(created(Plan.STARTER), new OrganizationSuspended(ORG, "unpaid"))
                .when(new ReactivateOrganization(ORG))
                .expectEvents(new OrganizationReactivated(ORG));
        fixture.given(created(Plan.STARTER))
                .when(new ReactivateOrganization(ORG))
                .expectException(violation(RuleViolation.Kind.CONFLICT, "NOT_SUSPENDED"));
    }

    @Test
    void deletesRevokingEveryKeyAndThenAnswersNotFound() {
        fixture.given(created(Plan.STARTER))
                .when(new DeleteOrganization(ORG))
                .expectEvents(new OrganizationDeleted(ORG));
        verify(credentials).revokeAllOf(ORG);
        verify(slugs).markDeleted(ORG);
        fixture.given(created(Plan.STARTER), new OrganizationDeleted(ORG))
                .when(new RenameOrganization(ORG, "Other"))
                .expectException(violation(RuleViolation.Kind.NOT_FOUND, "ORGANIZATION_NOT_FOUND"));
        fixture.given(created(Plan.STARTER), new OrganizationDeleted(ORG))
                .when(new DeleteOrganization(ORG))
                .expectException(violation(RuleViolation.Kind.NOT_FOUND, "ORGANIZATION_NOT_FOUND"));
    }

    @Test
    void addsUsersUpToMaxUsersExactly() {
        fixture.given(created(Plan.STARTER), user(UUID.randomUUID(), "1@x.io", UserRole.OWNER),
                        user(UUID.randomUUID(), "2@x.io", UserRole.MEMBER), user(UUID.randomUUID(), "3@x.io", UserRole.MEMBER),
                        user(UUID.randomUUID(), "4@x.io", UserRole.MEMBER))
                .when(new AddUser(ORG, ALICE, "alice@x.io", "Alice", UserRole.ADMIN, Set.of("users:read")))
                .expectEvents(new UserAdded(ORG, ALICE, "alice@x.io", "Alice", UserRole.ADMIN, Set.of("users:read")));
        fixture.given(created(Plan.STARTER), user(UUID.randomUUID(), "1@x.io", UserRole.OWNER),
                        user(UUID.randomUUID(), "2@x.io", UserRole.MEMBER), user(UUID.randomUUID(), "3@x.io", UserRole.MEMBER),
                        user(UUID.randomUUID(), "4@x.io", UserRole.MEMBER), user(UUID.randomUUID(), "5@x.io", UserRole.MEMBER))
                .when(new AddUser(ORG, ALICE, "alice@x.io", "Alice", UserRole.ADMIN, Set.of()))
                .expectException(violation(RuleViolation.Kind.CONFLICT, "MAX_USERS_REACHED"));
    }

    @Test
    void unlimitedPlansNeverRunOutOfSeats() {
        Object[] many = new Object[101];
        many[0] = created(Plan.ENTERPRISE);
        for (int i = 1; i < many.length; i++) {
            many[i] = user(UUID.randomUUID(), i + "@x.io", UserRole.MEMBER);
        }
        fixture.given(many)
                .when(new AddUser(ORG, ALICE, "alice@x.io", "Alice", UserRole.MEMBER, Set.of()))
                .expectSuccessfulHandlerExecution();
    }

    @Test
    void aDeactivatedUserFreesTheSeatAndTheEmail() {
        fixture.given(created(Plan.STARTER), user(BOB, "bob@x.io", UserRole.MEMBER), user(UUID.randomUUID(), "2@x.io", UserRole.OWNER),
                        user(UUID.randomUUID(), "3@x.io", UserRole.MEMBER), user(UUID.randomUUID(), "4@x.io", UserRole.MEMBER),
                        user(UUID.randomUUID(), "5@x.io", UserRole.MEMBER), new UserDeactivated(ORG, BOB))
                .when(new AddUser(ORG, ALICE, "BOB@x.io", "Bob again", UserRole.MEMBER, Set.of()))
                .expectSuccessfulHandlerExecution();
    }

    @Test
    void emailsAreUniqueWithinTheOrganizationIgnoringCase() {
        fixture.given(created(Plan.STARTER), user(BOB, "bob@x.io", UserRole.MEMBER))
                .when(new AddUser(ORG, ALICE, " Bob@X.io ", "Bob", UserRole.MEMBER, Set.of()))
                .expectException(violation(RuleViolation.Kind.CONFLICT, "EMAIL_TAKEN"));
        fixture.given(created(Plan.STARTER), user(BOB, "bob@x.io", UserRole.MEMBER))
                .when(new AddUser(ORG, BOB, "other@x.io", "Bob", UserRole.MEMBER, Set.of()))
                .expectException(violation(RuleViolation.Kind.CONFLICT, "USER_EXISTS"));
    }

    @Test
    void noUsersOrKeysWhileSuspended() {
        fixture.given(created(Plan.STARTER), new OrganizationSuspended(ORG, "unpaid"))
                .when(new AddUser(ORG, ALICE, "alice@x.io", "Alice", UserRole.MEMBER, Set.of()))
                .expectException(violation(RuleViolation.Kind.CONFLICT, "ORGANIZATION_SUSPENDED"));
        fixture.given(created(Plan.STARTER), new OrganizationSuspended(ORG, "unpaid"))
                .when(new CreateApiKey(ORG, KEY, "ci", Set.of("*"), null, "cel_abcdefgh", new byte[32]))
                .expectException(violation(RuleViolation.Kind.CONFLICT, "ORGANIZATION_SUSPENDED"));
    }

    @Test
    void updatesOnlyWhatChangedOneEventPerField() {
        fixture.given(created(Plan.STARTER), user(ALICE, "alice@x.io", UserRole.MEMBER))
                .when(new UpdateUser(ORG, ALICE, "Alice B", UserRole.ADMIN, Set.of("users:read"), FULL))
                .expectEvents(new UserRenamed(ORG, ALICE, "Name", "Alice B"),
                        new UserRoleChanged(ORG, ALICE, UserRole.MEMBER, UserRole.ADMIN),
                        new UserScopesChanged(ORG, ALICE, Set.of(), Set.of("users:read")));
        fixture.given(created(Plan.STARTER), user(ALICE, "alice@x.io", UserRole.MEMBER))
                .when(new UpdateUser(ORG, ALICE, "Name", UserRole.MEMBER, null, FULL))
                .expectException(violation(RuleViolation.Kind.CONFLICT, "UNCHANGED"));
        fixture.given(created(Plan.STARTER))
                .when(new UpdateUser(ORG, ALICE, "X", null, null, FULL))
                .expectException(violation(RuleViolation.Kind.NOT_FOUND, "USER_NOT_FOUND"));
    }

    @Test
    void theLastOwnerCannotBeDemotedOrDeactivated() {
        fixture.given(created(Plan.STARTER), user(ALICE, "alice@x.io", UserRole.OWNER))
                .when(new UpdateUser(ORG, ALICE, null, UserRole.ADMIN, null, FULL))
                .expectException(violation(RuleViolation.Kind.CONFLICT, "LAST_OWNER"));
        fixture.given(created(Plan.STARTER), user(ALICE, "alice@x.io", UserRole.OWNER))
                .when(new DeactivateUser(ORG, ALICE, FULL))
                .expectException(violation(RuleViolation.Kind.CONFLICT, "LAST_OWNER"));
        fixture.given(created(Plan.STARTER), user(ALICE, "alice@x.io", UserRole.OWNER), user(BOB, "bob@x.io", UserRole.OWNER))
                .when(new DeactivateUser(ORG, ALICE, FULL))
                .expectEvents(new UserDeactivated(ORG, ALICE));
    }

    @Test
    void deactivatesOnlyActiveUsers() {
        fixture.given(created(Plan.STARTER), user(BOB, "bob@x.io", UserRole.MEMBER), new UserDeactivated(ORG, BOB))
                .when(new DeactivateUser(ORG, BOB, FULL))
                .expectException(violation(RuleViolation.Kind.NOT_FOUND, "USER_NOT_FOUND"));
    }

    @Test
    void erasureShredsTheKeyFreesTheSeatAndHappensOnce() {
        fixture.given(created(Plan.STARTER), user(ALICE, "alice@x.io", UserRole.MEMBER))
                .when(new EraseUser(ORG, ALICE, FULL))
                .expectEvents(new UserErased(ORG, ALICE, true));
        verify(shredder).shred(ALICE, ORG);
        fixture.given(created(Plan.STARTER), user(ALICE, "alice@x.io", UserRole.MEMBER), new UserErased(ORG, ALICE, true))
                .when(new EraseUser(ORG, ALICE, FULL))
                .expectException(violation(RuleViolation.Kind.CONFLICT, "ALREADY_ERASED"));
        fixture.given(created(Plan.STARTER), user(ALICE, "alice@x.io", UserRole.MEMBER), new UserDeactivated(ORG, ALICE))
                .when(new EraseUser(ORG, ALICE, FULL))
                .expectEvents(new UserErased(ORG, ALICE, false));
        fixture.given(created(Plan.STARTER), user(ALICE, "alice@x.io", UserRole.OWNER))
                .when(new EraseUser(ORG, ALICE, FULL))
                .expectException(violation(RuleViolation.Kind.CONFLICT, "LAST_OWNER"));
        fixture.given(created(Plan.STARTER))
                .when(new EraseUser(ORG, ALICE, FULL))
                .expectException(violation(RuleViolation.Kind.NOT_FOUND, "USER_NOT_FOUND"));
    }

    @Test
    void settingsEqualToTheCurrentOnesAreNoChange() {
        fixture.given(created(Plan.STARTER), new OrganizationSettingsUpdated(ORG, Map.of(), Map.of("a", 1)))
                .when(new UpdateOrganizationSettings(ORG, Map.of("a", 1)))
                .expectException(violation(RuleViolation.Kind.CONFLICT, "UNCHANGED"));
        fixture.given(created(Plan.STARTER), new OrganizationSettingsUpdated(ORG, Map.of(), Map.of("a", 1)))
                .when(new UpdateOrganizationSettings(ORG, Map.of("a", 2)))
                .expectEvents(new OrganizationSettingsUpdated(ORG, Map.of("a", 1), Map.of("a", 2)));
    }

    @Test
    void aDeletedOrganizationsUsersStayErasableTheLastOwnerToo() {
        fixture.given(created(Plan.STARTER), user(ALICE, "alice@x.io", UserRole.OWNER), new OrganizationDeleted(ORG))
                .when(new EraseUser(ORG, ALICE, FULL))
                .expectEvents(new UserErased(ORG, ALICE, true));
        verify(shredder).shred(ALICE, ORG);
    }

    @Test
    void anErasedUsersSeatCountsNoMore() {
        fixture.given(created(Plan.STARTER), user(ALICE, "[erased]", UserRole.MEMBER), user(BOB, "[erased]", UserRole.OWNER),
                        user(UUID.randomUUID(), "3@x.io", UserRole.MEMBER), user(UUID.randomUUID(), "4@x.io", UserRole.MEMBER),
                        user(UUID.randomUUID(), "5@x.io", UserRole.MEMBER), new UserErased(ORG, ALICE, true))
                .when(new AddUser(ORG, UUID.randomUUID(), "new@x.io", "New", UserRole.MEMBER, Set.of()))
                .expectSuccessfulHandlerExecution();
    }

    @Test
    void createsAnApiKeyStoringOnlyItsHash() {
        byte[] hash = new byte[32];
        Instant expires = Instant.parse("2030-01-01T00:00:00Z");
        fixture.given(created(Plan.STARTER))
                .when(new CreateApiKey(ORG, KEY, "ci", Set.of("users:read"), expires, "cel_abcdefgh", hash))
                .expectEvents(new ApiKeyCreated(ORG, KEY, "ci", "cel_abcdefgh", Set.of("users:read"), expires));
        verify(credentials).store(hash, KEY, ORG, Set.of("users:read"), expires);
    }

    @Test
    void revokesAKeyOnce() {
        ApiKeyCreated key = new ApiKeyCreated(ORG, KEY, "ci", "cel_abcdefgh", Set.of("*"), null);
        fixture.given(created(Plan.STARTER), key)
                .when(new RevokeApiKey(ORG, KEY, FULL))
                .expectEvents(new ApiKeyRevoked(ORG, KEY));
        verify(credentials).revoke(KEY);
        fixture.given(created(Plan.STARTER), key, new ApiKeyRevoked(ORG, KEY))
                .when(new RevokeApiKey(ORG, KEY, FULL))
                .expectException(violation(RuleViolation.Kind.CONFLICT, "API_KEY_REVOKED"));
        fixture.given(created(Plan.STARTER))
                .when(new RevokeApiKey(ORG, KEY, FULL))
                .expectException(violation(RuleViolation.Kind.NOT_FOUND, "API_KEY_NOT_FOUND"));
    }

    @Test
    void erasingAKeyRevokesItIfActiveShredsItsKeyAndHappensOnce() {
        ApiKeyCreated key = new ApiKeyCreated(ORG, KEY, "ci", "cel_abcdefgh", Set.of("*"), null);
        fixture.given(created(Plan.STARTER), key)
                .when(new EraseApiKey(ORG, KEY, FULL))
                .expectEvents(new ApiKeyRevoked(ORG, KEY), new ApiKeyErased(ORG, KEY));
        verify(credentials).revoke(KEY);
        verify(shredder).destroyKey(KEY);
        fixture.given(created(Plan.STARTER), key, new ApiKeyRevoked(ORG, KEY))
                .when(new EraseApiKey(ORG, KEY, FULL))
                .expectEvents(new ApiKeyErased(ORG, KEY));
        fixture.given(created(Plan.STARTER), key, new ApiKeyRevoked(ORG, KEY), new ApiKeyErased(ORG, KEY))
                .when(new EraseApiKey(ORG, KEY, FULL))
                .expectException(violation(RuleViolation.Kind.CONFLICT, "ALREADY_ERASED"));
        fixture.given(created(Plan.STARTER))
                .when(new EraseApiKey(ORG, KEY, FULL))
                .expectException(violation(RuleViolation.Kind.NOT_FOUND, "API_KEY_NOT_FOUND"));
        // deletion is soft and keeps the data: still erasable, and the key already stopped with the organization
        fixture.given(created(Plan.STARTER), key, new OrganizationDeleted(ORG))
                .when(new EraseApiKey(ORG, KEY, FULL))
                .expectEvents(new ApiKeyErased(ORG, KEY));
    }

    @Test
    void onlyFullAccessMayChangeDeactivateOrEraseAnOwner() {
        fixture.given(created(Plan.STARTER), user(ALICE, "alice@x.io", UserRole.OWNER), user(BOB, "bob@x.io", UserRole.OWNER))
                .when(new UpdateUser(ORG, ALICE, null, UserRole.MEMBER, null, MANAGER))
                .expectException(Forbidden.class)
                .expectNoEvents();
        fixture.given(created(Plan.STARTER), user(ALICE, "alice@x.io", UserRole.OWNER), user(BOB, "bob@x.io", UserRole.OWNER))
                .when(new DeactivateUser(ORG, ALICE, MANAGER))
                .expectException(Forbidden.class);
        fixture.given(created(Plan.STARTER), user(ALICE, "alice@x.io", UserRole.OWNER), user(BOB, "bob@x.io", UserRole.OWNER))
                .when(new EraseUser(ORG, ALICE, MANAGER))
                .expectException(Forbidden.class);
        // anyone else is theirs to manage, and an owner already deactivated may be erased
        fixture.given(created(Plan.STARTER), user(ALICE, "alice@x.io", UserRole.ADMIN))
                .when(new DeactivateUser(ORG, ALICE, MANAGER))
                .expectEvents(new UserDeactivated(ORG, ALICE));
        fixture.given(created(Plan.STARTER), user(ALICE, "alice@x.io", UserRole.OWNER), user(BOB, "bob@x.io", UserRole.OWNER),
                        new UserDeactivated(ORG, ALICE))
                .when(new EraseUser(ORG, ALICE, MANAGER))
                .expectEvents(new UserErased(ORG, ALICE, false));
    }

    @Test
    void aKeyIsRevokedOnlyByACallerHoldingAllItsScopes() {
        ApiKeyCreated key = new ApiKeyCreated(ORG, KEY, "owner key", "cel_abcdefgh", Set.of("*"), null);
        when(credentials.scopesOf(KEY)).thenReturn(java.util.Optional.of(Set.of("*")));
        fixture.given(created(Plan.STARTER), key)
                .when(new RevokeApiKey(ORG, KEY, MANAGER))
                .expectException(Forbidden.class);
        fixture.given(created(Plan.STARTER), key)
                .when(new EraseApiKey(ORG, KEY, MANAGER))
                .expectException(Forbidden.class);
        verify(credentials, never()).revoke(KEY);
        verify(shredder, never()).destroyKey(KEY);
        // a revoked key's IPs may be erased by any key manager: nothing it could do is taken from anyone
        fixture.given(created(Plan.STARTER), key, new ApiKeyRevoked(ORG, KEY))
                .when(new EraseApiKey(ORG, KEY, MANAGER))
                .expectEvents(new ApiKeyErased(ORG, KEY));
        when(credentials.scopesOf(KEY)).thenReturn(java.util.Optional.of(Set.of("users:read", "api_keys:write")));
        fixture.given(created(Plan.STARTER), key)
                .when(new RevokeApiKey(ORG, KEY, MANAGER))
                .expectEvents(new ApiKeyRevoked(ORG, KEY));
        fixture.given(created(Plan.STARTER), key)
                .when(new EraseApiKey(ORG, KEY, MANAGER))
                .expectEvents(new ApiKeyRevoked(ORG, KEY), new ApiKeyErased(ORG, KEY));
        // no credential to read the key's scopes from (a restore gone wrong): only full access may act on it
        when(credentials.scopesOf(KEY)).thenReturn(java.util.Optional.empty());
        fixture.given(created(Plan.STARTER), key)
                .when(new RevokeApiKey(ORG, KEY, MANAGER))
                .expectException(Forbidden.class);
        fixture.given(created(Plan.STARTER), key)
                .when(new RevokeApiKey(ORG, KEY, FULL))
                .expectEvents(new ApiKeyRevoked(ORG, KEY));
        // a command from a node that predates the rule carries no scopes: refused, not a failure
        fixture.given(created(Plan.STARTER), key)
                .when(new RevokeApiKey(ORG, KEY, null))
                .expectException(Forbidden.class);
    }
}
