package io.celaest.projections.identity;

import io.celaest.api.identity.UserAdded;
import io.celaest.api.identity.UserRoleChanged;
import io.celaest.server.support.PlatformTest;
import io.celaest.server.support.StoredEvents;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import io.celaest.api.identity.UserRole;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * New users of a processor batch are inserted together at the batch's end; a later event of the same batch that
 * changes such a user must still find the row (the handlers write the pending rows out first).
 */
class UserProjectionBatchTest extends PlatformTest {

    @Autowired
    UserProjection projection;

    @Autowired
    PlatformTransactionManager transactions;

    @Test
    void aUserAddedAndChangedInOneBatchIsStoredWithTheChange() throws Exception {
        UUID organization = UUID.randomUUID();
        UUID added = UUID.randomUUID();
        UUID addedAndPromoted = UUID.randomUUID();
        Instant at = Instant.now();
        new TransactionTemplate(transactions).executeWithoutResult(status ->
                DefaultUnitOfWork.startAndGet(null).execute(() -> {
                    projection.on(new UserAdded(organization, added, "ann@example.com", "Ann", UserRole.MEMBER,
                            Set.of()), 0, at);
                    projection.on(new UserAdded(organization, addedAndPromoted, "bob@example.com", "Bob",
                            UserRole.MEMBER, Set.of()), 1, at);
                    projection.on(new UserRoleChanged(organization, addedAndPromoted, UserRole.MEMBER,
                            UserRole.ADMIN), 2, at);
                }));

        assertThat(StoredEvents.rows(database, "SELECT id::text || ' ' || role FROM users_profile "
                        + "WHERE organization_id = ?::uuid ORDER BY full_name", organization.toString(),
                rs -> rs.getString(1)))
                .containsExactly(added + " member", addedAndPromoted + " admin");
    }
}
