package io.celaest.projections.identity;

import io.celaest.api.identity.OrganizationCreated;
import io.celaest.api.identity.OrganizationRenamed;
import io.celaest.api.identity.Plan;
import io.celaest.api.identity.UserAdded;
import io.celaest.api.identity.UserDeactivated;
import io.celaest.api.identity.UserRole;
import io.celaest.api.identity.UserRoleChanged;
import io.celaest.server.support.PlatformTest;
import io.celaest.server.support.StoredEvents;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The identity projections defer their busiest writes to the end of a processor batch (new users inserted
 * together, active-user counts summed per organization). Events later in the same batch that touch the same rows
 * must still see them, and a batch delivered twice must not count twice.
 */
class IdentityProjectionBatchTest extends PlatformTest {

    @Autowired
    UserProjection users;

    @Autowired
    OrganizationProjection organizations;

    @Autowired
    PlatformTransactionManager transactions;

    private final Instant at = Instant.now();

    @Test
    void aUserAddedAndChangedInOneBatchIsStoredWithTheChange() throws Exception {
        UUID organization = UUID.randomUUID();
        UUID added = UUID.randomUUID();
        UUID addedAndPromoted = UUID.randomUUID();
        inOneBatch(() -> {
            users.on(new UserAdded(organization, added, "ann@example.com", "Ann", UserRole.MEMBER, Set.of()), 0, at);
            users.on(new UserAdded(organization, addedAndPromoted, "bob@example.com", "Bob", UserRole.MEMBER,
                    Set.of()), 1, at);
            users.on(new UserRoleChanged(organization, addedAndPromoted, UserRole.MEMBER, UserRole.ADMIN), 2, at);
        });

        assertThat(rows("SELECT id::text || ' ' || role FROM users_profile WHERE organization_id = ?::uuid "
                + "ORDER BY full_name", organization)).containsExactly(added + " member", addedAndPromoted + " admin");
    }

    @Test
    void activeUserCountsOfOneBatchAddUpAroundOtherChangesAndCountOnceWhenRedelivered() throws Exception {
        UUID organization = UUID.randomUUID();
        Runnable batch = () -> {
            organizations.on(new OrganizationCreated(organization, "Acme", "acme-" + organization, Plan.STARTER, 5,
                    1000, null, null), 0, at);
            organizations.on(new UserAdded(organization, UUID.randomUUID(), "a@example.com", "A", UserRole.OWNER,
                    Set.of()), 1, at);
            organizations.on(new UserAdded(organization, UUID.randomUUID(), "b@example.com", "B", UserRole.MEMBER,
                    Set.of()), 2, at);
            organizations.on(new OrganizationRenamed(organization, "Acme", "Acme Labs"), 3, at);
            UUID leaving = UUID.randomUUID();
            organizations.on(new UserAdded(organization, leaving, "c@example.com", "C", UserRole.MEMBER, Set.of()),
                    4, at);
            organizations.on(new UserDeactivated(organization, leaving), 5, at);
        };
        inOneBatch(batch);
        inOneBatch(batch);                                     // redelivered, e.g. after a crash before the token

        assertThat(rows("SELECT name || ' ' || active_users || ' ' || last_event_sequence FROM organizations "
                + "WHERE id = ?::uuid", organization)).containsExactly("Acme Labs 2 5");
    }

    /** The handlers called as a pooled processor calls them: one unit of work and transaction for the batch. */
    private void inOneBatch(Runnable handlers) {
        new TransactionTemplate(transactions).executeWithoutResult(status ->
                DefaultUnitOfWork.startAndGet(null).execute(handlers));
    }

    private List<String> rows(String sql, UUID id) throws SQLException {
        return StoredEvents.rows(database, sql, id.toString(), rs -> rs.getString(1));
    }
}
